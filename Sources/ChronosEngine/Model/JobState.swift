import JobSpec

/// A job's runtime state, kept beside its spec (which is never rewritten).
public struct JobState: Sendable, Hashable, Codable {
    /// When the job was first applied: the anchor of an empty start (`R//PT1H`); runs due before it are not owed.
    public var firstApplied: Int64
    /// The last schedule slot handled (run, or skipped), in epoch ms.
    public var lastScheduledDue: Int64?
    /// A one-shot job (`schedule: ""`) has run.
    public var onceDone: Bool = false
    public var successCount: Int = 0
    public var errorCount: Int = 0
    public var errorsSinceLastSuccess: Int = 0
    public var lastSuccess: Int64?
    public var lastError: Int64?
    /// Disabled by `--disable-after-failures`, or by hand; nil follows the spec's `disabled`.
    public var disabledOverride: Bool?
    /// Parents that completed since this job last ran (for `dependencyMode: all`).
    public var completedParents: [String] = []

    public init(firstApplied: Int64) { self.firstApplied = firstApplied }
}

/// A job as applied to the engine: its spec, resolved (its schedule parsed), and where it came from.
public struct AppliedJob: Sendable, Hashable {
    public var job: Job
    /// The job's `schedule` or `cron` in its zone, parsed once; nil for a one-shot or a dependent job.
    public var schedule: Schedule?
    /// Where the spec came from: a spec file, or the API.
    public var source: JobSource
    public var appliedAt: Int64

    /// A job loaded from a spec, with the schedule its validation parsed.
    public init(_ definition: JobDefinition, source: JobSource, appliedAt: Int64) {
        self.job = definition.job
        self.schedule = definition.schedule
        self.source = source
        self.appliedAt = appliedAt
    }

    /// A job built in code; throws when its schedule or zone cannot be used.
    public init(job: Job, source: JobSource, appliedAt: Int64) throws(Job.ScheduleProblem) {
        self.job = job
        self.schedule = try job.parsedSchedule()
        self.source = source
        self.appliedAt = appliedAt
    }
}
