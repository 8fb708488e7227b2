import Testing
import JobSpec
@testable import ChronosEngine

@Suite struct SchedulerCoreEdgeTests {
    @Test func forbidKeepsOneScheduledRunWaitingAndSkipsTheRest() {
        var core = SchedulerCore()
        _ = core.apply([job("a") { $0.schedule = "R/2026-01-01T00:00:00Z/PT1M" }], now: t0 - 1)
        #expect(core.advance(now: t0).launched == ["ct:\(t0):0:a"])
        _ = core.advance(now: t0 + minute)  // waits behind the first
        let step = core.advance(now: t0 + 2 * minute)
        #expect(step.batch.runs.contains { $0.taskID.due == t0 + 2 * minute && $0.state == .skipped })
        #expect(core.activeRuns(of: "a").count == 2, "one running, one waiting")
    }

    @Test func aDisabledOneShotJobRunsWhenEnabled() throws {
        var core = SchedulerCore()
        #expect(core.apply([job("a") { $0.schedule = ""; $0.disabled = true }], now: t0).launched.isEmpty)
        #expect(core.state(of: "a")?.onceDone == false)
        let step = try core.setDisabled("a", false, now: t0 + 10)
        #expect(step.launched.isEmpty, "enabling arms it; the next advance runs it")
        #expect(core.advance(now: t0 + 10).launched == ["ct:\(t0):0:a"])
    }

    @Test func changingDisabledInTheSpecWinsOverAHandMadeChange() throws {
        var core = SchedulerCore()
        _ = core.apply([hourly("a")], now: t0 + 1)
        _ = try core.setDisabled("a", true, now: t0 + 2)
        _ = core.apply([hourly("a") { $0.disabled = false; $0.description = "edited" }], now: t0 + 3)
        #expect(core.isDisabled("a"), "an edit that leaves `disabled` as it was keeps the hand-made disable")
        _ = core.apply([hourly("a") { $0.disabled = true }], now: t0 + 4)
        _ = core.apply([hourly("a") { $0.disabled = false }], now: t0 + 5)
        #expect(!core.isDisabled("a"))
    }

    @Test func disablingDropsQueuedRuns() throws {
        var core = SchedulerCore()
        _ = core.apply([job("a") { $0.schedule = ""; $0.retries = 3 }], now: t0)
        _ = core.finished(TaskID(due: t0, attempt: 0, job: "a"), outcome: .exited(1), now: t0 + 1)
        #expect(core.activeRuns(of: "a").map(\.state) == [.queued], "a retry waits")
        let step = try core.setDisabled("a", true, now: t0 + 2)
        #expect(core.activeRuns(of: "a").isEmpty)
        #expect(step.batch.runs.last?.state == .killed)
    }

    @Test func aScheduleChangeDropsRunsPreparedForTheOldOne() {
        var core = SchedulerCore()
        _ = core.apply([hourly("a")], now: t0 + 1)
        _ = core.advance(now: t0 + hour - 100)  // prepared for t0 + 1h
        #expect(core.activeRuns(of: "a").count == 1)
        let step = core.apply([job("a") { $0.schedule = "R/2026-01-01T00:30:00Z/PT1H" }], now: t0 + hour - 50)
        #expect(core.activeRuns(of: "a").isEmpty)
        #expect(step.batch.runs.contains { $0.state == .skipped && $0.reason.contains("schedule changed") })
    }

    @Test func aTimeoutIsAFailureAndIsRetried() {
        var core = SchedulerCore()
        _ = core.apply([job("a") { $0.schedule = ""; $0.timeout = .parsed("PT1M"); $0.retries = 1; $0.retryInterval = .parsed("PT1S") }], now: t0)
        let kill = core.advance(now: t0 + minute)
        #expect(kill.kills.map(\.taskID) == [TaskID(due: t0, attempt: 0, job: "a")])
        let step = core.finished(TaskID(due: t0, attempt: 0, job: "a"), outcome: .killed("timed out after 60 s"), now: t0 + minute + 5)
        #expect(step.batch.runs.first?.state == .failed)
        #expect(core.active[TaskID(due: t0, attempt: 1, job: "a")] != nil, "retried by policy")
    }

    @Test func aFolderApplyLeavesJobsMadeThroughTheAPI() {
        var core = SchedulerCore()
        _ = core.apply([hourly("from-git")], now: t0)
        var madeThroughTheAPI = hourly("from-api")
        madeThroughTheAPI.source = .api
        _ = core.upsert(madeThroughTheAPI, now: t0)
        _ = core.apply([hourly("from-git")], now: t0 + 1)
        #expect(core.jobs["from-api"] != nil)
        _ = core.apply([], now: t0 + 2)
        #expect(core.jobs["from-git"] == nil)
    }

    @Test func runsOfJobsThatAreGoneEndAtRestore() {
        var stored = StoredState()
        stored.activeRuns = [RunRecord(taskID: TaskID(due: t0, attempt: 0, job: "gone"), state: .queued, trigger: .manual, readyAt: t0, queuedAt: t0)]
        var core = SchedulerCore()
        let step = core.restore(stored, now: t0 + 1)
        #expect(step.batch.runs.map(\.state) == [.killed])
        #expect(core.active.isEmpty)
    }

    @Test func apiJobsWithUnknownParentsOrCyclesAreRejected() {
        var core = SchedulerCore()
        _ = core.apply([job("a") { $0.parents = ["b"] }, job("b") { $0.schedule = "" }], now: t0)
        #expect(core.rejection(for: job("c") { $0.parents = ["nope"] }.job)?.contains("does not exist") == true)
        #expect(core.rejection(for: job("b") { $0.parents = ["a"] }.job)?.contains("cycle") == true)
        #expect(core.rejection(for: job("c") { $0.parents = ["a", "b"] }.job) == nil)
    }
}
