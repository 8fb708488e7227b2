import ChronosEngine
import JobSpec

extension FrameworkCore {
    /// Packs waiting runs into the offers (several per offer, in launch order), stores each task's intent,
    /// then ACCEPTs; declines what is left with `refuse_seconds`; tells the engine why a run still waits;
    /// suppresses offers when nothing waits.
    mutating func offers(_ offers: [Offer], now: Int64) -> [Effect] {
        guard let frameworkID else { return [] }
        var effects: [Effect] = []
        var declined: [String] = []
        var placed: Set<TaskID> = []
        for offer in offers {
            var resources = OfferResources(offer, role: settings.role)
            var infos: [JSON] = []
            for id in queue where !placed.contains(id) {
                guard let task = tasks[id], Constraints.allow(task.job.constraints, offer) else { continue }
                let needs = builder.needs(task.job)
                guard resources.fits(cpus: needs.cpus, mem: needs.mem, disk: needs.disk, ports: needs.ports) else { continue }
                infos.append(builder.taskInfo(task.run, job: task.job, offer: offer, resources: &resources))
                placed.insert(id)
                tasks[id]!.launched = true
                tasks[id]!.agentID = offer.agentID
                tasks[id]!.hostname = offer.hostname
                tasks[id]!.agentURL = offer.agentURL
                tasks[id]!.state = "TASK_STAGING"
                // The intent is stored before the ACCEPT that launches it.
                effects.append(.storeTask(id, TaskRecord(agentID: offer.agentID, hostname: offer.hostname, agentURL: offer.agentURL, state: "TASK_STAGING")))
            }
            if infos.isEmpty {
                declined.append(offer.id)
            } else {
                effects.append(.call(Call.accept(frameworkID, offer: offer.id, tasks: infos, refuseSeconds: settings.refuseSeconds)))
            }
        }
        queue.removeAll { placed.contains($0) }
        if !declined.isEmpty { effects.append(.call(Call.decline(frameworkID, offers: declined, refuseSeconds: settings.refuseSeconds))) }
        for id in queue {
            guard let task = tasks[id] else { continue }
            let reason = waitReason(task, offers: offers)
            if task.waitReason != reason {
                tasks[id]!.waitReason = reason
                effects.append(.waiting(id, reason))
            }
        }
        return effects + suppressIfIdle()
    }

    /// Why no offer of this round took the run.
    func waitReason(_ task: Task, offers: [Offer]) -> String {
        let needs = builder.needs(task.job)
        var wanted = "cpus \(TaskBuilder.number(needs.cpus)), mem \(TaskBuilder.number(needs.mem)) MB, disk \(TaskBuilder.number(needs.disk)) MB"
        if !needs.ports.isEmpty { wanted += ", \(needs.ports.count) port(s)" }
        let matching = offers.filter { Constraints.allow(task.job.constraints, $0) }
        if !task.job.constraints.isEmpty && matching.isEmpty {
            return "waiting for a Mesos offer that matches its constraints \(Constraints.describe(task.job.constraints)); no offer does (it needs \(wanted))"
        }
        return "waiting for a Mesos offer with room for it: it needs \(wanted) for role \(settings.role), and no offer has that much free"
    }
}
