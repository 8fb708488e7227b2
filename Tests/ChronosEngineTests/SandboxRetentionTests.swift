import Foundation
import JobSpec
import Testing
@testable import ChronosEngine

@Suite struct SandboxRetentionTests {
    @Test func historyKeepsExactlyTheFoldersOfHeldRuns() {
        let folders = [("a", Int64(0)), ("b", 10), ("c", 20)]
        #expect(SandboxRetention.history.expired(folders, held: ["b"], now: 100) == ["a", "c"])
        #expect(SandboxRetention.forever.expired(folders, held: [], now: 100) == [])
        // By age: old folders go unless their run is still held.
        #expect(SandboxRetention.age(milliseconds: 50).expired(folders, held: ["a"], now: 100) == ["b", "c"])
        #expect(SandboxRetention.age(milliseconds: 85).expired(folders, held: [], now: 100) == ["a", "b"])
    }

    @Test func aSweepDeletesTheSandboxesOfRunsThatLeftTheHistory() async throws {
        let data = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let store = try SQLiteStateStore(path: data + "/state.sqlite", historyLimit: 2)
        // Four finished runs of `tick` and one running; the store's history of two holds the running one
        // and the newest finished one.
        var batch = StoreBatch()
        batch.upsertJobs = [try AppliedJob(job: Job(name: "tick"), source: .api, appliedAt: t0)]
        var ids: [TaskID] = []
        for k in 0..<5 {
            let id = TaskID(due: t0 + Int64(k) * 1000, attempt: 0, job: "tick")
            var run = RunRecord(taskID: id, state: k == 4 ? .running : .succeeded, trigger: .schedule, readyAt: id.due, queuedAt: id.due)
            if k < 4 { run.endedAt = id.due + 10 }
            batch.runs.append(run)
            ids.append(id)
        }
        try await store.write(batch)
        for id in ids {
            let folder = data + "/sandboxes/tick/" + SandboxRetention.folderName(of: id)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try Data(repeating: 65, count: 100).write(to: URL(fileURLWithPath: folder + "/stdout"))
        }
        // A job that is gone: its sandboxes go, and its folder with them.
        try FileManager.default.createDirectory(atPath: data + "/sandboxes/gone/ct_1_0_gone", withIntermediateDirectories: true)

        let janitor = SandboxJanitor(dataDirectory: data, store: store, retention: .history, historyLimit: 2)
        let sweep = try await janitor.sweep()
        let left = try FileManager.default.contentsOfDirectory(atPath: data + "/sandboxes/tick").sorted()
        let held = try await store.runs(of: "tick", limit: 100).map { SandboxRetention.folderName(of: $0.taskID) }.sorted()
        #expect(held == ids[3...].map(SandboxRetention.folderName).sorted())
        #expect(left == held, "exactly the sandboxes of the runs in history")
        #expect(sweep == SandboxSweep(deleted: 4, kept: 2, keptBytes: 200))
        #expect(!FileManager.default.fileExists(atPath: data + "/sandboxes/gone"))
    }
}
