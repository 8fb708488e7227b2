/// A run's identity, as Chronos writes it: `ct:<dueEpochMs>:<attempt>:<jobName>`.
package struct TaskID: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    /// When the run was due, in epoch milliseconds.
    package var due: Int64
    /// 0 for the first attempt, 1 for the first retry, …
    package var attempt: Int
    package var job: String

    package init(due: Int64, attempt: Int, job: String) {
        self.due = due
        self.attempt = attempt
        self.job = job
    }

    /// Parses `ct:<due>:<attempt>:<job>`. Chronos writes `ct:<due>:<attempt>:<job>:<arguments>`, with a
    /// trailing colon when there are none; a job name has no colon, so what follows one is dropped.
    package init?(_ text: String) {
        let parts = text.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "ct", let due = Int64(parts[1]), let attempt = Int(parts[2]) else { return nil }
        let job = parts[3].prefix { $0 != ":" }
        guard !job.isEmpty else { return nil }
        self.init(due: due, attempt: attempt, job: String(job))
    }

    package var description: String { "ct:\(due):\(attempt):\(job)" }

    /// The next attempt of the same run.
    package var retry: TaskID { TaskID(due: due, attempt: attempt + 1, job: job) }

    package static func < (lhs: TaskID, rhs: TaskID) -> Bool {
        (lhs.due, lhs.job, lhs.attempt) < (rhs.due, rhs.job, rhs.attempt)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        guard let id = TaskID(text) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a task id: \(text)")
        }
        self = id
    }
}
