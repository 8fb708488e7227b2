import Testing
import JobSpec
@testable import ChronosEngine

/// Which notices the scheduler's transitions produce (the notifier only delivers them).
@Suite struct NoticeTests {
    @Test func aFailureWithoutRetriesIsOneFailedNotice() throws {
        var core = SchedulerCore()
        _ = core.apply([job("a") { $0.retries = 0; $0.owner = "ops@example.com" }], now: t0)
        let (id, _) = try core.runNow("a", now: t0)
        let step = core.finished(id, outcome: .exited(2), now: t0 + 5)
        #expect(step.notices.map(\.kind) == [.failed])
        let notice = try #require(step.notices.first)
        #expect(notice.job == "a")
        #expect(notice.owner == "ops@example.com")
        #expect(notice.run?.exitStatus == 2)
        #expect(notice.run?.taskID == id)
        #expect(notice.summary == "job a failed: exited with status 2")
    }

    @Test func retriesThatRunOutAreOneNoticeAtTheEnd() throws {
        var core = SchedulerCore()
        _ = core.apply([job("a") { $0.retries = 2; $0.retryInterval = .parsed("PT1S") }], now: t0)
        var (id, _) = try core.runNow("a", now: t0)
        var now = t0
        var kinds: [[Notice.Kind]] = []
        for _ in 0..<3 {
            now += 10
            kinds.append(core.finished(id, outcome: .exited(1), now: now).notices.map(\.kind))
            now += 1000
            let step = core.advance(now: now)
            if let next = step.launches.first { id = next.run.taskID }
        }
        #expect(kinds == [[], [], [.retriesExhausted]])
        #expect(id.attempt == 2)
    }

    @Test func disablingAfterFailuresAddsItsOwnNotice() throws {
        var options = SchedulerOptions()
        options.disableAfterFailures = 2
        var core = SchedulerCore(options: options)
        _ = core.apply([job("a") { $0.retries = 0 }], now: t0)
        var kinds: [[Notice.Kind]] = []
        for i in 0..<2 {
            let (id, _) = try core.runNow("a", now: t0 + Int64(i) * 1000)
            kinds.append(core.finished(id, outcome: .exited(1), now: t0 + Int64(i) * 1000 + 1).notices.map(\.kind))
        }
        #expect(kinds == [[.failed], [.failed, .disabled]])
    }

    @Test func successIsToldOnlyWhenTheJobAsks() throws {
        var core = SchedulerCore()
        _ = core.apply([job("quiet"), job("loud") { $0.notifyOnSuccess = true }], now: t0)
        let (quiet, _) = try core.runNow("quiet", now: t0)
        let (loud, _) = try core.runNow("loud", now: t0)
        let quietNotices = core.finished(quiet, outcome: .exited(0), now: t0 + 1).notices
        let loudNotices = core.finished(loud, outcome: .exited(0), now: t0 + 1).notices
        #expect(quietNotices.isEmpty)
        #expect(loudNotices.map(\.kind) == [.succeeded])
    }

    @Test func aKilledRunIsNotNotified() throws {
        var core = SchedulerCore()
        _ = core.apply([job("a") { $0.retries = 0 }], now: t0)
        let (id, _) = try core.runNow("a", now: t0)
        let notices = core.finished(id, outcome: .killed("by a user"), now: t0 + 1).notices
        #expect(notices.isEmpty)
    }
}
