import JobSpec

/// What one transition of the scheduler asks its owner to do, in this order: write `batch` to the
/// state store, then launch `launches` and kill `kills`. Nothing is launched before it is stored.
public struct SchedulerStep: Sendable {
    public struct Launch: Sendable {
        public var run: RunRecord
        public var job: Job
    }

    public struct Kill: Sendable, Hashable {
        public var taskID: TaskID
        public var reason: String
    }

    public var batch = StoreBatch()
    public var launches: [Launch] = []
    public var kills: [Kill] = []
    /// What happened, for the log.
    public var events: [String] = []

    public init() {}

    mutating func save(_ run: RunRecord) { batch.runs.append(run) }

    /// Appends what `other` asks for after what this step asks for.
    mutating func append(_ other: SchedulerStep) {
        batch.upsertJobs += other.batch.upsertJobs
        batch.deleteJobs += other.batch.deleteJobs
        batch.states.merge(other.batch.states) { $1 }
        batch.runs += other.batch.runs
        launches += other.launches
        kills += other.kills
        events += other.events
    }
    mutating func save(_ name: String, _ state: JobState) { batch.states[name] = state }
}
