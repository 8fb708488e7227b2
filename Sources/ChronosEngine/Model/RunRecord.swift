/// Where a run is in its life.
package enum RunState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Waiting to start: due, or waiting for its retry delay (`readyAt`), or behind a running run.
    case queued
    /// Launched and not yet finished.
    case running
    case succeeded
    case failed
    /// Killed by a user, a `replace` policy or a timeout.
    case killed
    /// The server lost track of it (it crashed while the run was in flight).
    case lost
    /// Not run: it could not start within epsilon of its due time.
    case skipped

    /// True for states a run never leaves.
    package var isFinal: Bool { self != .queued && self != .running }
}

/// What started a run.
package enum RunTrigger: String, Sendable, Hashable, Codable {
    case schedule, dependency, manual, retry
}

/// One run of a job, as stored: written before launch and after every change.
package struct RunRecord: Sendable, Hashable, Codable {
    package var taskID: TaskID
    package var state: RunState
    package var trigger: RunTrigger
    /// Earliest start (epoch ms): the due time, or when a retry's delay ends.
    package var readyAt: Int64
    package var queuedAt: Int64
    package var startedAt: Int64?
    package var endedAt: Int64?
    package var exitStatus: Int32?
    package var host: String = ""
    /// Why it failed, was killed, lost or skipped.
    package var reason: String = ""
    /// The run's sandbox folder (its `stdout` and `stderr` files are there).
    package var sandbox: String = ""
    /// Extra arguments of a manual run, each passed as one word (`POST /v1/jobs/{name}/run`).
    package var arguments: [String] = []
    /// The text of a Chronos `PUT job/{name}?arguments=…` run, appended to the command as it is, as
    /// Chronos appends it; kept so that a retry or a restart launches the same command line.
    package var argumentText: String?
    /// Elements an async data job reported processed (Chronos's `…/task/{taskId}/progress`), summed.
    package var elementsProcessed: Int64?
    /// For a `skipped` record: how many runs it stands for.
    package var skippedCount: Int = 0
    /// The process (and process group) id of a local run, and its start time in clock ticks since boot,
    /// so a restarted server can tell the process from a later one with the same id.
    package var pid: Int32?
    package var processStart: Int64?
    /// The leader epoch the run was stored in (ZooKeeper state only): which leader launched it.
    package var epoch: Int64?

    package init(taskID: TaskID, state: RunState, trigger: RunTrigger, readyAt: Int64, queuedAt: Int64) {
        self.taskID = taskID
        self.state = state
        self.trigger = trigger
        self.readyAt = readyAt
        self.queuedAt = queuedAt
    }

    package var job: String { taskID.job }
}
