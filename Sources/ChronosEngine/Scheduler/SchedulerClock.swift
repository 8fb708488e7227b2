import JobSpec

/// Where the scheduler reads the time and sleeps (its timers and its store retries); tests pass a
/// clock that moves only when they say.
package protocol SchedulerClock: Sendable {
    /// Now, in epoch milliseconds.
    func now() -> Int64
    /// Sleeps until the epoch-millisecond time `deadline`.
    func sleep(until deadline: Int64) async throws
}

/// The system's wall clock.
package struct WallClock: SchedulerClock {
    package init() {}

    package func now() -> Int64 { Instant.now.millis }

    package func sleep(until deadline: Int64) async throws {
        let delay = deadline - now()
        if delay > 0 { try await Task.sleep(for: .milliseconds(delay)) }
    }
}
