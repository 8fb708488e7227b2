import Testing
import JobSpec
@testable import ChronosEngine

/// A run's Chronos arguments text, a data job's progress and 2.x's `DELETE task/all`, in the scheduler core.
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

    @Test func progressAddsUpOnARunInFlightAndIsStored() throws {
        var core = SchedulerCore()
        _ = core.apply([job("a") { $0.schedule = "R/2030-01-01T00:00:00Z/P1D"; $0.async = true }], now: t0)
        let (id, _) = try core.runNow("a", now: t0)
        _ = core.progress(id, elements: 100)
        let step = core.progress(id, elements: 23)
        #expect(step?.batch.runs.map(\.elementsProcessed) == [123])
        _ = core.progress(id, elements: .max)
        #expect(core.active[id]?.elementsProcessed == .max, "the sum saturates")
        _ = core.asyncReported(id, statusCode: 0, now: t0 + 5)
        #expect(core.progress(id, elements: 1) == nil, "an ended run takes no more")
    }

    @Test func purgeDropsEveryRunNotStartedAndLeavesRunningOnesAndSchedules() throws {
        var core = SchedulerCore()
        _ = core.apply([job("a") { $0.schedule = "R/2030-01-01T00:00:00Z/P1D" }, job("b") { $0.schedule = "R/2030-01-01T00:00:00Z/P1D"; $0.retries = 2 }], now: t0)
        let (running, _) = try core.runNow("a", now: t0)
        let (behind, _) = try core.runNow("a", now: t0 + 1)
        let (failed, _) = try core.runNow("b", now: t0)
        _ = core.finished(failed, outcome: .exited(1), now: t0 + 2)
        #expect(core.active[failed.retry]?.state == .queued, "a retry waits for its delay")
        let next = core.status(of: "a")?.nextDue
        let (count, step) = core.purgeQueued(now: t0 + 3)
        #expect(count == 2)
        #expect(Set(step.batch.runs.filter { $0.state == .killed }.map(\.taskID)) == [behind, failed.retry])
        #expect(core.active[running]?.state == .running)
        #expect(step.kills.isEmpty)
        #expect(core.status(of: "a")?.nextDue == next)
        // What was queued behind the running run is gone: its end starts nothing.
        #expect(core.finished(running, outcome: .exited(0), now: t0 + 4).launched.isEmpty)
    }
}
