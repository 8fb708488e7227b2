import Testing
import JobSpec
@testable import ChronosEngine

/// The scheduler actor started on a state saved by a server that stopped with runs in flight.
@Suite(.timeLimit(.minutes(1))) struct SchedulerRestartTests {
    /// Saved 200 ms before the 01:00 slot: `long` was running (retried by policy once), `hourly` had its
    /// 01:00 run prepared as queued, and `manual` had a manual run queued and ready.
    static func savedState() -> StoredState {
        var stored = StoredState()
        stored.jobs = [
            job("long") { $0.schedule = ""; $0.retries = 1; $0.retryInterval = .parsed("PT1S") },
            hourly("hourly"),
            job("manual") { $0.parents = ["hourly"]; $0.retries = 0 },
        ]
        var once = JobState(firstApplied: t0)
        once.onceDone = true
        var slots = JobState(firstApplied: t0)
        slots.lastScheduledDue = t0
        stored.states = ["long": once, "hourly": slots, "manual": JobState(firstApplied: t0)]
        var running = RunRecord(taskID: task("long", due: t0), state: .running, trigger: .schedule, readyAt: t0, queuedAt: t0)
        running.startedAt = t0
        running.pid = 4242
        running.processStart = 99
        let prepared = RunRecord(taskID: task("hourly", due: t0 + hour), state: .queued, trigger: .schedule, readyAt: t0 + hour, queuedAt: t0 + hour - 500)
        let manual = RunRecord(taskID: task("manual", due: t0 + 60_000), state: .queued, trigger: .manual, readyAt: t0 + 60_000, queuedAt: t0 + 60_000)
        stored.activeRuns = [running, prepared, manual]
        return stored
    }

    @Test func runsInFlightComeBackLostAndRetriedAndQueuedOnesRunOnce() async throws {
        let restartedAt = t0 + hour - 200
        let h = SchedulerHarness(stored: Self.savedState(), now: restartedAt)
        try await h.running {
            // The running run is lost, its orphaned process killed, and its retry queued by policy.
            let lost = await h.stored(task("long", due: t0), .lost)
            #expect(lost?.reason == "the server stopped while the run was in flight")
            #expect(lost?.endedAt == restartedAt)
            #expect(h.launcher.state.value.orphans == [task("long", due: t0)])
            let retry = await h.stored(task("long", due: t0, attempt: 1), .queued)
            #expect(retry?.trigger == .retry)
            #expect(retry?.readyAt == restartedAt + 1_000)
            // The queued manual run is ready: it starts at once, under its own task id.
            let first = await h.launcher.waitForLaunches(1)
            #expect(first.map(\.run.taskID) == [task("manual", due: t0 + 60_000)])
            // The prepared 01:00 run is due first, then the retry.
            await h.clock.waitForSleeper(until: t0 + hour)
            h.clock.advance(to: t0 + hour)
            await h.launcher.waitForLaunches(2)
            await h.clock.waitForSleeper(until: restartedAt + 1_000)
            h.clock.advance(to: restartedAt + 1_000)
            let launches = await h.launcher.waitForLaunches(3)
            #expect(launches.map(\.run.taskID) == [task("manual", due: t0 + 60_000), task("hourly", due: t0 + hour), task("long", due: t0, attempt: 1)])
            #expect(launches.allSatisfy { $0.stored?.state == .running })
            // The 01:00 slot is not run a second time: the next timer is the 02:00 slot's preparation.
            await h.clock.waitForSleeper(until: t0 + 2 * hour - 500)
            let hourlyRuns = h.store.contents.value.runs.keys.filter { $0.job == "hourly" }
            #expect(hourlyRuns == [task("hourly", due: t0 + hour)])
            #expect(h.store.contents.value.runs.keys.filter { $0.job == "manual" } == [task("manual", due: t0 + 60_000)])
        }
    }

    @Test func aSecondRestartOnTheStateTheFirstSavedDuplicatesNothing() async throws {
        let first = SchedulerHarness(stored: Self.savedState(), now: t0 + hour - 200)
        try await first.running {
            await first.launcher.waitForLaunches(1)
            await first.clock.waitForSleeper(until: t0 + hour)
        }
        // Stopped again with the manual run running, the 01:00 run and the retry queued.
        let saved = try await first.store.load()
        let queued = saved.activeRuns.filter { $0.state == .queued }.map(\.taskID)
        #expect(queued == [task("hourly", due: t0 + hour), task("long", due: t0, attempt: 1)])
        let second = SchedulerHarness(stored: saved, now: t0 + hour - 100)
        try await second.running {
            await second.stored(task("manual", due: t0 + 60_000), .lost)
            await second.clock.waitForSleeper(until: t0 + hour)
            second.clock.advance(to: t0 + hour)
            await second.clock.waitForSleeper(until: t0 + hour + 800)
            second.clock.advance(to: t0 + hour + 800)
            let launches = await second.launcher.waitForLaunches(2)
            #expect(launches.map(\.run.taskID) == [task("hourly", due: t0 + hour), task("long", due: t0, attempt: 1)])
            await second.clock.waitForSleeper(until: t0 + 2 * hour - 500)
            let runs = second.store.contents.value.runs.keys
            #expect(runs.filter { $0.job == "hourly" } == [task("hourly", due: t0 + hour)])
            #expect(runs.filter { $0.job == "long" } == [task("long", due: t0, attempt: 1)], "the queued retry ran, and no new attempt")
        }
    }
}
