import ChronosEngine
import JobSpec

extension FrameworkCore {
    /// A status update: reported to the engine (an end is stored first), then acknowledged when it
    /// carries a uuid. LOST, UNREACHABLE and UNKNOWN are not final: the task is reconciled until its state
    /// is known, or killed and counted lost after `unreachableTimeout`.
    mutating func update(_ status: TaskStatus, now: Int64) -> [Effect] {
        var effects: [Effect] = []
        let kind = TaskStateKind(status.state)
        if let id = TaskID(status.taskID), var task = tasks[id] {
            task.state = status.state
            if let agent = status.agentID { task.agentID = agent }
            switch kind {
            case .active:
                task.uncertainSince = nil
                task.reconcileAt = nil
                task.reconcileAttempt = 0
                if !task.started && status.state != "TASK_STAGING" {
                    task.started = true
                    effects.append(.started(id, launchInfo(id, task)))
                }
                tasks[id] = task
            case .uncertain:
                if task.uncertainSince == nil {
                    task.uncertainSince = now
                    effects.append(.log("\(id) is \(status.state) (\(status.message ?? status.reason ?? "")); reconciling until its state is known"))
                }
                if task.reconcileAt == nil { task.reconcileAt = now + settings.reconcileBackoff }
                tasks[id] = task
            case .terminal where status.state == "TASK_DROPPED" && !task.started && task.drops < 3 && task.killReason == nil:
                // The master dropped the launch before it ran (a stale offer): it waits for another offer.
                task.drops += 1
                task.launched = false
                task.agentID = nil
                task.reconcileAt = nil
                tasks[id] = task
                queue.append(id)
                effects.append(.storeTask(id, nil))
                effects.append(.log("\(id) dropped by Mesos (\(status.message ?? "")); launching it on another offer"))
                effects += reviveIfNeeded()
            case .terminal:
                if !task.started && ["TASK_FINISHED", "TASK_FAILED", "TASK_KILLED"].contains(status.state) {
                    effects.append(.started(id, launchInfo(id, task)))
                }
                tasks[id] = nil
                queue.removeAll { $0 == id }
                endedRecords[id] = now
                effects.append(.storeTask(id, TaskRecord(agentID: task.agentID ?? "", hostname: task.hostname, agentURL: task.agentURL,
                                                         state: status.state, message: status.message)))
                effects.append(.ended(id, outcome(status, task: task)))
            }
        } else if kind != .terminal, let frameworkID, status.source == "SOURCE_MASTER" || status.uuid != nil {
            // A task this framework does not hold (left over from before a restart): stop it.
            effects.append(.log("killing \(status.taskID), a task that is \(status.state) but belongs to no run"))
            effects.append(.call(Call.kill(frameworkID, task: status.taskID, agent: status.agentID)))
        }
        if let uuid = status.uuid, let agent = status.agentID, let frameworkID {
            effects.append(.call(Call.acknowledge(frameworkID, agent: agent, task: status.taskID, uuid: uuid)))
        }
        return effects
    }

    /// Where a run runs, for the engine: the agent's host and the sandbox read through its file API.
    func launchInfo(_ id: TaskID, _ task: Task) -> LaunchInfo {
        var sandbox = ""
        if let agent = task.agentID, let url = task.agentURL, let frameworkID {
            // A command task's executor id is its task id.
            sandbox = AgentSandbox(agentID: agent, agentURL: url, path: "/frameworks/\(frameworkID)/executors/\(id)/runs/latest").description
        }
        return LaunchInfo(pid: nil, processStart: nil, sandbox: sandbox, host: task.hostname)
    }

    /// How a run ended, from its task's last status.
    func outcome(_ status: TaskStatus, task: Task?) -> RunOutcome {
        let detail = [status.message, status.reason].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
        switch status.state {
        case "TASK_FINISHED":
            return .exited(0)
        case "TASK_FAILED":
            if let reason = task?.killReason { return .killed(reason) }
            if let code = Self.exitStatus(status.message) { return .exited(code) }
            return .failedToStart("the Mesos task failed (\(detail))")
        case "TASK_KILLED":
            return .killed(task?.killReason ?? "killed on Mesos (\(detail))")
        case "TASK_ERROR":
            return .failedToStart("Mesos refused the task (\(detail))")
        case "TASK_DROPPED":
            return .lost("Mesos dropped the task before it ran (\(detail))")
        default:
            return task?.killReason.map { .killed($0) } ?? .lost("the Mesos task is \(status.state) (\(detail))")
        }
    }

    /// The status in "Command exited with status N", or 128 + S for "terminated with signal S" (as a shell reports it).
    static func exitStatus(_ message: String?) -> Int32? {
        guard let message else { return nil }
        if let range = message.range(of: "exited with status ") {
            return Int32(message[range.upperBound...].prefix { $0.isNumber })
        }
        if let range = message.range(of: "terminated with signal ") {
            let text = message[range.upperBound...].prefix { $0.isLetter || $0.isNumber }
            if let number = Int32(text) { return 128 + number }
            let names: [String: Int32] = ["Hangup": 1, "Interrupt": 2, "Killed": 9, "Terminated": 15, "Aborted": 6, "Segmentation": 11]
            if let number = names[String(text)] { return 128 + number }
        }
        return nil
    }

    /// Explicit reconciliation: one RECONCILE for every task whose time to be asked about has come, each
    /// asked again with doubling delays until an update answers it.
    mutating func reconcileDue(_ frameworkID: String, now: Int64) -> [Effect] {
        var due: [(task: String, agent: String?)] = []
        for (id, task) in tasks.sorted(by: { $0.key < $1.key }) {
            guard let at = task.reconcileAt, at <= now else { continue }
            due.append((id.description, task.agentID))
            let delay = min(settings.reconcileMaxBackoff, settings.reconcileBackoff << Int64(min(task.reconcileAttempt, 20)))
            tasks[id]!.reconcileAt = now + delay
            tasks[id]!.reconcileAttempt += 1
        }
        return due.isEmpty ? [] : [.call(Call.reconcile(frameworkID, tasks: due))]
    }

    /// Tasks unreachable (or lost, or unknown) for too long: killed, and their runs ended as lost.
    mutating func expireUncertain(now: Int64) -> [Effect] {
        var effects: [Effect] = []
        for (id, task) in tasks.sorted(by: { $0.key < $1.key }) {
            guard let since = task.uncertainSince, now - since > settings.unreachableTimeout else { continue }
            tasks[id] = nil
            endedRecords[id] = now
            if let frameworkID, isSubscribed { effects.append(.call(Call.kill(frameworkID, task: id.description, agent: task.agentID))) }
            let state = task.state ?? "TASK_UNKNOWN"
            effects.append(.storeTask(id, TaskRecord(agentID: task.agentID ?? "", hostname: task.hostname, agentURL: task.agentURL, state: "TASK_GONE")))
            effects.append(.ended(id, task.killReason.map { .killed($0) } ?? .lost("the Mesos task stayed \(state) for \(settings.unreachableTimeout / 1000) s; killed")))
        }
        return effects
    }
}
