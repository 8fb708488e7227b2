import JobSpec

/// What one transition of the scheduler asks its owner to do, in this order: write `batch` to the
/// state store, then launch `launches` and kill `kills`. Nothing is launched before it is stored.
package struct SchedulerStep: Sendable {
    /// A run to hand to the launcher: one reference, so that handing over 10,000 of them copies no
    /// run record.
    package final class Launch: Sendable {
        package let run: RunRecord
        /// The job's spec (one reference, shared with the jobs table).
        package let job: Job

        init(run: RunRecord, job: Job) {
            self.run = run
            self.job = job
        }
    }

    package struct Kill: Sendable, Hashable {
        package var taskID: TaskID
        package var reason: String
    }

    package var batch = StoreBatch()
    package var launches: [Launch] = []
    package var kills: [Kill] = []
    /// What happened, for the log.
    package var events: [String] = []
    /// Runs that ended in this step, as they ended (for metrics).
    package var ended: [RunRecord] = []
    /// What people should hear about, handed to the notifier once the batch is stored.
    package var notices: [Notice] = []
    /// Runs first stored in this step (their whole record is written).
    var newRuns: Set<TaskID> = []
    /// Runs stored as queued in an earlier step that start in this one.
    var startedStored: [(id: TaskID, readyAt: Int64)] = []

    package init() {}

    /// True when the step asks for nothing and changed nothing.
    package var isEmpty: Bool { batch.isEmpty && launches.isEmpty && kills.isEmpty && events.isEmpty && ended.isEmpty }

    mutating func save(_ run: RunRecord) { batch.runs.append(run) }

    /// Appends what `other` asks for after what this step asks for.
    mutating func append(_ other: SchedulerStep) {
        batch.upsertJobs += other.batch.upsertJobs
        batch.deleteJobs += other.batch.deleteJobs
        batch.states.merge(other.batch.states) { $1 }
        batch.runs += other.batch.runs
        launches += other.launches
        ended += other.ended
        notices += other.notices
        newRuns.formUnion(other.newRuns)
        batch.startedRuns += other.batch.startedRuns
        batch.startedReadyAt += other.batch.startedReadyAt
        kills += other.kills
        events += other.events
    }
    mutating func save(_ name: String, _ state: JobState) { batch.states[name] = state }
}
