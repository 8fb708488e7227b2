import Testing
import JobSpec
@testable import ChronosEngine

/// Chronos's DELETE of a parent: children take its parents, or its schedule when it had none.
@Suite struct ReparentTests {
    @Test func childrenOfADependentJobTakeItsParents() {
        var core = SchedulerCore()
        _ = core.apply([hourly("a"), hourly("b"), job("mid") { $0.parents = ["a", "b"] }, job("c") { $0.parents = ["mid", "a"] }], now: t0)
        let children = core.reparentedChildren(of: "mid", now: t0 + 1)
        #expect(children.map(\.job.name) == ["c"])
        #expect(children.first?.job.parents == ["a", "b"])
    }

    @Test func childrenOfAScheduledJobTakeItsSchedule() {
        var core = SchedulerCore()
        _ = core.apply([hourly("a") { $0.scheduleTimeZone = "Europe/Paris" }, hourly("b"), job("c") { $0.parents = ["a", "b"] }], now: t0)
        let child = core.reparentedChildren(of: "a", now: t0 + 1).first?.job
        #expect(child?.parents == nil && child?.schedule == "R/2026-01-01T00:00:00Z/PT1H" && child?.scheduleTimeZone == "Europe/Paris")
        _ = core.applyChanges(upserts: core.reparentedChildren(of: "a", now: t0 + 1), deletes: ["a"], now: t0 + 1)
        #expect(core.jobs["a"] == nil && core.jobs["c"]?.parents == nil)
        #expect(core.entries["c"]?.nextDue == t0 + hour, "the child runs on its new schedule")
    }

    /// A sync rebuilds the children table only when someone's parents changed; each change of parents
    /// shows in it.
    @Test func aSyncThatChangesParentsUpdatesTheChildren() {
        var core = SchedulerCore()
        _ = core.apply([hourly("a"), hourly("b"), job("c") { $0.parents = ["a"] }], now: t0)
        #expect(core.children == ["a": ["c"]])
        _ = core.applyChanges(upserts: [job("c") { $0.parents = ["b"] }], deletes: [], now: t0 + 1)
        #expect(core.children == ["b": ["c"]])
        _ = core.applyChanges(upserts: [job("d") { $0.parents = ["b"] }, hourly("a") { $0.command = "other" }], deletes: [], now: t0 + 2)
        #expect(core.children == ["b": ["c", "d"]])
        _ = core.applyChanges(upserts: [], deletes: ["c"], now: t0 + 3)
        #expect(core.children == ["b": ["d"]])
    }
}
