internal import CProcess
import JobSpec
import Logging
import ServiceLifecycle

/// The scheduler service: owns the `SchedulerCore`, sleeps until its next timer, and performs each
/// step it returns — store first, then launch and kill — so a crash never loses a run.
package actor Scheduler: Service {
    var core: SchedulerCore
    let store: any StateStore
    let launcher: any Launcher
    /// The launcher, when it takes the runs due together in one call.
    nonisolated let batchLauncher: (any BatchLauncher)?
    let clock: any SchedulerClock
    let logger: Logger
    /// Asked right before each launch; an HA leader that may have been replaced launches nothing.
    nonisolated let launchGate: (any LaunchGate)?
    /// Takes the notices of each stored step (failures, disables, successes asked for); it only queues.
    nonisolated let notices: (any NoticeSink)?
    /// Counts runs started and ended, with their durations and delays.
    nonisolated let metrics: RunMetrics
    /// Every write goes through it, so batches reach the store in the order of the steps even when
    /// one is retried.
    nonisolated let writer: OrderedStoreWriter
    private let inbox: LaunchInbox
    /// What launchers report, posted to the inbox: the one place a report becomes an inbox event.
    private nonisolated let reports: LaunchReports
    private let launches: AsyncStream<[SchedulerStep.Launch]>
    private let launchSink: AsyncStream<[SchedulerStep.Launch]>.Continuation
    /// Wakes the timer loop when a step adds a timer sooner than the one it sleeps until.
    private let wake = WakeSignal()
    /// The time the timer loop sleeps until (`Int64.max` with no timer); nil while it is awake.
    private var sleepingUntil: Int64?
    private enum Restore {
        case notStarted
        case running([CheckedContinuation<Void, any Error>])
        case done
    }

    private var restoreState = Restore.notStarted
    /// Changes whenever anything the scheduler shows may have changed (every step it performs).
    package private(set) var version: UInt64 = 0

    package init(store: any StateStore, launcher: any Launcher, options: SchedulerOptions = SchedulerOptions(),
                clock: any SchedulerClock = WallClock(), logger: Logger = Logger(label: "chronos-sync.scheduler"),
                launchGate: (any LaunchGate)? = nil, notices: (any NoticeSink)? = nil, metrics: RunMetrics = RunMetrics()) {
        core = SchedulerCore(options: options)
        self.launchGate = launchGate
        self.notices = notices
        self.metrics = metrics
        self.store = store
        self.launcher = launcher
        batchLauncher = launcher as? any BatchLauncher
        self.clock = clock
        self.logger = logger
        writer = OrderedStoreWriter(store: store, clock: clock, logger: logger)
        (launches, launchSink) = AsyncStream.makeStream()
        let inbox = LaunchInbox()
        self.inbox = inbox
        reports = LaunchReports(started: { inbox.post(.started($0, $1)) }, waiting: { inbox.post(.waiting($0, $1)) },
                                failedToStart: { inbox.post(.failedToStart($0, $1)) }, ended: { inbox.post(.ended($0, $1)) })
    }

    /// Loads the stored state: jobs, runtime state and runs in flight (which become lost and are retried).
    /// Runs once; callers that arrive while it runs wait for it.
    package func restore() async throws {
        switch restoreState {
        case .done:
            return
        case .running(let waiters):
            try await withCheckedThrowingContinuation { restoreState = .running(waiters + [$0]) }
            return
        case .notStarted:
            restoreState = .running([])
        }
        do {
            let stored = try await store.load()
            // A launcher that can still follow a run (a Mesos task) takes it back; the others' are orphans.
            let jobs = Dictionary(stored.jobs.map { ($0.job.name, $0.job) }, uniquingKeysWith: { $1 })
            var adopted: Set<TaskID> = []
            for run in stored.activeRuns where run.state == .running {
                if let job = jobs[run.job], await launcher.adopt(run, job: job, onExit: reports.ended) {
                    adopted.insert(run.taskID)
                } else {
                    await launcher.killOrphan(run)
                }
            }
            await perform(core.restore(stored, now: clock.now(), adopted: adopted))
            Self.releaseFreedMemory(after: stored.jobs.count)
            logger.info("restored \(stored.jobs.count) jobs, \(stored.activeRuns.count) runs in flight")
            if case .running(let waiters) = restoreState { waiters.forEach { $0.resume() } }
            restoreState = .done
        } catch {
            if case .running(let waiters) = restoreState { waiters.forEach { $0.resume(throwing: error) } }
            restoreState = .notStarted
            throw error
        }
    }

    package func run() async throws {
        try await restore()
        await withDiscardingTaskGroup { group in
            group.addTask { await self.timerLoop() }
            group.addTask {
                // Launch results and process ends, taken in batches: one store write for many of them.
                for await _ in self.inbox.signals { await self.processInbox() }
            }
            group.addTask {
                await withDiscardingTaskGroup { launching in
                    // A launcher that takes batches gets each whole. Otherwise one task per launch, so a
                    // slow one (a large fetch) holds up no other; when thousands are due at once, a task
                    // per launch costs more than a quick launch itself, so they go in at most 256 groups,
                    // each launching in turn.
                    for await batch in self.launches {
                        if let batching = self.batchLauncher {
                            launching.addTask { await self.handOver(batch, to: batching) }
                            continue
                        }
                        let size = batch.count <= 256 ? 1 : (batch.count + 255) / 256
                        for start in stride(from: 0, to: batch.count, by: size) {
                            let group = batch[start..<min(start + size, batch.count)]
                            launching.addTask { for launch in group { await self.launch(launch) } }
                        }
                    }
                }
            }
            // Runs until a graceful shutdown (SIGTERM/SIGINT through the ServiceGroup) or cancellation.
            // Runs still in flight keep going; the next start finds them lost, kills and retries them.
            try? await gracefulShutdown()
            inbox.finish()
            launchSink.finish()
            group.cancelAll()
        }
        logger.info("scheduler stopped")
    }

    /// Performs what is due, then sleeps exactly until the next timer; a step that adds a sooner one
    /// wakes it (see `perform`).
    private func timerLoop() async {
        while !Task.isCancelled {
            await perform(core.advance(now: clock.now()))
            var next = core.nextWakeup
            // Thousands of runs ready at one time are started a little ahead: their starts are stored
            // before that time and their launches handed over at it, so the batch's own work (about
            // 1 µs a run, then the write) does not make them late.
            if let batch = core.nextBatch(atLeast: Self.batchAhead) {
                let ahead = batch.time - Self.lead(batch.count)
                let now = clock.now()
                if now >= ahead && now < batch.time {
                    await perform(core.startAhead(readyAt: batch.time), launchAt: batch.time)
                    continue
                }
                next = min(next ?? ahead, ahead)
            }
            sleepingUntil = next ?? .max
            await clock.sleep(until: next, or: wake)
            sleepingUntil = nil
        }
    }

    /// The size of a batch of runs ready at once that is started ahead of its time.
    static let batchAhead = 1000

    /// How far ahead of its time a batch of `count` runs is started (ms): its transition and its write.
    static func lead(_ count: Int) -> Int64 { 10 + Int64(count) / 400 }

    /// Hands a run to the launcher; its start (or failure to start) and its end come back through the inbox.
    private nonisolated func launch(_ launch: SchedulerStep.Launch) async {
        let reports = self.reports
        let id = launch.run.taskID
        if let launchGate, await !launchGate.mayLaunch() {
            logger.warning("\(id) not launched: this instance no longer leads (the next leader starts it)")
            return
        }
        do {
            try await launcher.launch(launch.run, job: launch.job, onStart: { reports.started(id, $0) },
                                      onWait: { reports.waiting(id, $0) }, onExit: reports.ended)
        } catch {
            reports.failedToStart(id, "\(error)")
        }
    }

    /// Hands a batch to a launcher that takes it whole. The batch's runs are handed over at one time, so
    /// one question to the launch gate covers them all.
    private nonisolated func handOver(_ batch: [SchedulerStep.Launch], to launcher: any BatchLauncher) async {
        if let launchGate, await !launchGate.mayLaunch() {
            logger.warning("\(batch.count) runs not launched, \(batch[0].run.taskID) first: this instance no longer leads (the next leader starts them)")
            return
        }
        await launcher.launch(batch, reports: reports)
    }

    private func processInbox() async {
        let events = inbox.drain()
        guard !events.isEmpty else { return }
        var step = SchedulerStep()
        let now = clock.now()
        for event in events {
            switch event {
            case .started(let id, let info):
                step.append(core.started(id, pid: info.pid, processStart: info.processStart, sandbox: info.sandbox, host: info.host))
            case .waiting(let id, let reason):
                step.append(core.waiting(id, reason: reason))
            case .failedToStart(let id, let reason):
                logger.warning("\(id) could not start: \(reason)")
                step.append(core.finished(id, outcome: .failedToStart(reason), now: now))
            case .ended(let id, let outcome):
                step.append(core.finished(id, outcome: outcome, now: now))
            }
        }
        await perform(step)
    }

    /// Writes the step's batch, then hands its launches and kills on. Batches reach the store in the
    /// order of the steps (the write is queued before the first suspension), and a failed one is
    /// retried before any behind it: nothing is launched that is not stored. When the writer stops
    /// (retries cancelled at shutdown), the step's launches and kills are dropped.
    func perform(_ step: SchedulerStep, launchAt: Int64? = nil) async {
        if !step.isEmpty { version &+= 1 }
        if let until = sleepingUntil, let next = core.nextWakeup, next < until {
            sleepingUntil = nil
            wake.signal()
        }
        for event in step.events { logger.info("\(event)") }
        do {
            try await writer.write(step.batch)
        } catch {
            logger.error("\(step.launches.count) launches and \(step.kills.count) kills not performed: \(error)")
            return
        }
        // Counted before any wait below, so that counting 10,000 starts does not run beside their
        // hand-over (a batch started ahead starts at `launchAt` either way).
        metrics.record(step)
        if let launchAt, !step.launches.isEmpty {
            // Started ahead: handed over at their time, less any killed or ended meanwhile (when no
            // other step came in between, none was).
            let before = version
            try? await clock.sleep(until: launchAt)
            let launches = version == before ? step.launches : step.launches.filter { core.active[$0.run.taskID]?.state == .running }
            if !launches.isEmpty { launchSink.yield(launches) }
        } else if !step.launches.isEmpty {
            launchSink.yield(step.launches)
        }
        if !step.notices.isEmpty { notices?.post(step.notices) }
        for kill in step.kills where core.active[kill.taskID] != nil {
            if await !launcher.kill(kill.taskID, reason: kill.reason) {
                // No process to signal (an async job's has exited): the run ends here.
                await perform(core.finished(kill.taskID, outcome: .killed(kill.reason), now: clock.now()))
            }
        }
    }
}

// MARK: - Commands

extension Scheduler {
    /// Kills the process of every run in flight without recording anything: for an HA leader that
    /// stopped leading. The next leader finds the runs lost and retries them by their policy.
    package func relinquish(reason: String) async {
        for (id, run) in core.active where run.state == .running {
            _ = await launcher.kill(id, reason: reason)
        }
    }
}

extension Scheduler {
    /// Makes `jobs` the scheduler's jobs.
    package func apply(_ jobs: [AppliedJob]) async throws {
        try await restore()
        await perform(core.apply(jobs, now: clock.now()))
        Self.releaseFreedMemory(after: jobs.count)
    }

    /// After thousands of jobs were applied, hands the memory their decoding and storing used back to the
    /// system (glibc keeps freed memory in its heap otherwise: 34 MB of 210 for 100,000 jobs).
    static func releaseFreedMemory(after changes: Int) {
        if changes >= 1000 { malloc_trim(0) }
    }

    /// Runs a job now with extra arguments (words, or a Chronos `?arguments=` text); returns the run's task id.
    package func runNow(_ name: String, arguments: [String] = [], argumentText: String? = nil) async throws -> TaskID {
        let (id, step) = try core.runNow(name, arguments: arguments, argumentText: argumentText, now: clock.now())
        await perform(step)
        return id
    }

    package func markSuccess(_ name: String) async throws {
        await perform(try core.markSuccess(name, now: clock.now()))
    }

    package func kill(_ name: String) async throws {
        await perform(try core.kill(name, now: clock.now()))
    }

    package func setDisabled(_ name: String, _ disabled: Bool) async throws {
        await perform(try core.setDisabled(name, disabled, now: clock.now()))
    }

    package func asyncReported(_ id: TaskID, statusCode: Int32) async {
        await perform(core.asyncReported(id, statusCode: statusCode, now: clock.now()))
    }

    /// Adds to a run's reported progress; false when the run is not queued or running.
    package func progress(_ id: TaskID, elements: Int64) async -> Bool {
        guard let step = core.progress(id, elements: elements) else { return false }
        await perform(step)
        return true
    }

    /// Drops every run not yet started (`SchedulerCore.purgeQueued`); returns how many.
    package func purgeQueued() async -> Int {
        let (count, step) = core.purgeQueued(now: clock.now())
        await perform(step)
        return count
    }

    /// Every job with its state, sorted by name.
    package func statuses() -> [JobStatus] { core.statuses() }

    /// Every job with its source, in name order, without its runtime state.
    package func sourcedJobs() -> [(job: Job, source: JobSource)] { core.sourcedJobs }

    /// The statuses with the version they show.
    package func versionedStatuses() -> (UInt64, [JobStatus]) { (version, core.statuses()) }

    /// One job with its state.
    package func status(of name: String) -> JobStatus? { core.status(of: name) }

    /// Run times (ms) of a job's recent successful runs.
    package func durations(of name: String) -> [Int64] { core.durations(of: name) }

    /// Creates or replaces one job (the API's upsert); refuses a missing parent or a dependency cycle.
    package func upsert(_ applied: AppliedJob) async throws {
        try await restore()
        if let problem = core.rejection(for: applied.job) { throw JobRejection(problem) }
        await perform(core.upsert(applied, now: clock.now()))
    }

    /// Applies a sync from the job source: deletes, then creates and updates, as one step.
    package func sync(upserts: [AppliedJob], deletes: [String]) async throws {
        try await restore()
        await perform(core.applyChanges(upserts: upserts, deletes: deletes, now: clock.now()))
        Self.releaseFreedMemory(after: upserts.count + deletes.count)
    }

    /// Deletes one job; refuses while other jobs list it as a parent.
    package func delete(_ name: String) async throws {
        guard core.jobs[name] != nil else { throw UnknownJobError(name: name) }
        let children = core.children(of: name)
        if !children.isEmpty {
            throw JobRejection("job \"\(name)\" is a parent of \(children.map { "\"\($0)\"" }.joined(separator: ", ")); delete or change them first")
        }
        await perform(core.delete(name, now: clock.now()))
    }

}
