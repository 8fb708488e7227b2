import ChronosEngine
import Foundation
import JobSpec
import ZooKeeperStore

/// The scheduler's writes, as it makes them (a batch at a time, each waiting for the one before), to the
/// ZooKeeper store at `hosts` and to the SQLite store in the same run: per batch, 10 runs are queued, the 10
/// queued in the batch before start, and the 10 started before that end (into the history).
func storeWrites(hosts: String, batches: Int) async throws {
    let folder = NSTemporaryDirectory() + "chronos-store-bench-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let sqlite = try SQLiteStateStore(path: folder + "/state.sqlite")
    let client = try ZooKeeperClient(hosts: hosts, sessionTimeout: .seconds(10))
    try await client.waitUntilConnected(timeout: .seconds(20))
    let layout = ZNodeLayout(root: "/bench-" + UUID().uuidString.prefix(8))
    try await ZooKeeperStateStore.prepare(client, layout: layout)
    let (_, stat) = try await client.get(layout.epoch)
    let won = try await client.set(layout.epoch, data: Array("{\"epoch\":1}".utf8), version: stat.version)
    let zookeeper = ZooKeeperStateStore(client: client, layout: layout, fence: Fence(epoch: 1, version: won.version))
    for (name, store) in [("sqlite", sqlite as any StateStore), ("zookeeper", zookeeper as any StateStore)] {
        let (perBatch, seconds) = try await writeBatches(store, batches: batches)
        let runs = Double(batches * 10)
        print(String(format: "store-writes %@: %d batches (30 run changes each) in %.2f s: %.0f runs/s, batch p50 %.2f ms, p99 %.2f ms",
                     name, batches, seconds, runs / seconds, percentile(perBatch, 0.5), percentile(perBatch, 0.99)))
    }
}

private func writeBatches(_ store: any StateStore, batches: Int) async throws -> ([Double], Double) {
    var setup = StoreBatch()
    setup.upsertJobs = try (0..<100).map { index in
        var job = Job()
        job.name = "job-\(index)"
        job.command = "true"
        job.schedule = "R/2026-01-01T00:00:00Z/PT1M"
        return try AppliedJob(job: job, source: .api, appliedAt: 0)
    }
    try await store.write(setup)
    var queued: [RunRecord] = []
    var running: [RunRecord] = []
    var latencies: [Double] = []
    let clock = ContinuousClock()
    let start = clock.now
    for index in 0..<batches {
        var batch = StoreBatch()
        let now = Int64(index) * 1000
        let fresh = (0..<10).map { slot in
            RunRecord(taskID: TaskID(due: now, attempt: 0, job: "job-\((index * 10 + slot) % 100)"), state: .queued, trigger: .schedule, readyAt: now, queuedAt: now)
        }
        batch.runs += fresh
        batch.startedRuns = queued.map { ($0.taskID, now) }
        batch.runs += running.map { run in
            var ended = run
            ended.state = .succeeded
            ended.endedAt = now
            ended.exitStatus = 0
            return ended
        }
        running = queued.map { run in
            var started = run
            started.state = .running
            started.startedAt = now
            return started
        }
        queued = fresh
        let before = clock.now
        try await store.write(batch)
        latencies.append(Double((clock.now - before) / .microseconds(1)) / 1000)
    }
    return (latencies, Double((clock.now - start) / .milliseconds(1)) / 1000)
}
