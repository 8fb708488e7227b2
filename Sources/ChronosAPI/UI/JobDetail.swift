import ChronosEngine
import JobSpec

/// One job as the web UI's job page shows it (`GET /v1/jobs/{name}`).
struct JobDetail: Encodable, Sendable {
    var name: String
    /// The job as Chronos's API shows it, counters included.
    var job: ChronosJobJSON
    /// The spec as YAML: `name` and `command`, then every field that differs from its default.
    var yaml: String
    /// `jobs/etl.yaml:3:1` for a job from git, `api` for one created through the API or the UI.
    var source: String
    var status: String
    var running: Int
    var queued: Int
    var disabled: Bool
    /// The zone of the schedule (`UTC` when none is set).
    var timeZone: String
    /// The next runs (epoch ms), the first being the scheduler's next slot; empty when none is set.
    var nextRuns: [Int64]

    /// How many next runs are listed.
    static let nextRunCount = 5

    init(_ status: JobStatus, now: Instant) {
        name = status.job.name
        job = ChronosJobJSON(status: status)
        yaml = status.job.yaml()
        source = status.source.stored
        self.status = JobSummary.result(status.state)
        running = status.running
        queued = status.queued
        disabled = status.disabled
        timeZone = status.job.scheduleTimeZone.isEmpty ? "UTC" : status.job.scheduleTimeZone
        nextRuns = []
        guard let next = status.nextDue else { return }
        nextRuns = [next]
        if let schedule = try? status.job.parsedSchedule() {
            let anchor = Instant(millis: status.state.firstApplied)
            nextRuns += schedule.runs(after: Instant(millis: next), count: Self.nextRunCount - 1, firstApplied: anchor).map(\.millis)
        }
    }
}
