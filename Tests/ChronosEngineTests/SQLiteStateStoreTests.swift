import Foundation
import Testing
import JobSpec
@testable import ChronosEngine

func temporaryFolder() throws -> String {
    let path = NSTemporaryDirectory() + "chronos-engine-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Suite struct SQLiteStateStoreTests {
    /// A state is stored without the encoder; it must read back through `Codable` as it was.
    @Test func jobStatesAreStoredAsTheirCodableReadsThem() throws {
        var full = JobState(firstApplied: 1)
        full.lastScheduledDue = -2
        full.onceDone = true
        full.successCount = 3
        full.errorCount = 4
        full.errorsSinceLastSuccess = 5
        full.lastSuccess = 6
        full.lastError = Int64.max
        full.disabledOverride = false
        full.completedParents = ["a", "b \"c\" \\ é"]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for state in [JobState(firstApplied: 0), full] {
            #expect(try JSONDecoder().decode(JobState.self, from: Data(state.storedJSON.utf8)) == state)
            #expect(state.storedJSON == String(decoding: try encoder.encode(state), as: UTF8.self))
        }
    }

    @Test func whatIsWrittenIsLoadedBackAfterReopening() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var spec = Job(name: "etl")
        spec.command = "echo hi"
        spec.schedule = "R/2026-01-01T02:00:00/P1D"
        spec.scheduleTimeZone = "America/New_York"
        spec.environmentVariables = [EnvironmentVariable(name: "A", value: "1")]
        spec.constraints = [Constraint(attribute: "rack", op: .LIKE, value: "r.*")]
        var state = JobState(firstApplied: t0)
        state.completedParents = ["x"]
        state.successCount = 3
        var batch = StoreBatch()
        batch.upsertJobs = [try AppliedJob(job: spec, source: .spec(location: "jobs/etl.yaml:1:1"), appliedAt: t0)]
        batch.states = ["etl": state]
        var queued = RunRecord(taskID: TaskID(due: t0, attempt: 1, job: "etl"), state: .queued, trigger: .retry, readyAt: t0 + 5, queuedAt: t0)
        // A retry of a Chronos `?arguments=` run launches the same text, after a restart too.
        queued.argumentText = #"--x "a b" $HOME"#
        var done = RunRecord(taskID: TaskID(due: t0 - 1000, attempt: 0, job: "etl"), state: .succeeded, trigger: .schedule, readyAt: t0 - 1000, queuedAt: t0 - 1000)
        done.exitStatus = 0
        done.arguments = ["--x"]
        done.elementsProcessed = 42
        batch.runs = [queued, done]
        do {
            let store = try SQLiteStateStore(path: folder + "/state.sqlite")
            try await store.write(batch)
            try await store.setValue("framework-1", for: "mesos.framework")
        }
        let store = try SQLiteStateStore(path: folder + "/state.sqlite")
        let loaded = try await store.load()
        #expect(loaded.jobs.map(\.job) == [spec])
        #expect(loaded.jobs.first?.schedule == (try spec.parsedSchedule()), "the schedule is resolved as the spec loads")
        #expect(loaded.jobs.first?.source == .spec(location: "jobs/etl.yaml:1:1"))
        var expected = state
        expected.lastScheduledDue = done.taskID.due  // the last schedule slot is read back from the runs
        #expect(loaded.states["etl"] == expected)
        #expect(loaded.activeRuns == [queued], "only queued and running runs are in flight")
        #expect(try await store.runs(of: "etl", limit: 10) == [queued, done])
        #expect(try await store.run(done.taskID) == done)
        #expect(try await store.value(for: "mesos.framework") == "framework-1")
    }

    @Test func runsStartedTogetherAreOneRowAndReadAsRunning() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let due = t0 + 500
        let queued = (0..<3).map { RunRecord(taskID: TaskID(due: due, attempt: 0, job: "j\($0)"), state: .queued, trigger: .schedule, readyAt: due, queuedAt: t0) }
        var batch = StoreBatch()
        batch.runs = queued
        let store = try SQLiteStateStore(path: folder + "/state.sqlite")
        try await store.write(batch)
        // All three start at once: one row, whatever their number.
        batch = StoreBatch()
        batch.startedReadyAt = [(due, due + 2)]
        try await store.write(batch)
        // A run queued after that start, ready at the same time, has not started.
        let later = RunRecord(taskID: TaskID(due: due, attempt: 0, job: "late"), state: .queued, trigger: .dependency, readyAt: due, queuedAt: due + 2)
        batch = StoreBatch()
        batch.runs = [later]
        try await store.write(batch)
        var loaded = try await SQLiteStateStore(path: folder + "/state.sqlite").load()
        #expect(loaded.activeRuns.filter { $0.state == .running }.map(\.taskID.job).sorted() == ["j0", "j1", "j2"])
        #expect(loaded.activeRuns.filter { $0.state == .running }.allSatisfy { $0.startedAt == due + 2 })
        #expect(loaded.activeRuns.filter { $0.state == .queued }.map(\.taskID.job) == ["late"])
        #expect(try await store.run(queued[0].taskID)?.state == .running)
        #expect(try await store.runs(of: "j1", limit: 5).map(\.state) == [.running])
        // Once each run is written as it went on, the row is gone and the runs read as written.
        batch = StoreBatch()
        batch.runs = queued.map { var run = $0; run.state = .succeeded; run.startedAt = due + 2; run.endedAt = due + 9; return run }
        try await store.write(batch)
        loaded = try await store.load()
        #expect(loaded.activeRuns.map(\.taskID.job) == ["late"])
        let left = try await store.perform { db in
            let s = try db.statement("SELECT COUNT(*) FROM run_starts")
            _ = try s.step()
            defer { s.reset() }
            return s.int(0)
        }
        #expect(left == 0)
    }

    @Test func historyIsLimitedPerJob() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try SQLiteStateStore(path: folder + "/state.sqlite", historyLimit: 3)
        for i in 0..<6 {
            var batch = StoreBatch()
            var run = RunRecord(taskID: TaskID(due: t0 + Int64(i), attempt: 0, job: "a"), state: .succeeded, trigger: .schedule, readyAt: t0, queuedAt: t0 + Int64(i))
            run.endedAt = t0 + Int64(i)
            batch.runs = [run]
            try await store.write(batch)
        }
        let runs = try await store.runs(of: "a", limit: 10)
        #expect(runs.map(\.taskID.due) == [t0 + 5, t0 + 4, t0 + 3])
    }

    @Test func deletingAJobDropsItsState() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try SQLiteStateStore(path: folder + "/state.sqlite")
        var batch = StoreBatch()
        batch.upsertJobs = [try AppliedJob(job: Job(name: "a"), source: .spec(location: ""), appliedAt: t0)]
        batch.states = ["a": JobState(firstApplied: t0)]
        try await store.write(batch)
        var delete = StoreBatch()
        delete.deleteJobs = ["a"]
        try await store.write(delete)
        let loaded = try await store.load()
        #expect(loaded.jobs.isEmpty)
        #expect(loaded.states.isEmpty)
    }

    @Test func aNewerSchemaIsRefused() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/state.sqlite"
        do {
            let connection = try SQLiteConnection(path: path)
            try connection.execute("PRAGMA user_version = 99")
        }
        #expect(throws: StateFileError.self) { try SQLiteStateStore(path: path) }
    }

    @Test func theOldRequestsTableIsDropped() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/state.sqlite"
        do {
            // A state file of the version that still carried commands in a `requests` table.
            let connection = try SQLiteConnection(path: path)
            for migration in SQLiteStateStore.migrations.prefix(3) { try connection.execute(migration) }
            try connection.execute("PRAGMA user_version = 3")
            try connection.execute("INSERT INTO requests (action, job, created_at) VALUES ('run', 'a', 1)")
        }
        _ = try SQLiteStateStore(path: path)
        let connection = try SQLiteConnection(path: path)
        let s = try connection.statement("SELECT count(*) FROM sqlite_master WHERE name = 'requests'")
        #expect(try s.step())
        #expect(s.int(0) == 0)
        #expect(try connection.userVersion == SQLiteStateStore.migrations.count)
    }
}

@Suite struct JobSourceTests {
    /// State files written before `JobSource` keep `api` or the spec's location in the `source` column.
    @Test func storedTextIsWhatEarlierVersionsWrote() {
        #expect(JobSource(stored: "api") == .api)
        #expect(JobSource.api.stored == "api")
        #expect(JobSource(stored: "jobs/etl.yaml:3:1") == .spec(location: "jobs/etl.yaml:3:1"))
        #expect(JobSource.spec(location: "jobs/etl.yaml:3:1").stored == "jobs/etl.yaml:3:1")
    }

    @Test func anAPIJobLoadsBackAsAnAPIJob() async throws {
        let folder = NSTemporaryDirectory() + "source-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var a = Job(name: "a")
        a.command = "true"
        a.schedule = ""
        var b = a
        b.name = "b"
        var batch = StoreBatch()
        batch.upsertJobs = [try AppliedJob(job: a, source: .api, appliedAt: 1), try AppliedJob(job: b, source: .spec(location: "jobs/b.yaml:1:1"), appliedAt: 1)]
        try await SQLiteStateStore(path: folder + "/state.sqlite").write(batch)
        let loaded = try await SQLiteStateStore(path: folder + "/state.sqlite").load()
        #expect(loaded.jobs.map(\.source) == [.api, .spec(location: "jobs/b.yaml:1:1")])
    }
}
