import Testing
import JobSpec
@testable import ChronosEngine

/// 2026-01-01T00:00:00Z, the tests' "now" unless they say otherwise.
let t0: Int64 = 1_767_225_600_000
let minute: Int64 = 60_000
let hour: Int64 = 3_600_000

func job(_ name: String, _ fields: (inout Job) -> Void = { _ in }) -> AppliedJob {
    var j = Job(name: name)
    j.command = "true"
    fields(&j)
    // The tests' schedules are valid; a bad one is a mistake in the test.
    return try! AppliedJob(job: j, source: .spec(location: "test"), appliedAt: t0)
}

extension FixedDuration {
    /// A duration written in a test, which is known to parse.
    static func parsed(_ text: String) -> FixedDuration { try! FixedDuration(parsing: text) }
}

func hourly(_ name: String, _ fields: (inout Job) -> Void = { _ in }) -> AppliedJob {
    job(name) { $0.schedule = "R/2026-01-01T00:00:00Z/PT1H"; fields(&$0) }
}

extension SchedulerStep {
    var launched: [String] { launches.map(\.run.taskID.description) }
}

@Suite struct SchedulerCoreTests {
    @Test func aScheduledJobRunsAtEachSlotAndNotBefore() {
        var core = SchedulerCore()
        var step = core.apply([hourly("a")], now: t0 + 1)
        #expect(step.launched.isEmpty, "the 00:00 slot passed before the job was applied: not owed")
        #expect(core.nextWakeup == t0 + hour - core.options.lookahead, "slots are prepared ahead of time")
        step = core.advance(now: t0 + hour - 1)
        #expect(step.launched.isEmpty)
        #expect(step.batch.runs.map(\.state) == [.queued], "stored as queued before it is due")
        #expect(step.batch.runs.first?.readyAt == t0 + hour)
        step = core.advance(now: t0 + hour)
        #expect(step.launched == ["ct:\(t0 + hour):0:a"])
        #expect(step.batch.startedReadyAt.map(\.readyAt) == [t0 + hour], "its start is stored before the launch")
        step = core.finished(TaskID(due: t0 + hour, attempt: 0, job: "a"), outcome: .exited(0), now: t0 + hour + 5)
        #expect(core.state(of: "a")?.successCount == 1)
        #expect(core.state(of: "a")?.lastSuccess == t0 + hour + 5)
        #expect(core.nextWakeup == t0 + 2 * hour - core.options.lookahead)
    }

    @Test func missedRunsCoalesceWithinEpsilonAndAreSkippedBeyondIt() {
        var stored = StoredState()
        stored.jobs = [hourly("a")]
        var state = JobState(firstApplied: t0)
        state.lastScheduledDue = t0
        stored.states = ["a": state]

        var core = SchedulerCore()
        var step = core.restore(stored, now: t0 + 3 * hour + 30_000)  // down for 3 hours, back 30 s after a slot
        #expect(step.launched == ["ct:\(t0 + 3 * hour):0:a"], "one run for the three missed slots")
        #expect(core.state(of: "a")?.lastScheduledDue == t0 + 3 * hour)

        core = SchedulerCore()
        step = core.restore(stored, now: t0 + 3 * hour + 2 * minute)  // 2 minutes late: beyond the 60 s epsilon
        #expect(step.launched.isEmpty)
        let skipped = step.batch.runs.filter { $0.state == .skipped }
        #expect(skipped.count == 1)
        #expect(skipped.first?.skippedCount == 3)
        #expect(core.nextWakeup == t0 + 4 * hour - core.options.lookahead)
    }

    @Test func aJobsEpsilonOverridesTheServerDefault() {
        var stored = StoredState()
        stored.jobs = [hourly("a") { $0.epsilon = .parsed("PT10M") }]
        var state = JobState(firstApplied: t0)
        state.lastScheduledDue = t0
        stored.states = ["a": state]
        var core = SchedulerCore()
        let step = core.restore(stored, now: t0 + hour + 5 * minute)
        #expect(step.launched == ["ct:\(t0 + hour):0:a"])
    }

    @Test func failuresAreRetriedAfterTheJobsIntervalWithBackoff() {
        var core = SchedulerCore()
        var step = core.apply([job("a") { $0.schedule = ""; $0.retries = 3; $0.retryInterval = .parsed("PT30S"); $0.retryBackoff = 2; $0.maxRetryInterval = .parsed("PT100S") }], now: t0)
        #expect(step.launched == ["ct:\(t0):0:a"])
        var now = t0 + 1000
        var expectedDelays: [Int64] = [30_000, 60_000, 100_000]
        for attempt in 0..<3 {
            step = core.finished(TaskID(due: t0, attempt: attempt, job: "a"), outcome: .exited(1), now: now)
            let delay = expectedDelays.removeFirst()
            #expect(core.nextWakeup == now + delay)
            #expect(core.advance(now: now + delay - 1).launched.isEmpty)
            now += delay
            #expect(core.advance(now: now).launched == ["ct:\(t0):\(attempt + 1):a"])
            now += 1000
        }
        step = core.finished(TaskID(due: t0, attempt: 3, job: "a"), outcome: .exited(1), now: now)
        #expect(core.state(of: "a")?.errorCount == 1, "one final failure after the last retry")
        #expect(core.state(of: "a")?.errorsSinceLastSuccess == 1)
        #expect(core.nextWakeup == nil)
    }

    @Test func theServerRetryDelayAppliesWithoutAJobInterval() {
        var options = SchedulerOptions()
        options.failureRetry = 5_000
        var core = SchedulerCore(options: options)
        _ = core.apply([job("a") { $0.schedule = "" }], now: t0)
        _ = core.advance(now: t0)
        _ = core.finished(TaskID(due: t0, attempt: 0, job: "a"), outcome: .exited(2), now: t0 + 10)
        #expect(core.nextWakeup == t0 + 10 + 5_000)
    }

    @Test func killedRunsAreNotRetriedNorCounted() {
        var core = SchedulerCore()
        _ = core.apply([job("a") { $0.schedule = ""; $0.retries = 5 }], now: t0)
        _ = core.advance(now: t0)
        let step = core.finished(TaskID(due: t0, attempt: 0, job: "a"), outcome: .killed("killed by request"), now: t0 + 10)
        #expect(step.batch.runs.last?.state == .killed)
        #expect(core.active.isEmpty)
        #expect(core.state(of: "a")?.errorCount == 0)
    }

    @Test func disableAfterFailures() throws {
        var options = SchedulerOptions()
        options.disableAfterFailures = 2
        var core = SchedulerCore(options: options)
        _ = core.apply([job("a") { $0.parents = ["p"]; $0.retries = 0 }, job("p") { $0.schedule = "" }], now: t0)
        for i in 0..<2 {
            let (id, _) = try core.runNow("a", now: t0 + Int64(i) * 1000)
            _ = core.finished(id, outcome: .exited(1), now: t0 + Int64(i) * 1000 + 1)
        }
        #expect(core.isDisabled("a"))
        _ = try core.setDisabled("a", false, now: t0 + 10_000)
        #expect(!core.isDisabled("a"))
    }

    @Test func aChildWithTwoParentsWaitsForBothInEachCycle() throws {
        var core = SchedulerCore()
        _ = core.apply([job("p1") { $0.schedule = "" }, job("p2") { $0.schedule = "" }, job("c") { $0.parents = ["p1", "p2"] }], now: t0)
        var step = try core.markSuccess("p1", now: t0 + 1)
        #expect(step.launched.isEmpty, "only one parent done")
        step = try core.markSuccess("p1", now: t0 + 2)
        #expect(step.launched.isEmpty, "the same parent twice is still one parent")
        step = try core.markSuccess("p2", now: t0 + 3)
        #expect(step.launched == ["ct:\(t0 + 3):0:c"])
        #expect(core.state(of: "c")?.completedParents == [])
        // Next cycle: p2 alone does not trigger, although p1 finished twice in the last cycle.
        step = try core.markSuccess("p2", now: t0 + 4)
        #expect(step.launched.isEmpty)
        #expect(core.state(of: "c")?.completedParents == ["p2"], "progress is stored with the job state")
        #expect(step.batch.states["c"]?.completedParents == ["p2"])
    }

    @Test func anyModeRunsAfterEachParent() throws {
        var core = SchedulerCore()
        _ = core.apply([job("p1") { $0.schedule = "" }, job("p2") { $0.schedule = "" },
                        job("c") { $0.parents = ["p1", "p2"]; $0.dependencyMode = .any; $0.concurrent = true }], now: t0)
        #expect(try core.markSuccess("p1", now: t0 + 1).launched == ["ct:\(t0 + 1):0:c"])
        #expect(try core.markSuccess("p2", now: t0 + 2).launched == ["ct:\(t0 + 2):0:c"])
    }

    @Test func softErrorTriggersChildrenOnFinalFailure() {
        var core = SchedulerCore()
        _ = core.apply([job("p") { $0.schedule = ""; $0.retries = 0; $0.softError = true }, job("c") { $0.parents = ["p"] }], now: t0)
        _ = core.advance(now: t0)
        let step = core.finished(TaskID(due: t0, attempt: 0, job: "p"), outcome: .exited(3), now: t0 + 5)
        #expect(step.launched == ["ct:\(t0 + 5):0:c"])

        var strict = SchedulerCore()
        _ = strict.apply([job("p") { $0.schedule = ""; $0.retries = 0 }, job("c") { $0.parents = ["p"] }], now: t0)
        _ = strict.advance(now: t0)
        #expect(strict.finished(TaskID(due: t0, attempt: 0, job: "p"), outcome: .exited(3), now: t0 + 5).launched.isEmpty)
    }

    @Test func forbidQueuesBehindTheRunningRunAndNeverDropsIt() throws {
        var core = SchedulerCore()
        _ = core.apply([job("a") { $0.parents = ["p"] }, job("p") { $0.schedule = "" }], now: t0)
        let (first, s1) = try core.runNow("a", now: t0)
        #expect(s1.launched == [first.description])
        let (second, s2) = try core.runNow("a", now: t0 + 1)
        #expect(s2.launched.isEmpty)
        #expect(core.active[second]?.state == .queued)
        let s3 = core.finished(first, outcome: .exited(0), now: t0 + 2)
        #expect(s3.launched == [second.description])
    }

    @Test func allowRunsBothAndReplaceKillsTheOld() throws {
        var core = SchedulerCore()
        _ = core.apply([job("a") { $0.parents = ["p"]; $0.concurrencyPolicy = .allow }, job("b") { $0.parents = ["p"]; $0.concurrencyPolicy = .replace },
                        job("p") { $0.schedule = "" }], now: t0)
        _ = try core.runNow("a", now: t0)
        #expect(try core.runNow("a", now: t0 + 1).1.launched.count == 1)
        let (old, _) = try core.runNow("b", now: t0)
        let (new, step) = try core.runNow("b", now: t0 + 1)
        #expect(step.kills == [SchedulerStep.Kill(taskID: old, reason: "replaced by \(new)")])
        #expect(step.launched == [new.description])
    }

    @Test func asyncJobsEndThroughTheCallback() throws {
        var core = SchedulerCore()
        _ = core.apply([job("a") { $0.schedule = ""; $0.async = true }], now: t0)
        _ = core.advance(now: t0)
        let id = TaskID(due: t0, attempt: 0, job: "a")
        _ = core.finished(id, outcome: .exited(0), now: t0 + 1)
        #expect(core.active[id]?.state == .running, "the process exiting only means the task started")
        _ = core.asyncReported(id, statusCode: 0, now: t0 + 100)
        #expect(core.active[id] == nil)
        #expect(core.state(of: "a")?.successCount == 1)
    }

    @Test func runsInFlightAtACrashAreLostKilledAndRetried() {
        var stored = StoredState()
        stored.jobs = [job("a") { $0.schedule = ""; $0.retries = 1; $0.retryInterval = .parsed("PT10S") }]
        var state = JobState(firstApplied: t0)
        state.onceDone = true
        stored.states = ["a": state]
        var running = RunRecord(taskID: TaskID(due: t0, attempt: 0, job: "a"), state: .running, trigger: .schedule, readyAt: t0, queuedAt: t0)
        running.pid = 4242
        stored.activeRuns = [running]
        var core = SchedulerCore()
        let step = core.restore(stored, now: t0 + minute)
        #expect(step.kills.map(\.taskID) == [running.taskID], "its process is killed if still alive")
        #expect(step.batch.runs.first { $0.taskID == running.taskID }?.state == .lost)
        #expect(core.active[running.taskID.retry]?.readyAt == t0 + minute + 10_000)
        #expect(step.launched.isEmpty, "a one-shot job that already ran is not run again")
    }

    @Test func aPreparedRunTooLateAfterARestartIsSkipped() {
        var stored = StoredState()
        stored.jobs = [hourly("a")]
        stored.states = ["a": JobState(firstApplied: t0)]
        let prepared = RunRecord(taskID: TaskID(due: t0 + hour, attempt: 0, job: "a"), state: .queued, trigger: .schedule, readyAt: t0 + hour, queuedAt: t0 + hour - 400)
        stored.activeRuns = [prepared]
        var late = SchedulerCore()
        let step = late.restore(stored, now: t0 + hour + 5 * minute)
        #expect(step.launched.isEmpty)
        #expect(step.batch.runs.first { $0.taskID == prepared.taskID }?.state == .skipped)
        var onTime = SchedulerCore()
        #expect(onTime.restore(stored, now: t0 + hour + 10_000).launched == [prepared.taskID.description])
        #expect(onTime.active.count == 1, "the prepared run holds its slot; no second run for it")
    }

    @Test func aOneShotJobRunsOnceEvenWhenEdited() {
        var core = SchedulerCore()
        #expect(core.apply([job("a") { $0.schedule = "" }], now: t0).launched == ["ct:\(t0):0:a"], "a one-shot job runs when applied")
        _ = core.finished(TaskID(due: t0, attempt: 0, job: "a"), outcome: .exited(0), now: t0 + 1)
        let step = core.apply([job("a") { $0.schedule = ""; $0.command = "echo changed" }], now: t0 + 2)
        #expect(step.launched.isEmpty)
        #expect(core.nextWakeup == nil)
    }

    @Test func highPriorityRunsStartFirst() {
        var core = SchedulerCore()
        _ = core.apply([hourly("low"), hourly("high") { $0.highPriority = true }], now: t0 + 1)
        let step = core.advance(now: t0 + hour)
        #expect(step.launched == ["ct:\(t0 + hour):0:high", "ct:\(t0 + hour):0:low"])
    }

    @Test func aRunPastItsTimeoutIsKilled() {
        var core = SchedulerCore()
        _ = core.apply([job("a") { $0.schedule = ""; $0.timeout = .parsed("PT5M") }], now: t0)
        _ = core.advance(now: t0)
        #expect(core.advance(now: t0 + 5 * minute - 1).kills.isEmpty)
        #expect(core.advance(now: t0 + 5 * minute).kills.map(\.reason) == ["timed out after 300 s"])
    }

    @Test func aChangedScheduleOwesNoPastRuns() {
        var core = SchedulerCore()
        _ = core.apply([hourly("a")], now: t0 + 1)
        let step = core.apply([job("a") { $0.schedule = "R/2026-01-01T00:00:00Z/PT1M" }], now: t0 + 30 * minute + 1)
        #expect(step.launched.isEmpty)
        #expect(core.nextWakeup == t0 + 31 * minute - core.options.lookahead)
    }

    @Test func deletingAJobKillsItsRunsAndDropsTheRest() throws {
        var core = SchedulerCore()
        _ = core.apply([job("a") { $0.parents = ["p"] }, job("p") { $0.schedule = "" }], now: t0)
        let (first, _) = try core.runNow("a", now: t0)
        let (second, _) = try core.runNow("a", now: t0 + 1)
        let step = core.apply([job("p") { $0.schedule = "" }], now: t0 + 2)
        #expect(step.kills.map(\.taskID) == [first])
        #expect(step.batch.runs.first { $0.taskID == second }?.state == .killed)
        #expect(step.batch.deleteJobs == ["a"])
    }

    @Test func manualRunsCarryTheirArguments() throws {
        var core = SchedulerCore()
        _ = core.apply([hourly("a")], now: t0 + 1)
        let (_, step) = try core.runNow("a", arguments: ["--full"], now: t0 + 5)
        #expect(step.launches.first?.run.arguments == ["--full"])
        #expect(step.launches.first?.run.trigger == .manual)
        #expect(throws: UnknownJobError.self) { try core.runNow("nope", now: t0) }
    }
}

/// Thousands of runs ready at one time are started ahead of it, stored as started at that time.
@Suite struct StartAheadTests {
    @Test func aLargeBatchIsOfferedAndStartedAsOfItsTime() {
        var core = SchedulerCore()
        _ = core.apply((0..<50).map { i in hourly("j\(i)") }, now: t0 + 1)
        let prepared = core.advance(now: t0 + hour - core.options.lookahead)
        #expect(prepared.batch.runs.count == 50)
        #expect(core.nextBatch(atLeast: 51) == nil, "a small batch starts at its time as usual")
        let batch = core.nextBatch(atLeast: 50)
        #expect(batch?.time == t0 + hour && batch?.count == 50)
        let step = core.startAhead(readyAt: t0 + hour)
        #expect(step.launched.count == 50)
        #expect(step.launches.allSatisfy { $0.run.startedAt == t0 + hour })
        #expect(step.batch.startedReadyAt.map(\.readyAt) == [t0 + hour] && step.batch.startedReadyAt.map(\.startedAt) == [t0 + hour])
        #expect(core.nextBatch(atLeast: 1) == nil)
        let atTime = core.advance(now: t0 + hour)
        #expect(atTime.launched.isEmpty, "the ready timer finds them started")
    }

    @Test func aScheduleSlotToPrepareFirstIsHandledFirst() {
        var options = SchedulerOptions()
        options.lookahead = 2000
        var core = SchedulerCore(options: options)
        _ = core.apply([hourly("a"), job("b") { $0.schedule = "R/2026-01-01T00:00:01Z/PT1H" }], now: t0 + 2000)
        _ = core.advance(now: t0 + hour - 2000)
        // b's slot (01:00:01) is to be prepared at 00:59:59, before a's run is ready at 01:00:00.
        #expect(core.nextBatch(atLeast: 1) == nil)
        _ = core.advance(now: t0 + hour - 1000)
        #expect(core.nextBatch(atLeast: 1)?.time == t0 + hour)
    }
}
