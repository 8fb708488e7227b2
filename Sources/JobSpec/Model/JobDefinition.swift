/// A job as loaded from a spec file: the job, where it was written, and its parsed schedule.
public struct JobDefinition: Hashable, Sendable {
    public var job: Job
    /// The file that holds it.
    public var file: String
    /// Where its mapping starts.
    public var mark: Mark
    /// Where each field's value starts.
    public var fieldMarks: [String: Mark]
    /// Where each of `parents` starts, in order.
    public var parentMarks: [Mark]
    /// The parsed `schedule` or `cron` in its zone, when the job has a valid one.
    public var schedule: Schedule?

    public init(job: Job, file: String, mark: Mark, fieldMarks: [String: Mark], parentMarks: [Mark], schedule: Schedule?) {
        self.job = job
        self.file = file
        self.mark = mark
        self.fieldMarks = fieldMarks
        self.parentMarks = parentMarks
        self.schedule = schedule
    }

    /// `file:line:column` of the job, or of one of its fields.
    public func location(of field: String? = nil) -> String {
        let m = field.flatMap { fieldMarks[$0] } ?? mark
        return "\(file):\(m.line):\(m.column)"
    }

    /// The position of a field's value, or of the job when the field is not written.
    public func mark(of field: String) -> Mark {
        fieldMarks[field] ?? mark
    }
}

/// The sync policy a repository's defaults file sets (DESIGN §6).
public struct SyncPolicy: Hashable, Sendable, Encodable {
    /// Delete jobs that left git.
    public var prune: Bool = false
    /// Revert changes made outside git.
    public var selfHeal: Bool = false
    /// Allow a commit that would delete every job.
    public var allowEmpty: Bool = false

    public init() {}
}

/// What a repository's defaults file (`_defaults.yaml`) sets: default job fields and the sync policy.
public struct JobDefaults: Hashable, Sendable {
    /// A job with the default fields set; every job of the repository starts from it.
    public var template: Job = Job()
    /// The fields the defaults file sets.
    public var fields: Set<String> = []
    public var policy: SyncPolicy = SyncPolicy()
    /// The defaults file, when there is one.
    public var file: String?

    public init() {}
}
