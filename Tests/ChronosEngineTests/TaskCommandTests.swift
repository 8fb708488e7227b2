import Testing
import JobSpec
@testable import ChronosEngine

/// A run's Chronos arguments text, in the scheduler core.
@Suite struct TaskCommandTests {
    @Test func aRetryOfARunWithArgumentTextCarriesTheSameText() throws {
        var core = SchedulerCore()
        _ = core.apply([job("a") { $0.schedule = "R/2030-01-01T00:00:00Z/P1D"; $0.retries = 1 }], now: t0)
        let (first, step) = try core.runNow("a", argumentText: #"--x "a b""#, now: t0)
        #expect(step.launches.first?.run.argumentText == #"--x "a b""#)
        _ = core.finished(first, outcome: .exited(1), now: t0 + 5)
        let retry = try #require(core.active[first.retry])
        #expect(retry.argumentText == #"--x "a b""#)
    }

}
