import JobSpec

/// A job as the API and the UI show it: its spec, where it came from, its runtime state and runs.
package struct JobStatus: Sendable {
    package let job: Job
    /// Where the spec came from: `jobs/etl.yaml:3:1`, or `api` for a job made through the API.
    package let source: JobSource
    package let state: JobState
    package let disabled: Bool
    package let queued: Int
    package let running: Int
    /// The next schedule slot, when one is set.
    package let nextDue: Int64?

    package init(job: Job, source: JobSource, state: JobState, disabled: Bool, queued: Int, running: Int, nextDue: Int64?) {
        self.job = job
        self.source = source
        self.state = state
        self.disabled = disabled
        self.queued = queued
        self.running = running
        self.nextDue = nextDue
    }
}

/// A job the API cannot accept as it is, and why.
package struct JobRejection: Error, Sendable, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}

extension SchedulerCore {
    /// Every job with its state, sorted by name.
    package func statuses() -> [JobStatus] {
        var queued: [String: Int] = [:]
        for run in active.values where run.state == .queued { queued[run.job, default: 0] += 1 }
        var held: [String: Int] = [:]
        for id in self.held { held[id.job, default: 0] += 1 }
        return entries.names.sorted().compactMap { status(of: $0, queued: queued[$0] ?? 0, held: held[$0] ?? 0) }
    }

    /// One job with its state.
    package func status(of name: String) -> JobStatus? {
        status(of: name, queued: active.values.filter { $0.job == name && $0.state == .queued }.count,
               held: held.filter { $0.job == name }.count)
    }

    /// A run the launcher holds (waiting for resources) shows as queued, not running.
    private func status(of name: String, queued: Int, held: Int) -> JobStatus? {
        guard let entry = entries[name] else { return nil }
        return JobStatus(job: entry.job, source: entry.source, state: entry.state,
                         disabled: isDisabled(name), queued: queued + held, running: (running[name]?.count ?? 0) - held, nextDue: entry.nextDue)
    }

    /// Why `job` cannot join the current jobs: a parent that does not exist, or a dependency cycle.
    package func rejection(for job: Job) -> String? {
        guard let parents = job.parents else { return nil }
        for parent in parents where parent != job.name && entries[parent] == nil {
            let hint = Suggest.closestName(to: parent, among: entries.names).map { "; did you mean \"\($0)\"?" } ?? ""
            return "parent \"\(parent)\" of job \"\(job.name)\" does not exist\(hint)"
        }
        // A cycle: the job is among the ancestors of its own parents.
        var stack = parents
        var seen: Set<String> = []
        while let name = stack.popLast() {
            if name == job.name { return "job \"\(job.name)\" would depend on itself through its parents (a dependency cycle)" }
            guard seen.insert(name).inserted else { continue }
            stack += entries[name]?.job.parents ?? []
        }
        return nil
    }

    /// The jobs that list `name` as a parent.
    package func children(of name: String) -> [String] { children[name] ?? [] }

    /// Run times in ms of the job's recent successful runs, oldest first.
    package func durations(of name: String) -> [Int64] { durations[name] ?? [] }
}

private enum Suggest {
    static func closestName(to name: String, among names: some Sequence<String>) -> String? {
        names.first { $0.lowercased() == name.lowercased() }
    }
}
