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

/// Durable storage of jobs as applied, their runtime state and run history (SQLite by default;
/// ZooKeeper for HA). Implementations apply each batch atomically.
package protocol StateStore: Sendable {
    /// Loads jobs, runtime states and the runs still queued or running.
    func load() async throws -> StoredState
    /// Applies a batch of writes in one transaction. Batches are applied in the order of the calls
    /// (the call queues the batch before it returns), and `completion` reports the outcome.
    func write(_ batch: StoreBatch, completion: @escaping @Sendable ((any Error)?) -> Void)
    /// The most recent runs of a job, newest first.
    func runs(of job: String, limit: Int) async throws -> [RunRecord]
    /// One run.
    func run(_ id: TaskID) async throws -> RunRecord?
    /// A stored value (the Mesos framework id, the last applied revision, …).
    func value(for key: String) async throws -> String?
    func setValue(_ value: String?, for key: String) async throws
}

extension StateStore {
    /// Applies a batch of writes in one transaction.
    package func write(_ batch: StoreBatch) async throws {
        let error: (any Error)? = await withCheckedContinuation { continuation in
            write(batch) { continuation.resume(returning: $0) }
        }
        if let error { throw error }
    }
}
