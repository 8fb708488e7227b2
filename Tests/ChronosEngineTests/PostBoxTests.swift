import Testing
import JobSpec
@testable import ChronosEngine

@Suite struct PostBoxTests {
    @Test func aDrainTakesEverythingInTheOrderItWasPosted() {
        let box = PostBox<Int>()
        #expect(box.post(1), "the first post finds the box empty")
        #expect(!box.post(2))
        #expect(!box.post(3))
        #expect(box.drain() == [1, 2, 3])
        #expect(box.drain() == [])
        #expect(box.post(4), "empty again after a drain")
        #expect(box.drain() == [4])
    }

    @Test func postsFromManyThreadsAreEachTakenOnceAndInOrderPerThread() async {
        let box = PostBox<(thread: Int, index: Int)>()
        let threads = 4, each = 5000
        await withTaskGroup(of: Void.self) { group in
            for t in 0..<threads {
                group.addTask { for i in 0..<each { box.post((t, i)) } }
            }
            // The taker drains while they post.
            group.addTask {
                var taken: [(thread: Int, index: Int)] = []
                while taken.count < threads * each { taken += box.drain() }
                var next = Array(repeating: 0, count: threads)
                for item in taken {
                    #expect(item.index == next[item.thread])
                    next[item.thread] += 1
                }
                #expect(next == Array(repeating: each, count: threads))
            }
        }
        #expect(box.drain().isEmpty)
    }
}

@Suite struct JobTableTests {
    private func entry(_ name: String) -> SchedulerCore.Entry {
        SchedulerCore.Entry(job: Job(name: name), schedule: nil, source: .api, state: JobState(firstApplied: 0))
    }

    @Test func removingARowMovesTheLastIntoItsPlaceAndEveryNameStillFindsItsJob() {
        var table = JobTable()
        for name in ["a", "b", "c", "d"] { table[name] = entry(name) }
        table.removeValue(forKey: "b")
        #expect(table.count == 3)
        #expect(table["b"] == nil)
        for name in ["a", "c", "d"] { #expect(table[name]?.job.name == name) }
        table["d"] = nil
        table.removeValue(forKey: "a")
        #expect(table.count == 1)
        #expect(table["c"]?.job.name == "c")
        #expect(Set(table.names) == ["c"])
    }

    @Test func anUpdateChangesTheRowInPlaceAndSettingAKnownNameReplacesIt() {
        var table = JobTable()
        table["a"] = entry("a")
        table.update("a") { $0.state.successCount = 3 }
        #expect(table["a"]?.state.successCount == 3)
        #expect(table.update("missing") { _ in 1 } == nil)
        var replaced = entry("a")
        replaced.nextDue = 42
        table["a"] = replaced
        #expect(table.count == 1)
        #expect(table["a"]?.nextDue == 42)
        #expect(table["a"]?.state.successCount == 0)
    }
}

@Suite struct HeldOnceTests {
    @Test func anUnchangedJobAppliedAgainIsHeldAsTheCallerHoldsIt() {
        var core = SchedulerCore()
        let first = job("a") { $0.schedule = "R/2026-01-01T00:00:00Z/PT1H" }
        _ = core.apply([first], now: t0)
        // Equal, but another copy (as a job restored from the store and the same job loaded from git).
        var again = first
        again.job.command = "other"
        again.job.command = first.job.command
        #expect(again.job == first.job && !again.job.sharesFields(with: first.job))
        let step = core.apply([again], now: t0 + 1)
        #expect(step.batch.upsertJobs.isEmpty, "nothing changed, nothing is written")
        #expect(core.jobs["a"]!.sharesFields(with: again.job))
    }
}
