/// A job as its spec describes it: Chronos's fields, with the same names, plus chronos-sync's extensions.
///
/// The spec is never rewritten: runtime state (next due time, runs left, counters) lives elsewhere.
/// Every stored property is described in `JobField.all`, which drives loading, hashing and output.
public struct Job: Hashable, Sendable {
    /// Unique, `[A-Za-z0-9_.-]+`, at most 200 characters.
    public var name: String = ""
    public var description: String = ""
    /// Notification recipients, comma-separated emails.
    public var owner: String = ""
    public var ownerName: String = ""
    public var command: String = ""
    /// Run `command` with `/bin/sh -c` (true) or as an executable with `arguments` (false).
    public var shell: Bool = true
    public var arguments: [String] = []
    /// ISO 8601 repeating interval; `""` runs once, when the job is first applied.
    public var schedule: String?
    /// IANA zone whose wall clock `schedule` and `cron` follow; empty for none.
    public var scheduleTimeZone: String = ""
    /// Five-field cron schedule (extension).
    public var cron: String?
    /// Jobs that must complete before this one runs.
    public var parents: [String]?
    /// How late a run may start, as an ISO 8601 duration; nil for the server's `--task-epsilon`.
    public var epsilon: FixedDuration?
    /// Attempts after a failure.
    public var retries: Int = 2
    /// Delay before a retry (extension); nil for the server's `--failure-retry`.
    public var retryInterval: FixedDuration?
    /// Factor applied to the retry delay after each failed attempt (extension).
    public var retryBackoff: Double = 1
    /// Upper bound on the retry delay (extension).
    public var maxRetryInterval: FixedDuration?
    public var async: Bool = false
    public var concurrent: Bool = false
    /// Mail the owner (and tell chat and webhooks) when a run succeeds, not only when one fails for good (extension).
    public var notifyOnSuccess: Bool = false
    /// Trigger children even when this job finally fails.
    public var softError: Bool = false
    public var disabled: Bool = false
    public var highPriority: Bool = false
    /// Resources; 0 means the server's default.
    public var cpus: Double = 0
    public var mem: Double = 0
    public var disk: Double = 0
    public var runAsUser: String = ""
    public var environmentVariables: [EnvironmentVariable] = []
    public var uris: [String] = []
    public var fetch: [FetchURI] = []
    public var container: Container?
    public var constraints: [Constraint] = []
    /// Seconds after which a run is killed; 0 for none.
    public var maxCompletionTime: Int = 0
    /// Kill a run that takes longer, as an ISO 8601 duration (extension).
    public var timeout: FixedDuration?
    /// `all`: run once every parent completed since the last run; `any`: run after each parent (extension).
    public var dependencyMode: DependencyMode = .all
    /// What a new run does while one is running (extension); nil follows `concurrent`.
    public var concurrencyPolicy: ConcurrencyPolicy?
    public var executor: String = ""
    public var executorFlags: String = ""
    public var taskInfoData: String = ""
    public var dataProcessingJobType: Bool = false

    public init(name: String = "") { self.name = name }

    /// The concurrency policy in force: `concurrencyPolicy`, else `allow` when `concurrent`, else `forbid`.
    public var effectiveConcurrencyPolicy: ConcurrencyPolicy {
        concurrencyPolicy ?? (concurrent ? .allow : .forbid)
    }

    /// How the job is triggered.
    public enum Trigger: Hashable, Sendable {
        case once
        case schedule(String)
        case cron(String)
        case parents([String])
    }

    /// The job's trigger, when it has exactly one.
    public var trigger: Trigger? {
        switch (schedule, cron, parents) {
        case (let s?, nil, nil): return s.isEmpty ? .once : .schedule(s)
        case (nil, let c?, nil): return .cron(c)
        case (nil, nil, let p?): return .parents(p)
        default: return nil
        }
    }
}

public enum DependencyMode: String, Hashable, Sendable, Encodable, CaseIterable {
    case all, any
}

public enum ConcurrencyPolicy: String, Hashable, Sendable, Encodable, CaseIterable {
    case allow, forbid, replace
}

/// One entry of `environmentVariables`.
public struct EnvironmentVariable: Hashable, Sendable, Encodable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// One entry of `fetch`: a file for the sandbox.
public struct FetchURI: Hashable, Sendable, Encodable {
    public var uri: String = ""
    public var executable: Bool = false
    public var extract: Bool = true
    public var cache: Bool = false
    public var output_file: String = ""

    public init(uri: String = "") { self.uri = uri }
}

/// One `[attribute, operator, value]` placement constraint.
public struct Constraint: Hashable, Sendable, Encodable {
    public enum Operator: String, Hashable, Sendable, Encodable, CaseIterable {
        case EQUALS, LIKE, UNLIKE
    }

    public var attribute: String
    public var op: Operator
    public var value: String

    public init(attribute: String, op: Operator, value: String) {
        self.attribute = attribute
        self.op = op
        self.value = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(attribute)
        try container.encode(op.rawValue)
        try container.encode(value)
    }
}
