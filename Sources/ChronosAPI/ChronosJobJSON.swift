import ChronosEngine
import Foundation
import JobSpec

/// A job as Chronos's API returns it: every spec field, plus the server-managed counters.
struct ChronosJobJSON: Encodable, Sendable {
    let status: JobStatus
    /// The server's `--mesos_task_*` and `--user` values, shown for a job that sets none, as Chronos does.
    var defaults = ChronosJobDefaults()

    init(status: JobStatus) { self.status = status }

    init(status: JobStatus, defaults: ChronosJobDefaults) {
        self.status = status
        self.defaults = defaults
    }

    private enum Extra: String, CodingKey {
        case successCount, errorCount, lastSuccess, lastError, errorsSinceLastSuccess, disabled, schedule, scheduleTimeZone, parents
    }

    func encode(to encoder: any Encoder) throws {
        try status.job.encodeChronosFields(to: encoder)
        try defaults.encodeFilled(status.job, to: encoder)
        var c = encoder.container(keyedBy: Extra.self)
        let state = status.state
        try c.encode(state.successCount, forKey: .successCount)
        try c.encode(state.errorCount, forKey: .errorCount)
        try c.encode(state.lastSuccess.map(Self.time) ?? "", forKey: .lastSuccess)
        try c.encode(state.lastError.map(Self.time) ?? "", forKey: .lastError)
        try c.encode(state.errorsSinceLastSuccess, forKey: .errorsSinceLastSuccess)
        try c.encode(status.disabled, forKey: .disabled)
        if status.job.parents == nil && status.job.cron == nil {
            // Chronos always shows a scheduled job's schedule and zone, even when empty.
            try c.encode(status.job.schedule ?? "", forKey: .schedule)
            try c.encode(status.job.scheduleTimeZone, forKey: .scheduleTimeZone)
        }
    }

    /// `2026-03-08T07:00:00.000Z`, as Chronos writes lastSuccess and lastError.
    static func time(_ millis: Int64) -> String {
        let local = LocalDateTime(localMillis: millis)
        return "\(local.description.prefix(19)).\(String(format: "%03d", Int(((millis % 1000) + 1000) % 1000)))Z"
    }
}

/// One line of `jobs/summary`.
struct JobSummary: Encodable, Sendable {
    var name: String
    var status: String
    var state: String
    var schedule: String
    var parents: [String]
    var disabled: Bool

    init(_ s: JobStatus) {
        name = s.job.name
        status = Self.result(s.state)
        state = s.running > 0 ? "\(s.running) running" : (s.queued > 0 ? "queued" : "idle")
        schedule = s.job.parents == nil ? (s.job.schedule ?? s.job.cron ?? "") : ""
        parents = s.job.parents ?? []
        disabled = s.disabled
    }

    /// `success`, `failure` or `fresh`, from the last success and the last final failure.
    static func result(_ state: JobState) -> String {
        switch (state.lastSuccess, state.lastError) {
        case (nil, nil): return "fresh"
        case (_?, nil): return "success"
        case (nil, _?): return "failure"
        case (let s?, let e?): return s >= e ? "success" : "failure"
        }
    }
}
