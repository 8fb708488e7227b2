/// The calls of the v1 scheduler API, as JSON (`reference/mesos-http-api.md` §2).
package enum Call {
    static func envelope(_ type: String, _ frameworkID: String, _ body: JSON) -> JSON {
        [
            "type": .string(type), "framework_id": .id(frameworkID),
            type.lowercased(): body,
        ]
    }

    /// SUBSCRIBE: with the stored framework id in both places when there is one.
    package static func subscribe(_ settings: FrameworkSettings, frameworkID: String?, suppressed: Bool) -> JSON {
        var info: [String: JSON] = [
            "user": .string(settings.user), "name": .string(settings.name),
            "failover_timeout": .double(settings.failoverTimeout), "checkpoint": .bool(settings.checkpoint),
            "roles": [.string(settings.role)],
            "capabilities": [["type": "MULTI_ROLE"], ["type": "PARTITION_AWARE"], ["type": "TASK_KILLING_STATE"]],
        ]
        if let hostname = settings.hostname { info["hostname"] = .string(hostname) }
        if let principal = settings.principal { info["principal"] = .string(principal) }
        if let url = settings.webuiURL { info["webui_url"] = .string(url) }
        var call: [String: JSON] = ["type": "SUBSCRIBE"]
        if let frameworkID {
            info["id"] = .id(frameworkID)
            call["framework_id"] = .id(frameworkID)
        }
        call["subscribe"] = ["framework_info": .object(info), "suppressed_roles": .array(suppressed ? [.string(settings.role)] : [])]
        return .object(call)
    }

    package static func accept(_ frameworkID: String, offer: String, tasks: [JSON], refuseSeconds: Double) -> JSON {
        envelope("ACCEPT", frameworkID, [
            "offer_ids": [.id(offer)],
            "operations": [["type": "LAUNCH", "launch": ["task_infos": .array(tasks)]]],
            "filters": ["refuse_seconds": .double(refuseSeconds)],
        ])
    }

    package static func decline(_ frameworkID: String, offers: [String], refuseSeconds: Double) -> JSON {
        envelope("DECLINE", frameworkID, ["offer_ids": .array(offers.map(JSON.id)), "filters": ["refuse_seconds": .double(refuseSeconds)]])
    }

    package static func acknowledge(_ frameworkID: String, agent: String, task: String, uuid: String) -> JSON {
        envelope("ACKNOWLEDGE", frameworkID, ["agent_id": .id(agent), "task_id": .id(task), "uuid": .string(uuid)])
    }

    /// RECONCILE: explicit for the tasks given (with their agents where known), implicit with none.
    package static func reconcile(_ frameworkID: String, tasks: [(task: String, agent: String?)]) -> JSON {
        let items: [JSON] = tasks.map { item in
            var entry: [String: JSON] = ["task_id": .id(item.task)]
            if let agent = item.agent { entry["agent_id"] = .id(agent) }
            return .object(entry)
        }
        return envelope("RECONCILE", frameworkID, ["tasks": .array(items)])
    }

    package static func kill(_ frameworkID: String, task: String, agent: String?) -> JSON {
        var body: [String: JSON] = ["task_id": .id(task)]
        if let agent { body["agent_id"] = .id(agent) }
        return envelope("KILL", frameworkID, .object(body))
    }

    package static func suppress(_ frameworkID: String, role: String) -> JSON {
        envelope("SUPPRESS", frameworkID, ["roles": [.string(role)]])
    }

    package static func revive(_ frameworkID: String, role: String) -> JSON {
        envelope("REVIVE", frameworkID, ["roles": [.string(role)]])
    }
}
