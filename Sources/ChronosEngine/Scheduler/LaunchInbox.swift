/// What launchers report back to the scheduler, collected from any thread and taken in batches.
final class LaunchInbox: Sendable {
    enum Event: Sendable {
        case started(TaskID, LaunchInfo)
        /// The launcher holds the run before it can start it, for this reason.
        case waiting(TaskID, String)
        case failedToStart(TaskID, String)
        case ended(TaskID, RunOutcome)
    }

    private let events = PostBox<Event>()
    private let signalSink: AsyncStream<Void>.Continuation
    /// Yields when events are waiting; signals coalesce while nobody takes them.
    let signals: AsyncStream<Void>

    init() {
        (signals, signalSink) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Signals only when the first event arrives since the last `drain`: the taker drains them all, so
    /// a signal for each of 10,000 starts would only cost the stream's lock 10,000 times.
    func post(_ event: Event) {
        if events.post(event) { signalSink.yield() }
    }

    func drain() -> [Event] { events.drain() }

    func finish() { signalSink.finish() }
}
