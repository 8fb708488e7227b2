import ChronosEngine
import Synchronization

/// Each job's latest run states, read from the store again only for the jobs whose counters moved since
/// they were read: listing 10,000 quiet jobs costs no store read at all.
///
/// The scheduler's counters move before its write of the run reaches the store, so states read at once may
/// miss the run that moved them. Such a read is provisional: it is read again once `settle` has passed,
/// and `generation` (part of the listing's ETag) changes with every read, so no page keeps it.
final class RunStripCache: Sendable {
    /// What changes whenever a run of the job starts, is queued or ends.
    struct Key: Equatable, Sendable {
        var successes: Int
        var errors: Int
        var lastSuccess: Int64?
        var lastError: Int64?
        var running: Int
        var queued: Int

        init(_ status: JobStatus) {
            successes = status.state.successCount
            errors = status.state.errorCount
            lastSuccess = status.state.lastSuccess
            lastError = status.state.lastError
            running = status.running
            queued = status.queued
        }
    }

    private struct Entry: Sendable {
        var key: Key
        var limit: Int
        var states: [RunState]
        /// When the key was first seen; a read at least `settle` later is final.
        var keySince: ContinuousClock.Instant
        var final: Bool
    }

    private struct State: Sendable {
        var entries: [String: Entry] = [:]
        var generation: UInt64 = 0
    }

    private let state = Mutex(State())
    /// How long after its counters move a job's runs are surely in the store.
    let settle: Duration
    /// Tells this server's listings apart from a previous process's, whose scheduler versions began at 0 too.
    let instance = String(UInt64.random(in: 1...UInt64.max), radix: 36)

    init(settle: Duration = .seconds(1)) { self.settle = settle }

    /// Changes whenever the cache reads the store.
    var generation: UInt64 { state.withLock { $0.generation } }

    /// True when `strips` would read the store for one of these jobs.
    func needsRead(_ statuses: [JobStatus], limit: Int) -> Bool {
        let now = ContinuousClock.now
        return state.withLock { state in statuses.contains { !Self.usable(state.entries[$0.job.name], $0, limit, now, settle) } }
    }

    private static func usable(_ entry: Entry?, _ status: JobStatus, _ limit: Int, _ now: ContinuousClock.Instant, _ settle: Duration) -> Bool {
        guard let entry, entry.key == Key(status), entry.limit == limit else { return false }
        return entry.final || now - entry.keySince < settle
    }

    /// The latest `limit` run states of each job, newest first; a job whose runs cannot be read has none.
    func strips(for statuses: [JobStatus], store: any StateStore, limit: Int) async -> [String: [RunState]] {
        var result: [String: [RunState]] = [:]
        result.reserveCapacity(statuses.count)
        var stale: [String] = []
        let now = ContinuousClock.now
        state.withLock { state in
            for status in statuses {
                if let entry = state.entries[status.job.name], Self.usable(entry, status, limit, now, settle) {
                    result[status.job.name] = entry.states
                } else {
                    stale.append(status.job.name)
                }
            }
        }
        guard !stale.isEmpty, let fresh = try? await store.recentRunStates(of: stale, limit: limit) else { return result }
        state.withLock { state in
            state.generation &+= 1
            // Jobs deleted since are dropped when the cache has grown well past the jobs there are.
            if state.entries.count > statuses.count * 2 {
                let names = Set(statuses.map(\.job.name))
                state.entries = state.entries.filter { names.contains($0.key) }
            }
            for status in statuses {
                guard let states = fresh[status.job.name] else { continue }
                let key = Key(status)
                let old = state.entries[status.job.name]
                let since = old.flatMap { $0.key == key && $0.limit == limit ? $0.keySince : nil } ?? now
                state.entries[status.job.name] = Entry(key: key, limit: limit, states: states, keySince: since, final: now - since >= settle)
                result[status.job.name] = states
            }
        }
        return result
    }
}
