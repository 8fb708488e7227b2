import JobSpec

/// Where a launched run is.
package struct LaunchInfo: Sendable, Hashable {
    package var pid: Int32?
    package var processStart: Int64?
    package var sandbox: String
    package var host: String

    package init(pid: Int32?, processStart: Int64?, sandbox: String, host: String) {
        self.pid = pid
        self.processStart = processStart
        self.sandbox = sandbox
        self.host = host
    }
}

/// A run that could not be started: what went wrong (a code to act on) and why, in words that say what to
/// change. The message is what the run's history shows as its reason.
package struct LaunchError: Error, Sendable, CustomStringConvertible {
    package enum Code: String, Sendable {
        /// A `uris`/`fetch` entry could not be fetched or extracted.
        case fetch
        /// The run's sandbox folder could not be made.
        case sandbox
        /// The process could not be started.
        case spawn
        /// The job asks for what this launcher cannot give (a container, another user).
        case unsupported
    }

    package var code: Code
    package var message: String
    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    package var description: String { message }
}

/// Starts runs somewhere (local processes, Mesos) and reports their end. The scheduler does not know
/// which launcher it talks to.
package protocol Launcher: Sendable {
    /// Starts `run` of `job`: calls `onStart` once it runs, then `onExit` once when it ends (never the
    /// other way round). Throws when it cannot start.
    func launch(_ run: RunRecord, job: Job, onStart: @escaping @Sendable (LaunchInfo) -> Void,
                onExit: @escaping @Sendable (TaskID, RunOutcome) -> Void) async throws
    /// Stops a run; its end is reported through its `onExit` as killed with `reason`. A run still being
    /// launched is killed as soon as it starts. Returns false when the launcher has no such run (it
    /// ended, or its process is gone, as an async job's is), so the caller ends it itself.
    func kill(_ id: TaskID, reason: String) async -> Bool
    /// Kills what is left of a run from before a restart, if its process is still alive.
    func killOrphan(_ run: RunRecord) async
    /// As `launch`, and tells `onWait` why the run waits whenever the launcher holds it before it can start
    /// it (a Mesos launcher waiting for an offer that fits). The default never calls `onWait`.
    func launch(_ run: RunRecord, job: Job, onStart: @escaping @Sendable (LaunchInfo) -> Void,
                onWait: @escaping @Sendable (String) -> Void,
                onExit: @escaping @Sendable (TaskID, RunOutcome) -> Void) async throws
    /// Takes back a run that was running before a restart, when the launcher can still follow it (a Mesos
    /// task, found again through reconciliation): its end is reported through `onExit`. The default
    /// cannot (a local process is not ours to follow after a restart) and answers false.
    func adopt(_ run: RunRecord, job: Job, onExit: @escaping @Sendable (TaskID, RunOutcome) -> Void) async -> Bool
}

extension Launcher {
    package func launch(_ run: RunRecord, job: Job, onStart: @escaping @Sendable (LaunchInfo) -> Void,
                        onWait: @escaping @Sendable (String) -> Void,
                        onExit: @escaping @Sendable (TaskID, RunOutcome) -> Void) async throws {
        try await launch(run, job: job, onStart: onStart, onExit: onExit)
    }

    package func adopt(_ run: RunRecord, job: Job, onExit: @escaping @Sendable (TaskID, RunOutcome) -> Void) async -> Bool {
        false
    }
}

/// What a launcher reports about the runs of a batch, each report naming its run: one set of
/// callbacks for the whole batch instead of three closures a run.
package struct LaunchReports: Sendable {
    package let started: @Sendable (TaskID, LaunchInfo) -> Void
    package let waiting: @Sendable (TaskID, String) -> Void
    package let failedToStart: @Sendable (TaskID, String) -> Void
    package let ended: @Sendable (TaskID, RunOutcome) -> Void

    package init(started: @escaping @Sendable (TaskID, LaunchInfo) -> Void, waiting: @escaping @Sendable (TaskID, String) -> Void,
                 failedToStart: @escaping @Sendable (TaskID, String) -> Void, ended: @escaping @Sendable (TaskID, RunOutcome) -> Void) {
        self.started = started
        self.waiting = waiting
        self.failedToStart = failedToStart
        self.ended = ended
    }

    /// The reports of one run, from a single launch's callbacks (a failure to start is thrown by the
    /// launch itself, so it is not reported).
    package init(onStart: @escaping @Sendable (LaunchInfo) -> Void = { _ in }, onWait: @escaping @Sendable (String) -> Void = { _ in },
                 onExit: @escaping @Sendable (TaskID, RunOutcome) -> Void) {
        self.init(started: { onStart($1) }, waiting: { onWait($1) }, failedToStart: { _, _ in }, ended: onExit)
    }
}

/// A launcher that takes the runs due together in one call, as the Mesos launcher queues them for the
/// next offers: one hand-over for a batch of 10,000 instead of one each. A launcher whose every launch
/// does work of its own (a local process: a fetch, a spawn) launches run by run instead.
package protocol BatchLauncher: Launcher {
    /// Takes `launches`, in order, without waiting for any to start; each one's start, wait, failure to
    /// start and end is reported to `reports`.
    func launch(_ launches: [SchedulerStep.Launch], reports: LaunchReports) async
}

/// Decides, right before a launch, whether this instance may still launch (an HA leader checks that it
/// still holds the lead; after a long pause it asks ZooKeeper).
package protocol LaunchGate: AnyObject, Sendable {
    func mayLaunch() async -> Bool
}
