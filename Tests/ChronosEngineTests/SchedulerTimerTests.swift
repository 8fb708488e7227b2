import Testing
import JobSpec
@testable import ChronosEngine

/// The scheduler actor's timer loop on a manual clock: it sleeps exactly until its next timer, a step
/// that adds a sooner one wakes it, and retries and timeouts happen at their time, not before.
@Suite(.timeLimit(.minutes(1))) struct SchedulerTimerTests {
    @Test func theLoopSleepsUntilTheNextTimerAndASoonerOneWakesIt() async throws {
        let h = SchedulerHarness()
        try await h.running {
            try await h.scheduler.upsert(job("later") { $0.schedule = "R/2026-01-01T01:00:00Z/PT1H" })
            // Slots are prepared `lookahead` (500 ms) before they are due.
            await h.clock.waitForSleeper(until: t0 + hour - 500)
            try await h.scheduler.upsert(job("soon") { $0.schedule = "R/2026-01-01T00:00:10Z/PT1H" })
            await h.clock.waitForSleeper(until: t0 + 9_500)
            #expect(h.clock.deadlines == [t0 + 9_500], "the earlier sleep ended: no second sleeper, no periodic wake-up")
            h.clock.advance(to: t0 + 9_500)
            // Prepared and stored as queued; the loop now sleeps until the run is due.
            await h.clock.waitForSleeper(until: t0 + 10_000)
            #expect(h.store.storedRun(task("soon", due: t0 + 10_000))?.state == .queued)
            #expect(h.launcher.launches.isEmpty)
            h.clock.advance(to: t0 + 10_000)
            let launches = await h.launcher.waitForLaunches(1)
            #expect(launches.map(\.run.taskID) == [task("soon", due: t0 + 10_000)])
            #expect(launches.map(\.stored?.startedAt) == [t0 + 10_000])
            await h.clock.waitForSleeper(until: t0 + hour - 500)
        }
    }

    /// 1,000 runs ready at one time are started ahead of it: stored as started at that time, launched at it.
    @Test func aLargeBatchIsStoredAheadAndLaunchedAtItsTime() async throws {
        let h = SchedulerHarness()
        let count = Scheduler.batchAhead
        try await h.running {
            try await h.scheduler.apply(batchDueAt10s(count))
            // Stored as started at 00:00:10 while the clock reads earlier; nothing launched yet.
            await h.clock.passStartAhead(of: count, readyAt: t0 + 10_000)
            let stored = await h.stored(task("b0", due: t0 + 10_000), .running)
            #expect(stored?.startedAt == t0 + 10_000)
            #expect(h.launcher.launches.isEmpty)
            h.clock.advance(to: t0 + 10_000)
            let launches = await h.launcher.waitForLaunches(count)
            #expect(Set(launches.map(\.run.taskID.job)).count == count)
            #expect(launches.allSatisfy { $0.stored?.startedAt == t0 + 10_000 })
        }
    }

    @Test func aFailedRunIsRetriedExactlyAfterItsIntervalWithItsTriggerAndOutput() async throws {
        let h = SchedulerHarness()
        try await h.running {
            try await h.scheduler.apply([job("flaky") { $0.schedule = ""; $0.retries = 2; $0.retryInterval = .parsed("PT2S") }])
            await h.launcher.waitForLaunches(1)
            h.clock.advance(to: t0 + 700)
            h.launcher.end(task("flaky", due: t0), .exited(3))
            let failed = await h.stored(task("flaky", due: t0), .failed)
            #expect(failed?.exitStatus == 3)
            #expect(failed?.reason == "exited with status 3")
            let retry = await h.stored(task("flaky", due: t0, attempt: 1), .queued)
            #expect(retry?.trigger == .retry)
            #expect(retry?.readyAt == t0 + 2_700)
            await h.clock.waitForSleeper(until: t0 + 2_700)
            #expect(h.launcher.launches.count == 1, "not retried before its interval")
            h.clock.advance(to: t0 + 2_700)
            let launches = await h.launcher.waitForLaunches(2)
            #expect(launches.map(\.run.taskID) == [task("flaky", due: t0), task("flaky", due: t0, attempt: 1)])
            #expect(launches.last?.run.trigger == .retry)
            #expect(launches.last?.stored?.startedAt == t0 + 2_700)
            h.launcher.end(task("flaky", due: t0, attempt: 1), .exited(0))
            await h.stored(task("flaky", due: t0, attempt: 1), .succeeded)
            #expect(h.launcher.launches.allSatisfy { $0.stored?.state == .running })
        }
    }

    @Test func aRunPastItsTimeoutIsKilledAtItsTimeoutAndFails() async throws {
        let h = SchedulerHarness()
        try await h.running {
            try await h.scheduler.apply([job("slow") { $0.schedule = ""; $0.timeout = .parsed("PT1S"); $0.retries = 0 }])
            await h.launcher.waitForLaunches(1)
            await h.clock.waitForSleeper(until: t0 + 1_000)
            #expect(h.launcher.state.value.kills.isEmpty)
            h.clock.advance(to: t0 + 1_000)
            let run = await h.stored(task("slow", due: t0), .failed)
            #expect(h.launcher.state.value.kills.map(\.reason) == ["timed out after 1 s"])
            #expect(run?.reason == "timed out after 1 s", "a timeout is a failure (retried by policy), not a kill")
            #expect(run?.endedAt == t0 + 1_000)
        }
    }
}
