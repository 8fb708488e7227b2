/// The deliveries of one channel as a pure state machine: a bounded queue, one send at a time, a retry
/// with exponential backoff after a failure, and a last attempt after which the item is given up. The
/// worker that owns it does the sending and the waiting; here there is no clock and no I/O, so it is
/// tested with plain numbers.
package struct DeliveryQueue<Item: Sendable>: Sendable {
    package struct Entry: Sendable {
        package var id: UInt64
        package var item: Item
        /// Attempts made so far.
        package var attempts: Int
        /// Not sent before this time (epoch ms): when it was queued, or when its retry is due.
        package var notBefore: Int64
    }

    package struct Limits: Sendable, Hashable {
        /// Most items waiting (a full queue drops what arrives).
        package var capacity = 1000
        /// Attempts before an item is given up.
        package var maxAttempts = 6
        /// The first retry's delay (ms); each next one doubles, up to `maxBackoff`.
        package var backoff: Int64 = 1000
        package var maxBackoff: Int64 = 300_000

        package init(capacity: Int = 1000, maxAttempts: Int = 6, backoff: Int64 = 1000, maxBackoff: Int64 = 300_000) {
            self.capacity = capacity
            self.maxAttempts = maxAttempts
            self.backoff = backoff
            self.maxBackoff = maxBackoff
        }
    }

    /// What became of a send.
    package enum Outcome: Sendable, Equatable {
        case sent
        /// Failed; tried again at this time.
        case retry(at: Int64)
        /// Failed for the last time.
        case gaveUp
    }

    package let limits: Limits
    /// Waiting items, in the order they arrived.
    package private(set) var waiting: [Entry] = []
    /// The item being sent.
    package private(set) var inFlight: Entry?
    private var nextID: UInt64 = 0

    package init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Items waiting or being sent.
    package var count: Int { waiting.count + (inFlight == nil ? 0 : 1) }

    /// Queues `item`; false when the queue is full and it is dropped.
    package mutating func offer(_ item: Item, now: Int64) -> Bool {
        guard waiting.count < limits.capacity else { return false }
        nextID &+= 1
        waiting.append(Entry(id: nextID, item: item, attempts: 0, notBefore: now))
        return true
    }

    /// The next item to send now, if none is being sent and one is due; it is in flight until `finished`.
    package mutating func take(now: Int64) -> Entry? {
        guard inFlight == nil, let index = waiting.firstIndex(where: { $0.notBefore <= now }) else { return nil }
        let entry = waiting.remove(at: index)
        inFlight = entry
        return entry
    }

    /// When the next item becomes due (nil with nothing waiting, or one in flight).
    package var nextDue: Int64? {
        guard inFlight == nil else { return nil }
        return waiting.map(\.notBefore).min()
    }

    /// The in-flight send ended: sent, or failed and retried later, or given up.
    package mutating func finished(ok: Bool, now: Int64) -> Outcome {
        guard var entry = inFlight else { return .sent }
        inFlight = nil
        if ok { return .sent }
        entry.attempts += 1
        guard entry.attempts < limits.maxAttempts else { return .gaveUp }
        let shift = min(entry.attempts - 1, 30)
        entry.notBefore = now + min(limits.backoff << Int64(shift), limits.maxBackoff)
        // A retry goes back in order of arrival: it does not jump ahead of what came after it, nor does
        // it hold it back (what is due goes first).
        let index = waiting.firstIndex { $0.id > entry.id } ?? waiting.endIndex
        waiting.insert(entry, at: index)
        return .retry(at: entry.notBefore)
    }

    /// Drops everything waiting (at shutdown); returns how many.
    package mutating func drain() -> Int {
        defer { waiting = [] }
        return waiting.count
    }
}
