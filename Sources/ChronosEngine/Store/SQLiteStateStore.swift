import Dispatch
import Foundation
import JobSpec

/// The embedded state store: one SQLite file (`<data>/state.sqlite`, WAL) holding the jobs as applied,
/// their runtime state, run history and other values.
package final class SQLiteStateStore: StateStore, @unchecked Sendable {
    // @unchecked: the connection is touched only inside `queue.sync`/`queue.async` blocks of one serial
    // queue, so it is never used from two threads at once; `historyLimit` and `path` are immutable.
    private let queue = DispatchQueue(label: "chronos-sync.sqlite")
    private let connection: SQLiteConnection
    /// Finished runs kept per job.
    package let historyLimit: Int
    package let path: String

    /// Opens or creates the store at `path`, migrating its schema to the current version. With `readOnly`,
    /// opens an existing store for reading beside the server that writes it: nothing is created or migrated.
    package init(path: String, historyLimit: Int = 100, readOnly: Bool = false) throws {
        self.path = path
        self.historyLimit = historyLimit
        if !readOnly, let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size == 0 {
            // SQLite would take an empty file for a new database: the jobs and their runs would be gone unnoticed.
            throw StateFileError(.empty, path: path, message: "the file is empty (0 bytes), so the jobs, runs and sync record it held are lost")
        }
        do {
            connection = try SQLiteConnection(path: path, readOnly: readOnly)
        } catch {
            throw Self.explain(error, path: path)
        }
        if readOnly {
            try queue.sync { try Self.checkReadable(connection, path: path) }
        } else {
            do {
                try queue.sync { try Self.migrate(connection) }
            } catch {
                throw Self.explain(error, path: path)
            }
        }
    }

    /// SQLite's "not a database" and "corrupt" as a state file error that says what to do.
    static func explain(_ error: any Error, path: String) -> any Error {
        guard let sqlite = error as? SQLiteError, sqlite.code == 26 || sqlite.code == 11 else { return error }
        return StateFileError(.notADatabase, path: path, message: "the file is not a readable chronos-sync state database", cause: sqlite.message)
    }

    /// Runs `body` with the connection on the store's own thread (never on the cooperative pool).
    func perform<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { [connection] in
                continuation.resume(with: Result { try body(connection) })
            }
        }
    }

    package func load() async throws -> StoredState {
        let path = self.path
        return try await perform { db in
            var state = StoredState()
            let jobs = try db.statement("SELECT name, spec, source, applied_at FROM jobs ORDER BY name")
            while try jobs.step() {
                let name = jobs.text(0)
                let parsed = JobLoader.parse(jobs.text(1), file: "state:\(name)")
                guard let definition = parsed.jobs.first, definition.job.name == name else {
                    throw StateFileError(.brokenRow, path: path, subject: "job \(name)", message: "its stored spec no longer loads",
                                         cause: parsed.diagnostics.map(\.message).joined(separator: "; "))
                }
                state.jobs.append(AppliedJob(definition, source: JobSource(stored: jobs.text(2)), appliedAt: jobs.int(3)))
            }
            let decoder = JSONDecoder()
            let states = try db.statement("SELECT name, state FROM job_state")
            while try states.step() {
                let name = states.text(0)
                do {
                    state.states[name] = try decoder.decode(JobState.self, from: Data(states.text(1).utf8))
                } catch {
                    throw StateFileError(.brokenRow, path: path, subject: "job \(name)", message: "its runtime state cannot be read", cause: "\(error)")
                }
            }
            // The last schedule slot of each job is the due time of its latest scheduled run.
            let slots = try db.statement("SELECT job, MAX(due) FROM runs WHERE trigger = 'schedule' AND attempt = 0 GROUP BY job")
            while try slots.step() {
                let name = slots.text(0)
                guard var jobState = state.states[name] else { continue }
                jobState.lastScheduledDue = max(jobState.lastScheduledDue ?? .min, slots.int(1))
                state.states[name] = jobState
            }
            let runs = try db.statement("SELECT \(Self.readColumns) FROM runs WHERE state IN ('queued', 'running') ORDER BY ready_at")
            while try runs.step() {
                do {
                    state.activeRuns.append(try Self.run(from: runs))
                } catch {
                    throw StateFileError(.brokenRow, path: path, subject: "run \(runs.text(0))", message: "the row cannot be read", cause: "\(error)")
                }
            }
            return state
        }
    }

    package func write(_ batch: StoreBatch, completion: @escaping @Sendable ((any Error)?) -> Void) {
        guard !batch.isEmpty else { return completion(nil) }
        let limit = historyLimit
        queue.async { [connection] in
            do {
                try Self.write(batch, to: connection, historyLimit: limit)
                completion(nil)
            } catch {
                completion(error)
            }
        }
    }

    package func runs(of job: String, limit: Int) async throws -> [RunRecord] {
        try await perform { db in
            let s = try db.statement("SELECT \(Self.readColumns) FROM runs WHERE job = ? ORDER BY queued_at DESC, attempt DESC LIMIT ?")
            try s.bind([.text(job), .int(Int64(limit))])
            var result: [RunRecord] = []
            while try s.step() { result.append(try Self.run(from: s)) }
            return result
        }
    }

    package func run(_ id: TaskID) async throws -> RunRecord? {
        try await perform { db in
            let s = try db.statement("SELECT \(Self.readColumns) FROM runs WHERE task_id = ?")
            // A single-row read: reset so the statement does not hold a read transaction open.
            defer { s.reset() }
            try s.bind([.text(id.description)])
            return try s.step() ? try Self.run(from: s) : nil
        }
    }

    package func value(for key: String) async throws -> String? {
        try await perform { db in
            let s = try db.statement("SELECT value FROM meta WHERE key = ?")
            // A single-row read: reset so the statement does not hold a read transaction open.
            defer { s.reset() }
            try s.bind([.text(key)])
            return try s.step() ? s.text(0) : nil
        }
    }

    package func values() async throws -> [String: String] {
        try await perform { db in
            let s = try db.statement("SELECT key, value FROM meta")
            var result: [String: String] = [:]
            while try s.step() { result[s.text(0)] = s.text(1) }
            return result
        }
    }

    package func setValue(_ value: String?, for key: String) async throws {
        try await perform { db in
            if let value {
                try db.statement("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run([.text(key), .text(value)])
            } else {
                try db.statement("DELETE FROM meta WHERE key = ?").run([.text(key)])
            }
        }
    }
}

extension SQLiteStateStore {
    /// Schema versions, applied in order; `PRAGMA user_version` records how many have run.
    static let migrations: [String] = [
        """
        CREATE TABLE jobs (
            name TEXT PRIMARY KEY,
            spec TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            applied_at INTEGER NOT NULL
        );
        CREATE TABLE job_state (name TEXT PRIMARY KEY, state TEXT NOT NULL);
        CREATE TABLE runs (
            task_id TEXT PRIMARY KEY,
            job TEXT NOT NULL,
            due INTEGER NOT NULL,
            attempt INTEGER NOT NULL,
            state TEXT NOT NULL,
            trigger TEXT NOT NULL,
            ready_at INTEGER NOT NULL,
            queued_at INTEGER NOT NULL,
            started_at INTEGER,
            ended_at INTEGER,
            exit_status INTEGER,
            host TEXT NOT NULL DEFAULT '',
            reason TEXT NOT NULL DEFAULT '',
            sandbox TEXT NOT NULL DEFAULT '',
            arguments TEXT NOT NULL DEFAULT '[]',
            skipped_count INTEGER NOT NULL DEFAULT 0,
            pid INTEGER,
            process_start INTEGER
        );
        CREATE INDEX runs_by_job ON runs (job, queued_at);
        CREATE INDEX runs_active ON runs (state) WHERE state IN ('queued', 'running');
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE sync_history (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            started_at INTEGER NOT NULL,
            finished_at INTEGER,
            revision TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL,
            message TEXT NOT NULL DEFAULT ''
        );
        """,
        """
        CREATE TABLE requests (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            action TEXT NOT NULL,
            job TEXT NOT NULL,
            arguments TEXT NOT NULL DEFAULT '[]',
            created_at INTEGER NOT NULL,
            done_at INTEGER,
            result TEXT NOT NULL DEFAULT '',
            error TEXT NOT NULL DEFAULT ''
        );
        """,
        """
        CREATE INDEX runs_queued_by_ready ON runs (ready_at) WHERE state = 'queued';
        """,
        // Commands reach the server over its HTTP API; the table that carried them is gone.
        """
        DROP TABLE IF EXISTS requests;
        DELETE FROM meta WHERE key = 'server.heartbeat';
        """,
        // A Chronos `?arguments=` run keeps its text; an async data job its reported progress.
        """
        ALTER TABLE runs ADD COLUMN argument_text TEXT;
        ALTER TABLE runs ADD COLUMN elements_processed INTEGER;
        """,
        // Thousands of runs due at once start with one row here instead of one update each: every run
        // still queued with that ready time, queued before that start, is running since it (see readColumns).
        """
        CREATE TABLE run_starts (ready_at INTEGER PRIMARY KEY, started_at INTEGER NOT NULL);
        """,
    ]

    /// Brings the schema to the current version in one write transaction, so that two processes opening
    /// a new file at once cannot both run the same migration.
    static func migrate(_ db: SQLiteConnection) throws {
        try db.transaction {
            let version = try db.userVersion
            guard version <= migrations.count else {
                throw StateFileError(.newerSchema, path: db.path, message: "its schema version \(version) is newer than this chronos-sync knows (\(migrations.count))")
            }
            for index in version..<migrations.count {
                try db.execute(migrations[index])
            }
            if version < migrations.count { try db.execute("PRAGMA user_version = \(migrations.count)") }
        }
    }

    /// A reader needs a store that its server has created, of a schema this version knows.
    static func checkReadable(_ db: SQLiteConnection, path: String) throws {
        let version = try db.userVersion
        guard version > 0 else {
            throw StateFileError(.empty, path: path, message: "it holds no chronos-sync state yet (its server may still be starting)")
        }
        guard version <= migrations.count else {
            throw StateFileError(.newerSchema, path: path, message: "its schema version \(version) is newer than this chronos-sync knows (\(migrations.count))")
        }
    }

    static let runColumns = "task_id, state, trigger, ready_at, queued_at, started_at, ended_at, exit_status, host, reason, sandbox, arguments, skipped_count, pid, process_start, argument_text, elements_processed"

    /// The start a `run_starts` row gives a row of `runs`: the row is still queued, has that ready time,
    /// and was queued before that start.
    static let startOfQueued = "(SELECT s.started_at FROM run_starts s WHERE runs.state = 'queued' AND s.ready_at = runs.ready_at AND runs.queued_at < s.started_at)"

    /// `runColumns` as read: a run started through `run_starts` reads as running since that start.
    static let readColumns = runColumns
        .replacingOccurrences(of: "task_id, state,", with: "task_id, CASE WHEN \(startOfQueued) IS NULL THEN state ELSE 'running' END,")
        .replacingOccurrences(of: "queued_at, started_at,", with: "queued_at, COALESCE(\(startOfQueued), started_at),")

    static func run(from s: SQLiteStatement) throws -> RunRecord {
        guard let id = TaskID(s.text(0)), let state = RunState(rawValue: s.text(1)), let trigger = RunTrigger(rawValue: s.text(2)) else {
            throw SQLiteError(code: 0, message: "unknown state \(s.text(1)) or trigger \(s.text(2)), or a task id that is not ct:<due>:<attempt>:<job>", call: "load", sql: nil)
        }
        var run = RunRecord(taskID: id, state: state, trigger: trigger, readyAt: s.int(3), queuedAt: s.int(4))
        run.startedAt = s.optionalInt(5)
        run.endedAt = s.optionalInt(6)
        run.exitStatus = s.optionalInt(7).map { Int32(truncatingIfNeeded: $0) }
        run.host = s.text(8)
        run.reason = s.text(9)
        run.sandbox = s.text(10)
        run.arguments = (try? JSONDecoder().decode([String].self, from: Data(s.text(11).utf8))) ?? []
        run.skippedCount = Int(s.int(12))
        run.pid = s.optionalInt(13).map { Int32(truncatingIfNeeded: $0) }
        run.processStart = s.optionalInt(14)
        run.argumentText = s.optionalText(15)
        run.elementsProcessed = s.optionalInt(16)
        return run
    }

    static func write(_ batch: StoreBatch, to db: SQLiteConnection, historyLimit: Int) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try db.transaction {
            let upsertJob = try db.statement("""
                INSERT INTO jobs (name, spec, source, applied_at) VALUES (?, ?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET spec = excluded.spec, source = excluded.source, applied_at = excluded.applied_at
                """)
            for applied in batch.upsertJobs {
                try upsertJob.run([.text(applied.job.name), .text(applied.job.storedJSON), .text(applied.source.stored), .int(applied.appliedAt)])
            }
            for name in batch.deleteJobs {
                try db.statement("DELETE FROM jobs WHERE name = ?").run([.text(name)])
                try db.statement("DELETE FROM job_state WHERE name = ?").run([.text(name)])
            }
            let upsertState = try db.statement("INSERT INTO job_state (name, state) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET state = excluded.state")
            // Jobs applied together start with equal states (created at one time): the text is made once.
            var last: (state: JobState, text: String)?
            for (name, state) in batch.states {
                let text = last.flatMap { $0.state == state ? $0.text : nil } ?? state.storedJSON
                last = (state, text)
                try upsertState.run([.text(name), .text(text)])
            }
            var finishedJobs: Set<String> = []
            // A run changed several times in one batch is written once, as it ended up.
            var seen: Set<TaskID> = []
            let latest = batch.runs.reversed().filter { seen.insert($0.taskID).inserted }.reversed()
            for run in latest {
                let arguments = run.arguments.isEmpty ? "[]" : String(decoding: try encoder.encode(run.arguments), as: UTF8.self)
                try db.statement("""
                    INSERT INTO runs (\(runColumns), job, due, attempt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(task_id) DO UPDATE SET state = excluded.state, trigger = excluded.trigger, ready_at = excluded.ready_at,
                      started_at = excluded.started_at, ended_at = excluded.ended_at, exit_status = excluded.exit_status,
                      host = excluded.host, reason = excluded.reason, sandbox = excluded.sandbox, arguments = excluded.arguments,
                      skipped_count = excluded.skipped_count, pid = excluded.pid, process_start = excluded.process_start,
                      argument_text = excluded.argument_text, elements_processed = excluded.elements_processed
                    """).run([
                        .text(run.taskID.description), .text(run.state.rawValue), .text(run.trigger.rawValue), .int(run.readyAt),
                        .int(run.queuedAt), run.startedAt.map { .int($0) }, run.endedAt.map { .int($0) },
                        run.exitStatus.map { .int(Int64($0)) }, .text(run.host), .text(run.reason), .text(run.sandbox),
                        .text(arguments), .int(Int64(run.skippedCount)), run.pid.map { .int(Int64($0)) },
                        run.processStart.map { .int($0) }, run.argumentText.map { .text($0) }, run.elementsProcessed.map { .int($0) },
                        .text(run.job), .int(run.taskID.due), .int(Int64(run.taskID.attempt)),
                    ])
                if run.state.isFinal { finishedJobs.insert(run.job) }
            }
            // Starts of runs stored as queued: after the rows above, and only where a row is still queued.
            for (readyAt, startedAt) in batch.startedReadyAt {
                try db.statement("INSERT OR REPLACE INTO run_starts (ready_at, started_at) VALUES (?, ?)").run([.int(readyAt), .int(startedAt)])
            }
            for (id, startedAt) in batch.startedRuns {
                try db.statement("UPDATE runs SET state = 'running', started_at = ? WHERE task_id = ? AND state = 'queued'")
                    .run([.int(startedAt), .text(id.description)])
            }
            if !latest.isEmpty && batch.startedReadyAt.isEmpty {
                // A start row is kept while a row it covers is still queued (not yet written as it went on).
                try db.statement("""
                    DELETE FROM run_starts WHERE NOT EXISTS
                      (SELECT 1 FROM runs WHERE state = 'queued' AND ready_at = run_starts.ready_at AND queued_at < run_starts.started_at)
                    """).run([])
            }
            for job in finishedJobs {
                try db.statement("""
                    DELETE FROM runs WHERE job = ?1 AND state NOT IN ('queued', 'running') AND task_id NOT IN
                      (SELECT task_id FROM runs WHERE job = ?1 ORDER BY queued_at DESC, attempt DESC LIMIT ?2)
                    """).run([.text(job), .int(Int64(historyLimit))])
            }
        }
    }
}
