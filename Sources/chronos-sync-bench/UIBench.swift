import ChronosEngine
import Foundation

/// Writes `runs` finished runs for each job of the state in `data` (a server that has applied its jobs and
/// stopped), through the state store itself: the web UI benchmark's history, without running a million
/// processes first. Nine in ten succeed; the rest fail, are killed or are lost.
func seedRuns(data: String, runs: Int) async throws {
    let store = try SQLiteStateStore(path: data + "/state.sqlite", historyLimit: runs)
    let jobs = try await store.load().jobs.map(\.job.name)
    let start = Int64(Date().timeIntervalSince1970 * 1000) - Int64(runs) * 3_600_000
    let endings: [RunState] = [.succeeded, .succeeded, .succeeded, .succeeded, .succeeded, .succeeded, .succeeded, .succeeded, .succeeded, .failed, .killed, .lost]
    var batch = StoreBatch()
    var written = 0
    for (j, job) in jobs.enumerated() {
        for r in 0..<runs {
            let due = start + Int64(r) * 3_600_000
            var run = RunRecord(taskID: TaskID(due: due, attempt: 0, job: job), state: endings[(j + r * 7) % endings.count],
                                trigger: .schedule, readyAt: due, queuedAt: due)
            run.startedAt = due + 5
            run.endedAt = due + 5 + Int64((j * 31 + r * 17) % 60_000)
            run.exitStatus = run.state == .succeeded ? 0 : 1
            batch.runs.append(run)
        }
        if batch.runs.count >= 20_000 {
            try await store.write(batch)
            written += batch.runs.count
            batch = StoreBatch()
        }
    }
    try await store.write(batch)
    written += batch.runs.count
    print("seed-runs: \(written) runs for \(jobs.count) jobs")
}
