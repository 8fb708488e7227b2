import ChronosEngine
import JobSpec
@testable import Reconciler

let jobA = "name: a\ncommand: echo a\nschedule: R/2030-01-01T00:00:00Z/P1D\n"
let jobB = "name: b\ncommand: echo b\nparents: [a]\n"

/// A controller wired to in-memory doubles: commits in memory, a real scheduler on an in-memory store
/// with a launcher that starts nothing, and a log kept for the test.
struct SyncHarness {
    let effects = EffectLog()
    let logs = LogRecord()
    let source: MemoryGitSource
    let store: MemoryStateStore
    let scheduler: Scheduler
    let controller: SyncController

    init(clock: any SchedulerClock = WallClock()) {
        source = MemoryGitSource(log: effects)
        store = MemoryStateStore(log: effects)
        scheduler = Scheduler(store: store, launcher: RecordingLauncher(), clock: clock)
        controller = SyncController(source: source, scheduler: scheduler, store: store, clock: clock, logger: logs.logger())
    }

    /// The live jobs by name.
    func live() async -> [String: JobStatus] {
        Dictionary(uniqueKeysWithValues: await scheduler.statuses().map { ($0.job.name, $0) })
    }

    /// Creates or changes a job through the API, as `POST /v1/scheduler/iso8601` does.
    func postThroughAPI(_ yaml: String) async throws {
        try await scheduler.upsert(try AppliedJob(job: job(yaml), source: .api, appliedAt: 0))
    }
}

/// The job a spec's text loads to, with every default the loader sets.
func job(_ yaml: String) -> Job {
    let loaded = JobLoader.load(root: "jobs", sources: [SpecSource(path: "jobs/x.yaml", key: nil) { Array(yaml.utf8) }])
    precondition(loaded.isValid && loaded.jobs.count == 1, "\(loaded.diagnostics)")
    return loaded.jobs[0].job
}
