import ChronosEngine
import Foundation
import JobSpec
import Testing
@testable import ZooKeeperStore

/// The ZooKeeper state store against a real ZooKeeper: what a batch writes loads back, the fence stops a
/// replaced leader, and no node grows past ZooKeeper's limit.
@Suite(.serialized, .timeLimit(.minutes(2))) final class ZooKeeperStateStoreTests {
    let server: ZooKeeperServer

    init() throws { server = try ZooKeeperServer() }
    deinit { server.stop() }

    func connect() async throws -> ZooKeeperClient {
        let client = try ZooKeeperClient(hosts: server.hosts, sessionTimeout: .seconds(10))
        try await client.waitUntilConnected(timeout: .seconds(20))
        return client
    }

    /// A store behind a fence won the way the elector wins: a conditional bump of the epoch node.
    func leaderStore(_ client: ZooKeeperClient, _ layout: ZNodeLayout, historyLimit: Int = 100) async throws -> ZooKeeperStateStore {
        try await ZooKeeperStateStore.prepare(client, layout: layout)
        let (bytes, stat) = try await client.get(layout.epoch)
        let epoch = (LeaderElector.epochRecord(bytes)?.epoch ?? 0) + 1
        let written = try await client.set(layout.epoch, data: Array(try JSONEncoder().encode(ElectionCore.EpochRecord(epoch: epoch))), version: stat.version)
        return ZooKeeperStateStore(client: client, layout: layout, fence: Fence(epoch: epoch, version: written.version), historyLimit: historyLimit)
    }

    func job(_ name: String, parents: [String] = []) throws -> AppliedJob {
        var job = Job()
        job.name = name
        job.command = "true"
        if parents.isEmpty { job.schedule = "R/2026-01-01T00:00:00Z/PT1M" } else { job.parents = parents }
        return try AppliedJob(job: job, source: .api, appliedAt: 1)
    }

    func run(_ job: String, due: Int64, _ state: RunState, attempt: Int = 0) -> RunRecord {
        var run = RunRecord(taskID: TaskID(due: due, attempt: attempt, job: job), state: state, trigger: .schedule, readyAt: due, queuedAt: due)
        if state.isFinal { run.endedAt = due + 5 }
        return run
    }

    @Test func aBatchLoadsBackWithRuntimeStateDependencyProgressAndRuns() async throws {
        let client = try await connect()
        let layout = ZNodeLayout(root: "/t1/chronos")
        let store = try await leaderStore(client, layout, historyLimit: 3)
        var batch = StoreBatch()
        batch.upsertJobs = [try job("a"), try job("b"), try job("odd name/with%"), try job("child", parents: ["a", "b"])]
        var progress = JobState(firstApplied: 1)
        progress.completedParents = ["a"]
        progress.lastScheduledDue = 60_000
        batch.states = ["child": progress, "a": JobState(firstApplied: 1)]
        batch.runs = (1...5).map { run("a", due: Int64($0) * 60_000, .succeeded) } + [run("b", due: 300_000, .queued), run("odd name/with%", due: 1, .running)]
        try await store.write(batch)
        var start = StoreBatch()
        start.startedRuns = [(TaskID(due: 300_000, attempt: 0, job: "b"), 300_010)]
        try await store.write(start)

        // A new leader's view: another session, another store.
        let next = try await leaderStore(try await connect(), layout, historyLimit: 3)
        let loaded = try await next.load()
        #expect(loaded.jobs.map(\.job.name) == ["a", "b", "child", "odd name/with%"])
        #expect(loaded.jobs.first { $0.job.name == "child" }?.job.parents == ["a", "b"])
        #expect(loaded.states["child"]?.completedParents == ["a"])
        #expect(loaded.states["child"]?.lastScheduledDue == 60_000)
        // The scheduler writes no state with a scheduled run: the run moves its job's last slot forward.
        #expect(loaded.states["a"]?.lastScheduledDue == 300_000)
        #expect(Set(loaded.activeRuns.map(\.taskID.description)) == ["ct:300000:0:b", "ct:1:0:odd name/with%"])
        #expect(loaded.activeRuns.first { $0.job == "b" }?.state == .running)
        #expect(loaded.activeRuns.first { $0.job == "b" }?.startedAt == 300_010)
        // Runs carry the epoch of the leader that stored them.
        #expect(loaded.activeRuns.allSatisfy { $0.epoch == store.fence?.epoch })
        // History: newest first, cut to the limit.
        let history = try await next.runs(of: "a", limit: 10)
        #expect(history.map(\.taskID.due) == [300_000, 240_000, 180_000])
        #expect(try await next.run(TaskID(due: 240_000, attempt: 0, job: "a"))?.state == .succeeded)

        // A run that ends leaves the runs in flight for the history.
        var end = StoreBatch()
        var finished = run("b", due: 300_000, .failed)
        finished.exitStatus = 1
        end.runs = [finished]
        end.runs.append(run("a", due: 360_000, .queued))
        end.deleteJobs = ["odd name/with%"]
        try await next.write(end)
        let after = try await next.load()
        #expect(after.states["a"]?.lastScheduledDue == 360_000)
        #expect(after.activeRuns.map(\.job).sorted() == ["a", "odd name/with%"])
        #expect(after.jobs.map(\.job.name) == ["a", "b", "child"])
        #expect(try await next.runs(of: "b", limit: 5).map(\.exitStatus) == [1])
        // The web UI's run strips, read together: runs in flight first, then the newest finished.
        let strips = try await next.recentRunStates(of: ["a", "b", "nope"], limit: 3)
        #expect(strips == ["a": [.queued, .succeeded, .succeeded], "b": [.failed], "nope": []])
    }

    @Test func aRunsArgumentTextAndProgressSurviveALeaderChangeAndItsEnd() async throws {
        let layout = ZNodeLayout(root: "/t-progress/chronos")
        let store = try await leaderStore(try await connect(), layout)
        var batch = StoreBatch()
        batch.upsertJobs = [try job("data")]
        var running = run("data", due: 60_000, .running)
        running.argumentText = #"--day "2026-01-01""#
        running.elementsProcessed = 100
        batch.runs = [running]
        try await store.write(batch)
        running.elementsProcessed = 250
        var progress = StoreBatch()
        progress.runs = [running]
        try await store.write(progress)

        let next = try await leaderStore(try await connect(), layout)
        let loaded = try #require(try await next.load().activeRuns.first)
        #expect(loaded.argumentText == #"--day "2026-01-01""#)
        #expect(loaded.elementsProcessed == 250)
        var end = StoreBatch()
        end.runs = [loaded]
        end.runs[0].state = .succeeded
        end.runs[0].endedAt = 61_000
        try await next.write(end)
        let history = try await next.runs(of: "data", limit: 5)
        #expect(history.map(\.elementsProcessed) == [250])
        #expect(history.map(\.argumentText) == [#"--day "2026-01-01""#])
    }

    @Test func aReplacedLeaderCanWriteNothingAndLaunchesNothing() async throws {
        let layout = ZNodeLayout(root: "/t2")
        let old = try await leaderStore(try await connect(), layout)
        var first = StoreBatch()
        first.upsertJobs = [try job("a")]
        try await old.write(first)
        #expect(await old.mayLaunch())
        // Another instance wins: it bumps the epoch.
        let new = try await leaderStore(try await connect(), layout)
        var late = StoreBatch()
        late.runs = [run("a", due: 60_000, .queued)]
        await #expect { try await old.write(late) } throws: { $0 is LeadershipLost }
        await #expect { try await old.setValue("x", for: "sync.status") } throws: { $0 is LeadershipLost }
        #expect(await !old.mayLaunch())
        #expect(try await new.load().activeRuns.isEmpty)
        #expect(try await new.value(for: "sync.status") == nil)
        try await new.write(late)
        #expect(try await new.load().activeRuns.count == 1)
    }

    @Test func aBatchLargerThanOneRequestIsWrittenInPiecesAndNoNodeNearsOneMegabyte() async throws {
        let client = try await connect()
        let layout = ZNodeLayout(root: "/t3")
        let store = try await leaderStore(client, layout, historyLimit: 1000)
        var batch = StoreBatch()
        batch.upsertJobs = try (0..<500).map { try job("job-\($0)") }
        // 2,500 runs with 1 KB of arguments each: about 3 MB, three times what one request may carry.
        let arguments = [String(repeating: "x", count: 1000)]
        batch.runs = (0..<2500).map { index in
            var r = run("job-\(index % 500)", due: Int64(index), index % 2 == 0 ? .queued : .succeeded)
            r.arguments = arguments
            return r
        }
        try await store.write(batch)
        let loaded = try await store.load()
        #expect(loaded.jobs.count == 500)
        #expect(loaded.activeRuns.count == 1250)
        #expect(try await store.runs(of: "job-1", limit: 100).count == 5)
        // One job's history past 1 MB is trimmed, oldest first, under ZooKeeper's limit.
        var big = StoreBatch()
        big.runs = (0..<1000).map { index in
            var r = run("job-0", due: 10_000 + Int64(index), .succeeded)
            r.arguments = [String(repeating: "y", count: 2000)]
            return r
        }
        try await store.write(big)
        let kept = try await store.runs(of: "job-0", limit: 1000)
        #expect(kept.count == 1000)
        #expect(kept.first?.taskID.due == 10_999)
        // Pages of ten runs: a run that ends rewrites a few KB, and the biggest node is far under 1 MB.
        let pages = try await client.children(layout.history("job-0"))
        #expect(pages.count == 100)  // 1,005 runs
        for page in pages.prefix(5) {
            #expect(try await client.get(layout.history("job-0") + "/" + page).data.count < 100_000)
        }
        // Eleven more runs: a page is begun, then another, and the oldest dropped.
        var more = StoreBatch()
        more.runs = (0..<11).map { run("job-0", due: 20_000 + Int64($0), .succeeded) }
        try await store.write(more)
        #expect(try await client.children(layout.history("job-0")).count == HistoryIndex.pagesKept(limit: 1000))
        #expect(try await store.runs(of: "job-0", limit: 1).map(\.taskID.due) == [20_010])
        #expect(try await store.runs(of: "job-0", limit: 2000).count == 1000 + 5)  // the limit, and the 5 in flight
    }

    @Test func valuesAreStoredAndListed() async throws {
        let store = try await leaderStore(try await connect(), ZNodeLayout(root: "/t4"))
        try await store.setValue("{\"revision\":\"abc\"}", for: "sync.status")
        try await store.setValue("fw-1", for: "mesos.framework_id")
        try await store.setValue("fw-2", for: "mesos.framework_id")
        try await store.setValue(nil, for: "missing")
        #expect(try await store.values() == ["sync.status": "{\"revision\":\"abc\"}", "mesos.framework_id": "fw-2"])
        try await store.setValue(nil, for: "sync.status")
        #expect(try await store.value(for: "sync.status") == nil)
    }
}
