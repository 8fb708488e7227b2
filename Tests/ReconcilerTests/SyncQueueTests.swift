import ChronosEngine
import Testing
@testable import Reconciler

/// A sync, a `plan` and a saved plan's apply started together run one after the other, never
/// between each other's steps.
@Suite struct SyncQueueTests {
    @Test func aSyncAPlanAndAnApplyStartedTogetherRunOneAfterTheOther() async throws {
        let h = SyncHarness()
        h.source.commit(["a.yaml": jobA])
        try await h.controller.sync()
        let second = h.source.commit(["a.yaml": jobA, "b.yaml": jobB])
        let (saved, _) = try await h.controller.plan()
        let before = h.effects.all.count
        // The sync's fetch is slow: the plan and the apply arrive while it waits.
        let gate = Gate()
        h.source.holdNextFetch(at: gate)
        async let synced = h.controller.sync()
        // Expectations up to the gate's opening do not throw: a task must not be left waiting at it.
        #expect((try? await eventually("the sync waits in its fetch") { gate.arrived == 1 }) != nil)
        async let planned = h.controller.plan()
        async let applied: Result<SyncStatus, any Error> = { () async -> Result<SyncStatus, any Error> in
            // Queued after the plan.
            try? await eventually("the plan is queued") { await h.controller.queue.waiting == 1 }
            do { return .success(try await h.controller.applySaved(saved)) } catch { return .failure(error) }
        }()
        let queued: Void? = try? await eventually("the plan and the apply are queued") { await h.controller.queue.waiting == 2 }
        #expect(queued != nil)
        #expect(Array(h.effects.all.dropFirst(before)) == ["fetch"], "nothing else ran while the sync waited")
        gate.open()
        let status = try await synced
        let (plan, _) = try await planned
        let apply = await applied
        #expect(Array(h.effects.all.dropFirst(before)) == [
            "fetch", "load", "store jobs +b", "store sync.applied", "store sync.status", "store sync.history",
            "fetch", "load",
            "fetch", "load",
        ])
        #expect(status.appliedRevision == second && status.state == .Synced)
        #expect(plan.changes.isEmpty, "the plan saw the sync's result")
        guard case .failure(let error) = apply else {
            Issue.record("the apply of a plan made before the sync must be refused")
            return
        }
        #expect(error is StalePlan)
    }

    @Test func theQueueRunsOperationsInTheOrderTheyArrive() async throws {
        let queue = SyncQueue()
        let order = EffectLog()
        let gate = Gate()
        async let first: Void = queue.run {
            order.append("first")
            await gate.pass()
        }
        #expect((try? await eventually("the first runs") { gate.arrived == 1 }) != nil)
        async let second: Void = queue.run { order.append("second") }
        #expect((try? await eventually("the second waits") { await queue.waiting == 1 }) != nil)
        async let third: Void = queue.run { order.append("third") }
        #expect((try? await eventually("the third waits") { await queue.waiting == 2 }) != nil)
        #expect(order.all == ["first"])
        gate.open()
        _ = try await (first, second, third)
        #expect(order.all == ["first", "second", "third"])
    }
}
