import Testing
import JobSpec
@testable import ChronosEngine

/// The scheduler actor's store writes: nothing launched before it is stored, and batches applied in
/// the order of the steps even while one is retried. The store fails on demand; the retry backoff
/// runs on the manual clock, so nothing here sleeps.
@Suite(.timeLimit(.minutes(1))) struct SchedulerStoreOrderTests {
    @Test func aRunIsLaunchedOnlyOnceItsBatchIsStoredEvenWhenTheWriteIsRetried() async throws {
        let h = SchedulerHarness()
        try await h.running {
            try await h.scheduler.restore()
            h.store.failNextWrites(2)
            async let applied: Void = h.scheduler.apply([job("now") { $0.schedule = "" }])
            // The first attempt failed: the retry waits 100 ms on the clock, and nothing is launched.
            await h.clock.waitForSleeper(until: t0 + 100)
            #expect(h.launcher.launches.isEmpty)
            h.clock.advance(to: t0 + 100)
            await h.clock.waitForSleeper(until: t0 + 300)
            #expect(h.launcher.launches.isEmpty, "still not stored after the second failure")
            #expect(h.store.applied.isEmpty)
            h.clock.advance(to: t0 + 300)
            try await applied
            let launches = await h.launcher.waitForLaunches(1)
            #expect(launches.map(\.run.taskID) == [task("now", due: t0)])
            #expect(launches.map(\.stored?.state) == [.running], "the launcher got a run the store already held as running")
            #expect(h.store.attempts - h.store.applied.count == 2, "two failed attempts, then every write applied")
            // Its start and its end are stored after it.
            h.launcher.end(task("now", due: t0), .exited(0))
            let ended = await h.stored(task("now", due: t0), .succeeded)
            #expect(ended?.host == "test-host")
            #expect(ended?.endedAt == t0 + 300)
        }
    }

    @Test func aBatchRetriedAfterFailuresIsStoredBeforeTheBatchesQueuedBehindIt() async throws {
        let h = SchedulerHarness()
        try await h.scheduler.restore()
        let steps = await h.scheduler.version
        h.store.failNextWrites(2)
        async let first: Void = h.scheduler.upsert(job("a") { $0.schedule = "R/2030-01-01T00:00:00Z/P1D" })
        await h.clock.waitForSleeper(until: t0 + 100)
        // Two later steps, made in turn while the first batch waits for its retry.
        async let second: Void = h.scheduler.upsert(job("b") { $0.schedule = "R/2030-01-01T00:00:00Z/P1D" })
        await eventually { await h.scheduler.version == steps + 2 }
        async let third: Void = h.scheduler.setDisabled("a", true)
        await eventually { await h.scheduler.version == steps + 3 }
        #expect(h.scheduler.writer.waiting == 2, "both wait behind the failing batch")
        #expect(h.store.attempts == 1)
        h.clock.advance(to: t0 + 100)
        await h.clock.waitForSleeper(until: t0 + 300)
        #expect(h.store.applied.isEmpty, "a batch behind the failing one must not overtake it")
        #expect(h.store.attempts == 2)
        h.clock.advance(to: t0 + 300)
        try await first
        try await second
        try await third
        let order = h.store.applied.map { batch in batch.upsertJobs.map(\.job.name) + batch.states.keys.sorted().map { "state:\($0)" } }
        #expect(order == [["a", "state:a"], ["b", "state:b"], ["state:a"]])
        #expect(h.store.contents.value.states["a"]?.disabledOverride == true, "the last write wins, as it was made last")
        #expect(h.store.attempts == 5)
    }

    @Test func writesAfterAnAbandonedBatchFailAndTheStoreKeepsAPrefix() async throws {
        let clock = ManualClock(now: t0)
        let store = MemoryStateStore()
        let writer = OrderedStoreWriter(store: store, clock: clock, logger: .quiet)
        store.failNextWrites(1)
        let (a, b) = (stateBatch("a"), stateBatch("b"))
        let retrying = Task { try await writer.write(a) }
        await clock.waitForSleeper(until: t0 + 100)
        let waiting = Task { try await writer.write(b) }
        await eventually { writer.waiting == 1 }
        // Shutdown cancels the task that retries: its batch and the one behind it are dropped.
        retrying.cancel()
        await #expect(throws: StoreWriterStopped.self) { try await retrying.value }
        await #expect(throws: StoreWriterStopped.self) { try await waiting.value }
        await #expect(throws: StoreWriterStopped.self) { try await writer.write(b) }
        #expect(store.applied.isEmpty)
        #expect(store.attempts == 1)
    }
}

/// A batch that writes one job's state.
func stateBatch(_ name: String) -> StoreBatch {
    var batch = StoreBatch()
    batch.states = [name: JobState(firstApplied: t0)]
    return batch
}
