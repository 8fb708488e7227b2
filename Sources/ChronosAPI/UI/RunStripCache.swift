import ChronosEngine
import Synchronization

/// Each job's latest run states, read from the store again only for the jobs whose counters moved since
/// they were read: listing 10,000 quiet jobs costs no store read at all.
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
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// The latest `limit` run states of each job, newest first; a job whose runs cannot be read has none.
    func strips(for statuses: [JobStatus], store: any StateStore, limit: Int) async -> [String: [RunState]] {
        var result: [String: [RunState]] = [:]
        result.reserveCapacity(statuses.count)
        var stale: [String] = []
        entries.withLock { entries in
            for status in statuses {
                if let hit = entries[status.job.name], hit.key == Key(status), hit.limit == limit {
                    result[status.job.name] = hit.states
                } else {
                    stale.append(status.job.name)
                }
            }
        }
        guard !stale.isEmpty, let fresh = try? await store.recentRunStates(of: stale, limit: limit) else { return result }
        entries.withLock { entries in
            // Jobs deleted since are dropped when the cache has grown well past the jobs there are.
            if entries.count > statuses.count * 2 {
                let names = Set(statuses.map(\.job.name))
                entries = entries.filter { names.contains($0.key) }
            }
            // The key was read before the runs, so a run that ended in between makes the key stale, never the runs.
            for status in statuses {
                guard let states = fresh[status.job.name] else { continue }
                entries[status.job.name] = Entry(key: Key(status), limit: limit, states: states)
                result[status.job.name] = states
            }
        }
        return result
    }
}
