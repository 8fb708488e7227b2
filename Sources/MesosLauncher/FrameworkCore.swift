import ChronosEngine
import JobSpec

/// What the framework asks its I/O to do, in order. Nothing here does I/O.
package enum Effect: Sendable, Hashable {
    /// Open a SUBSCRIBE stream (generation `generation`) with this call.
    case subscribe(generation: Int, call: JSON)
    /// Close the stream of `generation`.
    case closeStream(generation: Int)
    /// Send a call with the current `Mesos-Stream-Id`.
    case call(JSON)
    /// Store the framework id (nil forgets it); later effects wait for it.
    case storeFrameworkID(String?)
    /// Store what is known of a task (nil forgets it); later effects wait for it.
    case storeTask(TaskID, TaskRecord?)
    /// Tell the engine the run started (it stores where).
    case started(TaskID, LaunchInfo)
    /// Tell the engine why the run still waits.
    case waiting(TaskID, String)
    /// Tell the engine the run ended.
    case ended(TaskID, RunOutcome)
    case log(String)
}

/// What the framework stores of a task: written before the ACCEPT that launches it and when it ends, so a
/// restart knows its agent and, for a task that ended meanwhile, how it ended.
package struct TaskRecord: Sendable, Hashable, Codable {
    package var agentID: String
    package var hostname: String
    package var agentURL: String?
    package var state: String
    package var message: String?

    package init(agentID: String, hostname: String, agentURL: String?, state: String, message: String? = nil) {
        self.agentID = agentID
        self.hostname = hostname
        self.agentURL = agentURL
        self.state = state
        self.message = message
    }
}

/// The Mesos framework's decisions as a value: events in (stream opened, SUBSCRIBED, OFFERS, UPDATE, a
/// silent stream, runs to launch and kill, the clock), effects out (calls, store writes, reports to the
/// engine). Tested with plain values; `MesosLauncher` performs the effects.
package struct FrameworkCore: Sendable {
    package enum Connection: Sendable, Hashable {
        /// Not connected; subscribe at `retryAt` (ms). `attempt` drives the backoff.
        case idle(retryAt: Int64, attempt: Int)
        case subscribing(generation: Int, since: Int64, attempt: Int)
        case subscribed(generation: Int, heartbeat: Int64, lastEvent: Int64)
    }

    /// One run the framework holds.
    package struct Task: Sendable {
        package var run: RunRecord
        package var job: Job
        /// Nil while it waits for an offer; set once an ACCEPT launched it (or it was adopted).
        package var agentID: String?
        package var launched = false
        package var hostname = ""
        package var agentURL: String?
        /// The latest Mesos state.
        package var state: String?
        package var started = false
        /// Why it waits, as last told to the engine.
        package var waitReason: String?
        /// Set when it was asked to stop.
        package var killReason: String?
        /// Since when it has been unreachable, lost or unknown.
        package var uncertainSince: Int64?
        /// When to ask the master about it next (explicit reconciliation), and how often it was asked.
        package var reconcileAt: Int64?
        package var reconcileAttempt = 0
        /// Launches the master dropped (a stale offer) before it ran.
        package var drops = 0
    }

    package let settings: FrameworkSettings
    let builder: TaskBuilder
    package var frameworkID: String?
    package private(set) var connection: Connection = .idle(retryAt: 0, attempt: 0)
    package private(set) var generation = 0
    package internal(set) var tasks: [TaskID: Task] = [:]
    /// Tasks waiting for an offer, in launch order.
    package internal(set) var queue: [TaskID] = []
    package internal(set) var suppressed = false
    var nextImplicitReconcile: Int64 = .max
    /// Tasks whose end is stored as a `TaskRecord`, and when: the record is deleted a reconciliation
    /// interval later, when the engine has long stored the run's end itself.
    package internal(set) var endedRecords: [TaskID: Int64] = [:]

    package init(settings: FrameworkSettings, frameworkID: String?) {
        self.settings = settings
        builder = TaskBuilder(settings: settings)
        self.frameworkID = frameworkID
    }

    package var isSubscribed: Bool {
        if case .subscribed = connection { return true }
        return false
    }

    // MARK: - Connection

    /// Time passes: subscribe when due, watch heartbeats, reconcile, give up on tasks unreachable too long.
    package mutating func tick(now: Int64) -> [Effect] {
        var effects: [Effect] = []
        switch connection {
        case .idle(let retryAt, let attempt) where now >= retryAt:
            generation += 1
            connection = .subscribing(generation: generation, since: now, attempt: attempt)
            suppressed = queue.isEmpty
            effects.append(.subscribe(generation: generation, call: Call.subscribe(settings, frameworkID: frameworkID, suppressed: suppressed)))
        case .subscribing(let generation, let since, let attempt) where now - since > settings.subscribeTimeout:
            effects.append(.log("no SUBSCRIBED within \(settings.subscribeTimeout / 1000) s; subscribing again"))
            effects.append(.closeStream(generation: generation))
            connection = .idle(retryAt: now + backoff(attempt), attempt: attempt + 1)
        case .subscribed(let generation, let heartbeat, let lastEvent) where now - lastEvent > heartbeat * Int64(settings.heartbeatMisses):
            effects.append(.log("no event for \(settings.heartbeatMisses) heartbeat intervals (\((now - lastEvent) / 1000) s): the stream is dead; subscribing again"))
            effects.append(.closeStream(generation: generation))
            disconnected(now: now, attempt: 0)
        default:
            break
        }
        if isSubscribed, let frameworkID {
            effects += reconcileDue(frameworkID, now: now)
            if now >= nextImplicitReconcile {
                nextImplicitReconcile = now + settings.reconciliationInterval
                effects.append(.call(Call.reconcile(frameworkID, tasks: [])))
            }
        }
        effects += expireUncertain(now: now)
        for (id, at) in endedRecords where now - at > settings.reconciliationInterval {
            endedRecords[id] = nil
            effects.append(.storeTask(id, nil))
        }
        return effects
    }

    /// The delay before resubscription attempt `attempt + 1`: doubling, capped.
    package func backoff(_ attempt: Int) -> Int64 {
        min(settings.resubscribeMaxBackoff, settings.resubscribeBackoff << Int64(min(attempt, 20)))
    }

    mutating func disconnected(now: Int64, attempt: Int) {
        connection = .idle(retryAt: now + backoff(attempt), attempt: attempt + 1)
        nextImplicitReconcile = .max
    }

    /// The stream of `generation` ended (closed, refused, redirected away, unreachable).
    package mutating func streamClosed(generation: Int, reason: String, now: Int64) -> [Effect] {
        guard generation == self.generation else { return [] }
        switch connection {
        case .subscribing(_, _, let attempt):
            disconnected(now: now, attempt: attempt)
            return [.log("SUBSCRIBE failed: \(reason); retrying in \(backoff(attempt) / 1000) s")]
        case .subscribed:
            disconnected(now: now, attempt: 0)
            return [.log("the SUBSCRIBE stream ended: \(reason); subscribing again")]
        case .idle:
            return []
        }
    }

    /// A call was answered with something other than 202 (or not at all).
    package mutating func callFailed(_ call: JSON, status: Int, message: String, now: Int64) -> [Effect] {
        var effects: [Effect] = [.log("\(call["type"].string ?? "call") answered \(status == 0 ? "nothing" : String(status)): \(message)")]
        if call["type"].string == "ACCEPT", (400..<500).contains(status) {
            // The master did not take the launch: its tasks wait for another offer.
            let ids = call["accept"]["operations"].array.flatMap { $0["launch"]["task_infos"].array }.compactMap { TaskID($0["task_id"].idValue ?? "") }
            for id in ids.reversed() where tasks[id] != nil {
                tasks[id]!.agentID = nil
                tasks[id]!.launched = false
                queue.insert(id, at: 0)
                effects.append(.storeTask(id, nil))
            }
        }
        if status == 403, case .subscribed(let generation, _, _) = connection {
            // "Framework is not subscribed": the master dropped this subscription.
            effects.append(.closeStream(generation: generation))
            disconnected(now: now, attempt: 0)
        }
        return effects
    }

    /// One event of the stream of `generation`.
    package mutating func received(_ event: Event, generation: Int, now: Int64) -> [Effect] {
        guard generation == self.generation else { return [] }
        if case .subscribed(let generation, let heartbeat, _) = connection {
            connection = .subscribed(generation: generation, heartbeat: heartbeat, lastEvent: now)
        }
        switch event {
        case .subscribed(let id, let heartbeat):
            return subscribed(id, heartbeat: heartbeat, now: now)
        case .offers(let offers):
            return self.offers(offers, now: now)
        case .update(let status):
            return update(status, now: now)
        case .error(let message):
            return error(message, now: now)
        case .failure(let agent):
            return [.log("agent \(agent ?? "?") failed")]
        case .heartbeat, .rescind, .other:
            return []
        }
    }

    mutating func subscribed(_ id: String, heartbeat: Double, now: Int64) -> [Effect] {
        var effects: [Effect] = []
        // Stored before anything is done as this framework: a restart must find its tasks again.
        if frameworkID != id { effects.append(.storeFrameworkID(id)) }
        frameworkID = id
        connection = .subscribed(generation: generation, heartbeat: Int64(max(heartbeat, 0.01) * 1000), lastEvent: now)
        effects.append(.log("subscribed as framework \(id)"))
        // Explicit reconciliation of every task launched, after every SUBSCRIBED; kills asked for while
        // disconnected are sent now.
        for (taskID, task) in tasks where task.launched {
            tasks[taskID]!.reconcileAt = now
            tasks[taskID]!.reconcileAttempt = 0
            if task.killReason != nil { effects.append(.call(Call.kill(id, task: taskID.description, agent: task.agentID))) }
        }
        effects += reconcileDue(id, now: now)
        nextImplicitReconcile = now + settings.reconciliationInterval
        if !queue.isEmpty && suppressed {
            suppressed = false
            effects.append(.call(Call.revive(id, role: settings.role)))
        }
        return effects
    }

    mutating func error(_ message: String, now: Int64) -> [Effect] {
        var effects: [Effect] = [.log("Mesos sent ERROR: \(message)")]
        effects.append(.closeStream(generation: generation))
        if message.contains("removed") {
            // The framework id is dead for good, and its tasks with it: subscribe as a new framework.
            effects.append(.storeFrameworkID(nil))
            frameworkID = nil
            for (id, task) in tasks where task.launched {
                tasks[id] = nil
                effects.append(.storeTask(id, nil))
                effects.append(.ended(id, task.killReason.map { .killed($0) } ?? .lost("Mesos removed the framework (\(message)), and its tasks with it")))
            }
        }
        disconnected(now: now, attempt: 1)
        return effects
    }

    // MARK: - Runs

    /// A run to launch: it waits for an offer. Offers are revived if they were suppressed.
    package mutating func launch(_ run: RunRecord, job: Job, now: Int64) -> [Effect] {
        guard tasks[run.taskID] == nil else { return [] }
        tasks[run.taskID] = Task(run: run, job: job)
        queue.append(run.taskID)
        return reviveIfNeeded()
    }

    /// A run from before a restart, with what was stored of its task: its state is asked of the master
    /// at the next SUBSCRIBED; a task stored as ended is reported at once.
    package mutating func adopt(_ run: RunRecord, job: Job, record: TaskRecord?, now: Int64) -> [Effect] {
        if let record, TaskStateKind(record.state) == .terminal {
            endedRecords[run.taskID] = now
            return [.ended(run.taskID, outcome(TaskStatus(taskID: run.taskID.description, state: record.state, message: record.message), task: nil))]
        }
        var task = Task(run: run, job: job)
        task.launched = true
        task.agentID = record?.agentID ?? AgentSandbox(run.sandbox)?.agentID
        task.hostname = record?.hostname ?? run.host
        task.agentURL = record?.agentURL ?? AgentSandbox(run.sandbox)?.agentURL
        task.started = !run.sandbox.isEmpty
        task.reconcileAt = now
        tasks[run.taskID] = task
        return []
    }

    /// Stops a run: one waiting for an offer ends at once; a launched one gets KILL (now, or once
    /// subscribed). Returns false for a run the framework does not hold.
    package mutating func kill(_ id: TaskID, reason: String, now: Int64) -> (known: Bool, effects: [Effect]) {
        guard var task = tasks[id] else { return (false, []) }
        if !task.launched {
            tasks[id] = nil
            queue.removeAll { $0 == id }
            return (true, [.ended(id, .killed(reason))] + suppressIfIdle())
        }
        if task.killReason == nil { task.killReason = reason }
        tasks[id] = task
        guard isSubscribed, let frameworkID else { return (true, []) }
        return (true, [.call(Call.kill(frameworkID, task: id.description, agent: task.agentID))])
    }

    mutating func reviveIfNeeded() -> [Effect] {
        guard suppressed, !queue.isEmpty, isSubscribed, let frameworkID else { return [] }
        suppressed = false
        return [.call(Call.revive(frameworkID, role: settings.role))]
    }

    mutating func suppressIfIdle() -> [Effect] {
        guard !suppressed, queue.isEmpty, isSubscribed, let frameworkID else { return [] }
        suppressed = true
        return [.call(Call.suppress(frameworkID, role: settings.role))]
    }
}
