import Testing
import JobSpec
@testable import ChronosEngine

/// A job POSTed through the Chronos API replaces the whole job, its `disabled` included, as in Chronos.
@Suite struct PostedJobTests {
    func posted(_ name: String, disabled: Bool = false) -> AppliedJob {
        var j = Job(name: name)
        j.command = "false"
        j.schedule = "R/2026-01-01T00:00:00Z/PT1H"
        j.retries = 0
        j.disabled = disabled
        return try! AppliedJob(job: j, source: .api, appliedAt: t0)
    }

    func disabledAfterFailure() throws -> SchedulerCore {
        var options = SchedulerOptions()
        options.disableAfterFailures = 1
        var core = SchedulerCore(options: options)
        _ = core.upsert(posted("a"), now: t0)
        let (id, _) = try core.runNow("a", now: t0 + 1000)
        _ = core.finished(id, outcome: .exited(1), now: t0 + 2000)
        #expect(core.isDisabled("a"))
        return core
    }

    @Test func postingTheSameJobWithDisabledFalseReEnablesIt() throws {
        var core = try disabledAfterFailure()
        _ = core.upsert(posted("a"), now: t0 + 3000)
        #expect(!core.isDisabled("a"))
        #expect(core.state(of: "a")?.errorsSinceLastSuccess == 0)
        #expect(core.entries["a"]?.nextDue == t0 + hour, "re-armed at its next slot")
    }

    @Test func aSpecSyncDoesNotReEnableIt() throws {
        var core = try disabledAfterFailure()
        var j = posted("a").job
        j.command = "false"
        _ = core.upsert(try AppliedJob(job: j, source: .spec(location: "jobs/a.yaml:1:1"), appliedAt: t0), now: t0 + 3000)
        #expect(core.isDisabled("a"), "only a POST says the job's disabled state")
    }

    @Test func postingDisabledTrueDisablesAJobEnabledByHand() throws {
        var core = SchedulerCore()
        _ = core.upsert(posted("a", disabled: true), now: t0)
        _ = try core.setDisabled("a", false, now: t0 + 1)
        #expect(!core.isDisabled("a"))
        _ = core.upsert(posted("a", disabled: true), now: t0 + 2)
        #expect(core.isDisabled("a"))
    }
}
