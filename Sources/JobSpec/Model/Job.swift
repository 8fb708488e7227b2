/// A job as its spec describes it: Chronos's fields, with the same names, plus chronos-sync's extensions.
///
/// The spec is never rewritten: runtime state (next due time, runs left, counters) lives elsewhere.
/// Every stored property of `Job.Fields` is described in `JobField.all`, which drives loading, hashing and output.
public struct Job: Hashable, Sendable {
    /// The stored fields of a job. Every one is described in `JobField.all`.
    /// The Bools sit together: each alone between wider fields would take eight bytes.
    public struct Fields: Hashable, Sendable {
        /// Unique, `[A-Za-z0-9_.-]+`, at most 200 characters.
        public var name: String = ""
        public var description: String = ""
        /// Notification recipients, comma-separated emails.
        public var owner: String = ""
        public var ownerName: String = ""
        public var command: String = ""
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
        /// Run `command` with `/bin/sh -c` (true) or as an executable with `arguments` (false).
        public var shell: Bool = true
        public var dataProcessingJobType: Bool = false
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
    }

    /// The fields, in one shared allocation: a job is copied (into a plan, a run, a store batch, a
    /// cache) as one reference, and a copy is made only when a shared job is changed.
    @usableFromInline final class Box: ManagedBuffer<Fields, UInt8> {
        @usableFromInline static func make(_ fields: Fields) -> Box {
            unsafeDowncast(Box.create(minimumCapacity: 0) { _ in fields }, to: Box.self)
        }
    }

    // nonisolated(unsafe): the box is changed only through `fields`, which copies a shared box first,
    // so a job sent to another thread shares nothing that changes.
    @usableFromInline nonisolated(unsafe) var box: Box

    /// All the fields at once; changing them through it copies a job shared with another.
    @inlinable public var fields: Fields {
        _read { yield box.header }
        _modify {
            if !isKnownUniquelyReferenced(&box) { box = Box.make(box.header) }
            yield &box.header
        }
    }

    public init(name: String = "") {
        var fields = Fields()
        fields.name = name
        box = Box.make(fields)
    }

    public init(fields: Fields) { box = Box.make(fields) }

    @inlinable public static func == (a: Job, b: Job) -> Bool { a.box === b.box || a.box.header == b.box.header }

    public func hash(into hasher: inout Hasher) { box.header.hash(into: &hasher) }

    /// True when both are one copy of the fields (not only equal ones).
    @inlinable public func sharesFields(with other: Job) -> Bool { box === other.box }

    /// Calls `body` with the address of the job's fields, for `JobField`'s readers (no copy of any field).
    func withFields<R>(_ body: (UnsafeRawPointer) -> R) -> R {
        box.withUnsafeMutablePointerToHeader { body(UnsafeRawPointer($0)) }
    }

    @inlinable public var name: String {
        _read { yield box.header.name }
        _modify { yield &fields.name }
    }

    @inlinable public var description: String {
        _read { yield box.header.description }
        _modify { yield &fields.description }
    }

    @inlinable public var owner: String {
        _read { yield box.header.owner }
        _modify { yield &fields.owner }
    }

    @inlinable public var ownerName: String {
        _read { yield box.header.ownerName }
        _modify { yield &fields.ownerName }
    }

    @inlinable public var command: String {
        _read { yield box.header.command }
        _modify { yield &fields.command }
    }

    @inlinable public var shell: Bool {
        _read { yield box.header.shell }
        _modify { yield &fields.shell }
    }

    @inlinable public var arguments: [String] {
        _read { yield box.header.arguments }
        _modify { yield &fields.arguments }
    }

    @inlinable public var schedule: String? {
        _read { yield box.header.schedule }
        _modify { yield &fields.schedule }
    }

    @inlinable public var scheduleTimeZone: String {
        _read { yield box.header.scheduleTimeZone }
        _modify { yield &fields.scheduleTimeZone }
    }

    @inlinable public var cron: String? {
        _read { yield box.header.cron }
        _modify { yield &fields.cron }
    }

    @inlinable public var parents: [String]? {
        _read { yield box.header.parents }
        _modify { yield &fields.parents }
    }

    @inlinable public var epsilon: FixedDuration? {
        _read { yield box.header.epsilon }
        _modify { yield &fields.epsilon }
    }

    @inlinable public var retries: Int {
        _read { yield box.header.retries }
        _modify { yield &fields.retries }
    }

    @inlinable public var retryInterval: FixedDuration? {
        _read { yield box.header.retryInterval }
        _modify { yield &fields.retryInterval }
    }

    @inlinable public var retryBackoff: Double {
        _read { yield box.header.retryBackoff }
        _modify { yield &fields.retryBackoff }
    }

    @inlinable public var maxRetryInterval: FixedDuration? {
        _read { yield box.header.maxRetryInterval }
        _modify { yield &fields.maxRetryInterval }
    }

    @inlinable public var async: Bool {
        _read { yield box.header.async }
        _modify { yield &fields.async }
    }

    @inlinable public var concurrent: Bool {
        _read { yield box.header.concurrent }
        _modify { yield &fields.concurrent }
    }

    @inlinable public var notifyOnSuccess: Bool {
        _read { yield box.header.notifyOnSuccess }
        _modify { yield &fields.notifyOnSuccess }
    }

    @inlinable public var softError: Bool {
        _read { yield box.header.softError }
        _modify { yield &fields.softError }
    }

    @inlinable public var disabled: Bool {
        _read { yield box.header.disabled }
        _modify { yield &fields.disabled }
    }

    @inlinable public var highPriority: Bool {
        _read { yield box.header.highPriority }
        _modify { yield &fields.highPriority }
    }

    @inlinable public var cpus: Double {
        _read { yield box.header.cpus }
        _modify { yield &fields.cpus }
    }

    @inlinable public var mem: Double {
        _read { yield box.header.mem }
        _modify { yield &fields.mem }
    }

    @inlinable public var disk: Double {
        _read { yield box.header.disk }
        _modify { yield &fields.disk }
    }

    @inlinable public var runAsUser: String {
        _read { yield box.header.runAsUser }
        _modify { yield &fields.runAsUser }
    }

    @inlinable public var environmentVariables: [EnvironmentVariable] {
        _read { yield box.header.environmentVariables }
        _modify { yield &fields.environmentVariables }
    }

    @inlinable public var uris: [String] {
        _read { yield box.header.uris }
        _modify { yield &fields.uris }
    }

    @inlinable public var fetch: [FetchURI] {
        _read { yield box.header.fetch }
        _modify { yield &fields.fetch }
    }

    @inlinable public var container: Container? {
        _read { yield box.header.container }
        _modify { yield &fields.container }
    }

    @inlinable public var constraints: [Constraint] {
        _read { yield box.header.constraints }
        _modify { yield &fields.constraints }
    }

    @inlinable public var maxCompletionTime: Int {
        _read { yield box.header.maxCompletionTime }
        _modify { yield &fields.maxCompletionTime }
    }

    @inlinable public var timeout: FixedDuration? {
        _read { yield box.header.timeout }
        _modify { yield &fields.timeout }
    }

    @inlinable public var dependencyMode: DependencyMode {
        _read { yield box.header.dependencyMode }
        _modify { yield &fields.dependencyMode }
    }

    @inlinable public var concurrencyPolicy: ConcurrencyPolicy? {
        _read { yield box.header.concurrencyPolicy }
        _modify { yield &fields.concurrencyPolicy }
    }

    @inlinable public var executor: String {
        _read { yield box.header.executor }
        _modify { yield &fields.executor }
    }

    @inlinable public var executorFlags: String {
        _read { yield box.header.executorFlags }
        _modify { yield &fields.executorFlags }
    }

    @inlinable public var taskInfoData: String {
        _read { yield box.header.taskInfoData }
        _modify { yield &fields.taskInfoData }
    }

    @inlinable public var dataProcessingJobType: Bool {
        _read { yield box.header.dataProcessingJobType }
        _modify { yield &fields.dataProcessingJobType }
    }

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
