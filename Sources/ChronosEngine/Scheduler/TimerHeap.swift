/// A binary min-heap of timers ordered by due time: O(log n) insert and pop, so an idle scheduler with
/// many jobs costs nothing until the earliest timer is due.
struct TimerHeap<Payload: Hashable & Sendable>: Sendable {
    private(set) var items: [(time: Int64, sequence: UInt64, payload: Payload)] = []
    private var sequence: UInt64 = 0

    var isEmpty: Bool { items.isEmpty }
    var count: Int { items.count }
    var nextTime: Int64? { items.first?.time }

    mutating func insert(_ payload: Payload, at time: Int64) {
        sequence &+= 1
        items.append((time, sequence, payload))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard Self.less(items[i], items[parent]) else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    /// Removes and returns the earliest timer when it is due at or before `time`.
    mutating func popDue(at time: Int64) -> (time: Int64, payload: Payload)? {
        guard let first = items.first, first.time <= time else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1
                let r = l + 1
                var smallest = i
                if l < items.count && Self.less(items[l], items[smallest]) { smallest = l }
                if r < items.count && Self.less(items[r], items[smallest]) { smallest = r }
                if smallest == i { break }
                items.swapAt(i, smallest)
                i = smallest
            }
        }
        return (first.time, first.payload)
    }

    private static func less(_ a: (time: Int64, sequence: UInt64, payload: Payload), _ b: (time: Int64, sequence: UInt64, payload: Payload)) -> Bool {
        a.time != b.time ? a.time < b.time : a.sequence < b.sequence
    }
}
