import Dispatch
import Synchronization
@testable import ChronosEngine

/// A failure the test asked the store for.
struct InjectedStoreFailure: Error, CustomStringConvertible {
    var attempt: Int
    var description: String { "injected failure of write attempt \(attempt)" }
}

/// A state store in memory: applies batches as the SQLite store does, on a serial queue in the order
/// of the calls, keeps each applied batch in order, and fails the next writes when told to.
final class MemoryStateStore: StateStore {
    struct Contents: Sendable {
        var jobs: [String: AppliedJob] = [:]
        var states: [String: JobState] = [:]
        var runs: [TaskID: RunRecord] = [:]
        var values: [String: String] = [:]
        /// Every batch applied, in order.
        var applied: [StoreBatch] = []
        /// Every write handed to the store, failed or not.
        var attempts = 0
        var failuresLeft = 0
    }

    let contents: Watched<Contents>
    private let queue = DispatchQueue(label: "memory-store")

    init(_ stored: StoredState = StoredState()) {
        var contents = Contents()
        for applied in stored.jobs { contents.jobs[applied.job.name] = applied }
        contents.states = stored.states
        for run in stored.activeRuns { contents.runs[run.taskID] = run }
        self.contents = Watched(contents)
    }

    /// The next `count` writes fail and apply nothing.
    func failNextWrites(_ count: Int) { contents.update { $0.failuresLeft = count } }

    var applied: [StoreBatch] { contents.value.applied }
    var attempts: Int { contents.value.attempts }
    func storedRun(_ id: TaskID) -> RunRecord? { contents.value.runs[id] }

    func load() async throws -> StoredState {
        let contents = contents.value
        var state = StoredState()
        state.jobs = contents.jobs.values.sorted { $0.job.name < $1.job.name }
        state.states = contents.states
        for run in contents.runs.values where run.trigger == .schedule && run.taskID.attempt == 0 {
            let last = max(state.states[run.job]?.lastScheduledDue ?? .min, run.taskID.due)
            state.states[run.job]?.lastScheduledDue = last
        }
        state.activeRuns = contents.runs.values.filter { !$0.state.isFinal }.sorted { ($0.readyAt, $0.taskID) < ($1.readyAt, $1.taskID) }
        return state
    }

    func write(_ batch: StoreBatch, completion: @escaping @Sendable ((any Error)?) -> Void) {
        queue.async { [contents] in
            let failure = contents.update { contents -> InjectedStoreFailure? in
                contents.attempts += 1
                if contents.failuresLeft > 0 {
                    contents.failuresLeft -= 1
                    return InjectedStoreFailure(attempt: contents.attempts)
                }
                Self.apply(batch, to: &contents)
                return nil
            }
            completion(failure)
        }
    }

    static func apply(_ batch: StoreBatch, to contents: inout Contents) {
        for applied in batch.upsertJobs { contents.jobs[applied.job.name] = applied }
        for name in batch.deleteJobs {
            contents.jobs[name] = nil
            contents.states[name] = nil
        }
        contents.states.merge(batch.states) { $1 }
        for run in batch.runs { contents.runs[run.taskID] = run }
        for (readyAt, startedAt) in batch.startedReadyAt {
            for (id, run) in contents.runs where run.state == .queued && run.readyAt == readyAt {
                contents.runs[id]?.state = .running
                contents.runs[id]?.startedAt = startedAt
            }
        }
        for (id, startedAt) in batch.startedRuns where contents.runs[id]?.state == .queued {
            contents.runs[id]?.state = .running
            contents.runs[id]?.startedAt = startedAt
        }
        contents.applied.append(batch)
    }

    func runs(of job: String, limit: Int) async throws -> [RunRecord] {
        Array(contents.value.runs.values.filter { $0.job == job }.sorted { ($0.queuedAt, $0.taskID.attempt) > ($1.queuedAt, $1.taskID.attempt) }.prefix(limit))
    }

    func run(_ id: TaskID) async throws -> RunRecord? { storedRun(id) }

    func value(for key: String) async throws -> String? { contents.value.values[key] }

    func setValue(_ value: String?, for key: String) async throws { contents.update { $0.values[key] = value } }

    func values() async throws -> [String: String] { contents.value.values }
}
