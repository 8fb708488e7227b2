import Synchronization

/// What launchers report back to the scheduler, collected from any thread and taken in batches.
final class LaunchInbox: Sendable {
    enum Event: Sendable {
        case started(TaskID, LaunchInfo)
        /// The launcher holds the run before it can start it, for this reason.
        case waiting(TaskID, String)
        case failedToStart(TaskID, String)
        case ended(TaskID, RunOutcome)
    }

    private let events = Mutex<[Event]>([])
    private let signalSink: AsyncStream<Void>.Continuation
    /// Yields when events are waiting; signals coalesce while nobody takes them.
    let signals: AsyncStream<Void>

    init() {
        (signals, signalSink) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Signals only when the first event arrives since the last `drain`: the taker drains them all, so
    /// a signal for each of 10,000 starts would only cost the stream's lock 10,000 times.
    func post(_ event: Event) {
        let first = events.withLock { items in
            items.append(event)
            return items.count == 1
        }
        if first { signalSink.yield() }
    }

    func drain() -> [Event] {
        events.withLock { items in
            defer { items = [] }
            return items
        }
    }

    func finish() { signalSink.finish() }
}
