import ChronosEngine
import Synchronization

/// A state store in memory that logs its writes; `failing` makes reads and writes of values throw.
final class MemoryStateStore: StateStore {
    struct Failure: Error, CustomStringConvertible {
        var description: String { "disk I/O error" }
    }

    private struct State {
        var jobs: [String: AppliedJob] = [:]
        var states: [String: JobState] = [:]
        var values: [String: String] = [:]
        var failing = false
        var failingWrites: String?
    }

    private let state = Mutex(State())
    let log: EffectLog

    init(log: EffectLog = EffectLog()) { self.log = log }

    var failing: Bool {
        get { state.withLock { $0.failing } }
        set { state.withLock { $0.failing = newValue } }
    }

    /// Makes writes of one key throw, and nothing else.
    func failWrites(of key: String?) {
        state.withLock { $0.failingWrites = key }
    }

    func load() async throws -> StoredState {
        var stored = StoredState()
        state.withLock { state in
            stored.jobs = state.jobs.values.sorted { $0.job.name < $1.job.name }
            stored.states = state.states
        }
        return stored
    }

    func write(_ batch: StoreBatch, completion: @escaping @Sendable ((any Error)?) -> Void) {
        state.withLock { state in
            for name in batch.deleteJobs { state.jobs[name] = nil }
            for job in batch.upsertJobs { state.jobs[job.job.name] = job }
            state.states.merge(batch.states) { $1 }
        }
        if !batch.upsertJobs.isEmpty || !batch.deleteJobs.isEmpty {
            log.append("store jobs " + (batch.deleteJobs.map { "-" + $0 } + batch.upsertJobs.map { "+" + $0.job.name }).joined(separator: " "))
        }
        completion(nil)
    }

    func runs(of job: String, limit: Int) async throws -> [RunRecord] { [] }

    func run(_ id: TaskID) async throws -> RunRecord? { nil }

    func value(for key: String) async throws -> String? {
        try state.withLock { state in
            if state.failing { throw Failure() }
            return state.values[key]
        }
    }

    func values() async throws -> [String: String] { state.withLock { $0.values } }

    func setValue(_ value: String?, for key: String) async throws {
        try state.withLock { state in
            if state.failing || state.failingWrites == key { throw Failure() }
            state.values[key] = value
        }
        log.append("store \(key)")
    }
}
