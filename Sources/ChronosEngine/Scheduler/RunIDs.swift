/// The runs of one job in flight: almost always one, so the first is held inline (no allocation, no
/// hashing) and the rest, rare, in an array.
struct RunIDs: Sendable, ExpressibleByArrayLiteral {
    private var first: TaskID?
    private var rest: [TaskID] = []

    init(arrayLiteral elements: TaskID...) {
        for id in elements { insert(id) }
    }

    var isEmpty: Bool { first == nil }
    var count: Int { first == nil ? 0 : 1 + rest.count }

    mutating func insert(_ id: TaskID) {
        guard let head = first else { first = id; return }
        if head != id && !rest.contains(id) { rest.append(id) }
    }

    mutating func remove(_ id: TaskID) {
        if first == id {
            first = rest.isEmpty ? nil : rest.removeFirst()
        } else if let index = rest.firstIndex(of: id) {
            rest.remove(at: index)
        }
    }

    func sorted() -> [TaskID] { ((first.map { [$0] } ?? []) + rest).sorted() }
}
