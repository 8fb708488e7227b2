import Testing
import JobSpec
@testable import ChronosEngine

/// A launcher that takes runs due together in one call (as the Mesos launcher does) gets each step's
/// launches as one batch, after they are stored, with one question to the launch gate for the batch.
@Suite(.timeLimit(.minutes(1))) struct BatchLaunchTests {
    struct Harness {
        let clock = ManualClock(now: t0)
        let store = MemoryStateStore(StoredState())
        let launcher: TestBatchLauncher
        let gate = TestLaunchGate()
        let scheduler: Scheduler

        init() {
            launcher = TestBatchLauncher(store: store)
            scheduler = Scheduler(store: store, launcher: launcher, clock: clock, logger: .quiet, launchGate: gate)
        }

        func running(_ body: () async throws -> Void) async throws {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await scheduler.run() }
                try await body()
                group.cancelAll()
            }
        }
    }

    @Test func runsDueTogetherAreHandedOverInOneCallOnceStoredAndTheirEndsComeBack() async throws {
        let h = Harness()
        try await h.running {
            try await h.scheduler.apply(["a", "b", "c"].map { name in job(name) { $0.schedule = "R1/2026-01-01T00:00:10Z/PT1H" } })
            await h.clock.waitForSleeper(until: t0 + 9_500)
            h.clock.advance(to: t0 + 10_000)
            let batches = await h.launcher.waitForRuns(3)
            #expect(batches.map { $0.map(\.run.taskID.job).sorted() } == [["a", "b", "c"]], "one call for the three")
            #expect(batches[0].allSatisfy { $0.stored?.state == .running && $0.stored?.startedAt == t0 + 10_000 }, "stored before handed over")
            #expect(h.gate.asked.value == 1)
            for name in ["a", "b", "c"] { h.launcher.end(task(name, due: t0 + 10_000), .exited(name == "b" ? 2 : 0)) }
            #expect(await h.storedState(task("a", due: t0 + 10_000), .succeeded)?.host == "batch-host")
            #expect(await h.storedState(task("b", due: t0 + 10_000), .failed)?.exitStatus == 2)
            #expect(await h.storedState(task("c", due: t0 + 10_000), .succeeded) != nil)
        }
    }

    /// 1,000 runs ready at one time: started ahead, stored, then handed over whole at their time.
    @Test func aLargeBatchStartedAheadIsHandedOverWholeAtItsTime() async throws {
        let h = Harness()
        let count = Scheduler.batchAhead
        try await h.running {
            try await h.scheduler.apply(batchDueAt10s(count))
            await h.clock.passStartAhead(of: count, readyAt: t0 + 10_000)
            #expect(h.launcher.batches.isEmpty, "not before its time")
            h.clock.advance(to: t0 + 10_000)
            let batches = await h.launcher.waitForRuns(count)
            #expect(batches.count == 1)
            #expect(Set(batches[0].map(\.run.taskID.job)).count == count)
            #expect(batches[0].allSatisfy { $0.stored?.state == .running && $0.stored?.startedAt == t0 + 10_000 })
            h.launcher.end(task("b7", due: t0 + 10_000), .exited(0))
            #expect(await h.storedState(task("b7", due: t0 + 10_000), .succeeded) != nil)
        }
    }

    @Test func anInstanceThatNoLongerLeadsHandsOverNothing() async throws {
        let h = Harness()
        h.gate.leads.update { $0 = false }
        try await h.running {
            try await h.scheduler.apply(["a", "b"].map { name in job(name) { $0.schedule = "R1/2026-01-01T00:00:10Z/PT1H" } })
            await h.clock.waitForSleeper(until: t0 + 9_500)
            h.clock.advance(to: t0 + 10_000)
            await h.asked(1)
            for _ in 0..<100 { await Task.yield() }
            #expect(h.launcher.batches.isEmpty)
            #expect(h.gate.asked.value == 1, "one question for the batch")
        }
    }
}

extension BatchLaunchTests.Harness {
    @discardableResult
    func storedState(_ id: TaskID, _ state: RunState) async -> RunRecord? {
        await store.contents.wait { $0.runs[id]?.state == state }.runs[id]
    }

    func asked(_ count: Int) async {
        await gate.asked.wait { $0 >= count }
    }
}
