import ChronosEngine
import Logging
import Testing
@testable import Reconciler

/// The loop on a test clock: no sleeping, the clock moves when the test says.
@Suite struct SyncLoopTests {
    static let start: Int64 = 1_900_000_000_000

    @Test func theDeadlineIsTheIntervalPlusAtMostTheJitter() {
        let fresh = SyncSchedule(interval: 60_000, jitter: 0.1)
        var low = fresh, high = fresh
        #expect(low.synced(at: 0, random: 0) == 60_000)
        #expect(high.synced(at: 0, random: 1) == 66_000)
        var schedule = fresh
        #expect(schedule.synced(at: 1_000, random: 0.5) == 64_000)
        #expect(schedule.accepts(.interval(64_000)) && !schedule.accepts(.interval(66_000)), "only the last deadline counts")
        #expect(schedule.synced(at: 1_000, random: 0) == 64_001, "a new deadline is always later than the last")
    }

    @Test func requestsMadeDuringASyncFoldIntoOneMore() {
        var schedule = SyncSchedule(interval: 60_000)
        let before = schedule.request()
        schedule.starting()
        #expect(!schedule.accepts(before), "the sync that starts answers it")
        let during = [schedule.request(), schedule.request(), schedule.request()]
        #expect(during.allSatisfy { schedule.accepts($0) })
        schedule.starting()
        #expect(!during.contains { schedule.accepts($0) }, "one sync answers them all")
    }

    @Test func syncsAtStartThenOncePerIntervalWithJitter() async throws {
        let clock = TestClock(now: Self.start)
        let h = SyncHarness(clock: clock)
        h.source.commit(["a.yaml": jobA])
        let loop = SyncLoop(controller: h.controller, interval: .seconds(60), jitter: 0.1, clock: clock, random: { 0.5 })
        var sleeps = clock.sleeps.makeAsyncIterator()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await loop.run() }
            #expect(await sleeps.next() == Self.start + 63_000, "the interval plus half of the 10 % jitter")
            #expect(await h.controller.recentHistory().count == 1)
            clock.advance(to: Self.start + 62_999)
            #expect(clock.sleeping == 1, "not due yet")
            clock.advance(to: Self.start + 63_000)
            #expect(await sleeps.next() == Self.start + 126_000)
            #expect(await h.controller.recentHistory().count == 2)
            group.cancelAll()
            try await group.waitForAll()
        }
    }

    @Test func aTriggerSyncsAtOnceAndTheIntervalStartsAgainFromIt() async throws {
        let clock = TestClock(now: Self.start)
        let h = SyncHarness(clock: clock)
        h.source.commit(["a.yaml": jobA])
        let loop = SyncLoop(controller: h.controller, interval: .seconds(60), jitter: 0, clock: clock)
        var sleeps = clock.sleeps.makeAsyncIterator()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await loop.run() }
            #expect(await sleeps.next() == Self.start + 60_000)
            clock.advance(to: Self.start + 10_000)
            let pushed = h.source.commit(["a.yaml": jobA, "b.yaml": jobB])
            loop.request()
            try await eventually("the triggered sync") { await h.controller.recentHistory().count == 2 }
            #expect(await h.controller.recentHistory().first?.revision == pushed)
            // The timer set before the trigger goes off, but it no longer counts: the next sync is due
            // an interval after the triggered one.
            clock.advance(to: Self.start + 60_000)
            #expect(await sleeps.next() == Self.start + 70_000)
            #expect(await h.controller.recentHistory().count == 2)
            clock.advance(to: Self.start + 70_000)
            #expect(await sleeps.next() == Self.start + 130_000)
            #expect(await h.controller.recentHistory().count == 3)
            group.cancelAll()
            try await group.waitForAll()
        }
    }

    @Test func requestsAndTheTimerDuringASlowSyncGiveOneMoreSync() async throws {
        let clock = TestClock(now: Self.start)
        let h = SyncHarness(clock: clock)
        h.source.commit(["a.yaml": jobA])
        let loop = SyncLoop(controller: h.controller, interval: .seconds(60), jitter: 0, clock: clock)
        var sleeps = clock.sleeps.makeAsyncIterator()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await loop.run() }
            #expect(await sleeps.next() == Self.start + 60_000)
            let gate = Gate()
            h.source.holdNextFetch(at: gate)
            loop.request()
            let waiting: Void? = try? await eventually("the second sync waits in its fetch") { gate.arrived == 1 }
            #expect(waiting != nil)
            // Pushes and webhooks while it waits, and the interval comes round too.
            let pushed = h.source.commit(["a.yaml": jobA, "b.yaml": jobB])
            loop.request()
            loop.request()
            loop.request()
            clock.advance(to: Self.start + 60_000)
            gate.open()
            try await eventually("the sync the requests asked for") { await h.controller.recentHistory().count == 3 }
            #expect(await h.controller.recentHistory().first?.revision == pushed)
            #expect(await sleeps.next() == Self.start + 120_000)
            clock.advance(to: Self.start + 120_000)
            #expect(await sleeps.next() == Self.start + 120_001, "the third sync set a later deadline")
            clock.advance(to: Self.start + 120_001)
            #expect(await sleeps.next() == Self.start + 180_001)
            #expect(await h.controller.recentHistory().count == 4, "one sync for the requests, none for a timer that no longer counts")
            group.cancelAll()
            try await group.waitForAll()
        }
    }

    @Test func anErrorThatStopsTheLoopIsLoggedAndThrown() async throws {
        let clock = TestClock(now: Self.start)
        let h = SyncHarness(clock: clock)
        h.store.failing = true
        let logs = LogRecord()
        let loop = SyncLoop(controller: h.controller, interval: .seconds(60), clock: clock, logger: logs.logger())
        await #expect(throws: MemoryStateStore.Failure.self) { try await loop.run() }
        #expect(logs.messages(at: .error).first?.contains("the sync loop stopped: disk I/O error") == true, "\(logs.messages(at: .error))")
    }
}
