extension SQLiteStateStore {
    /// Reads the jobs' latest run states a few hundred jobs at a time, each group in one call on the store's
    /// thread: ten thousand jobs cost ten thousand index lookups, not ten thousand thread hops, and the
    /// scheduler's writes are never held up behind the whole list.
    package func recentRunStates(of jobs: [String], limit: Int) async throws -> [String: [RunState]] {
        var result: [String: [RunState]] = [:]
        result.reserveCapacity(jobs.count)
        var start = 0
        while start < jobs.count {
            let group = Array(jobs[start..<min(jobs.count, start + 500)])
            start += group.count
            let states = try await perform { db in
                // Ordered by the index alone (no tie-break on the attempt, which would sort every run of the
                // job): ten rows read a job, not its whole history.
                let s = try db.statement("SELECT CASE WHEN \(Self.startOfQueued) IS NULL THEN state ELSE 'running' END FROM runs WHERE job = ? ORDER BY queued_at DESC LIMIT ?")
                var found: [(String, [RunState])] = []
                for job in group {
                    s.reset()
                    try s.bind([.text(job), .int(Int64(limit))])
                    var states: [RunState] = []
                    while try s.step() {
                        if let state = RunState(rawValue: s.text(0)) { states.append(state) }
                    }
                    found.append((job, states))
                }
                // Reset so the statement does not hold a read transaction open.
                s.reset()
                return found
            }
            for (job, runs) in states { result[job] = runs }
        }
        return result
    }
}
