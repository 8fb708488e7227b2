import JobSpec

/// Everything the engine keeps across restarts.
package struct StoredState: Sendable {
    package var jobs: [AppliedJob] = []
    package var states: [String: JobState] = [:]
    /// Runs that were queued or running when the state was saved.
    package var activeRuns: [RunRecord] = []

    package init() {}
}

/// A set of writes applied atomically: all or none.
package struct StoreBatch: Sendable {
    package var upsertJobs: [AppliedJob] = []
    package var deleteJobs: [String] = []
    package var states: [String: JobState] = [:]
    package var runs: [RunRecord] = []
    /// Stored queued runs that started, with their start time; applied after `runs`, to rows still queued.
    package var startedRuns: [(TaskID, Int64)] = []
    /// Every stored queued run ready at a time started, at a start time; applied after `runs`.
    package var startedReadyAt: [(readyAt: Int64, startedAt: Int64)] = []

    package init() {}

    package var isEmpty: Bool {
        upsertJobs.isEmpty && deleteJobs.isEmpty && states.isEmpty && runs.isEmpty && startedRuns.isEmpty && startedReadyAt.isEmpty
    }
}

/// A write failure that retrying cannot mend (a ZooKeeper leader that no longer leads): the writer
/// stops, and every batch behind the failed one fails too.
package protocol PermanentStoreError: Error, Sendable {}

/// Durable storage of jobs as applied, their runtime state and run history (SQLite by default;
/// ZooKeeper for HA).
///
/// The write contract, which every implementation keeps:
/// - A batch is applied atomically: all of it or, when `completion` reports an error, none of it.
/// - Batches are applied in the order of the calls (the call queues the batch before it returns).
/// - A store does not retry a failed batch itself, and reports each failure with its cause; a
///   `PermanentStoreError` says that no retry will succeed.
///
/// The scheduler writes through an `OrderedStoreWriter`, which hands the store one batch at a time and
/// retries a failed one (with capped backoff, logging each failure) before any batch behind it. So the
/// store always holds a prefix of the scheduler's batches, and nothing is launched that is not stored.
package protocol StateStore: Sendable {
    /// Loads jobs, runtime states and the runs still queued or running.
    func load() async throws -> StoredState
    /// Applies a batch of writes in one transaction, after every batch of earlier calls; `completion`
    /// reports the outcome (nil once the batch is durable).
    func write(_ batch: StoreBatch, completion: @escaping @Sendable ((any Error)?) -> Void)
    /// The most recent runs of a job, newest first.
    func runs(of job: String, limit: Int) async throws -> [RunRecord]
    /// One run.
    func run(_ id: TaskID) async throws -> RunRecord?
    /// The states of each job's most recent runs, newest first, at most `limit` a job (the web UI's run strips).
    func recentRunStates(of jobs: [String], limit: Int) async throws -> [String: [RunState]]
    /// A stored value (the Mesos framework id, the last applied revision, …).
    func value(for key: String) async throws -> String?
    func setValue(_ value: String?, for key: String) async throws
    /// Every stored value, by key (for `migrate-state`).
    func values() async throws -> [String: String]
}

extension StateStore {
    /// One `runs(of:limit:)` a job; a store that can read them together does so instead.
    package func recentRunStates(of jobs: [String], limit: Int) async throws -> [String: [RunState]] {
        var result: [String: [RunState]] = [:]
        for job in jobs { result[job] = try await runs(of: job, limit: limit).map(\.state) }
        return result
    }

    /// Applies a batch of writes in one transaction.
    package func write(_ batch: StoreBatch) async throws {
        let error: (any Error)? = await withCheckedContinuation { continuation in
            write(batch) { continuation.resume(returning: $0) }
        }
        if let error { throw error }
    }
}
