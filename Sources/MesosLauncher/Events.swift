/// An offer, with its resources and attributes kept as Mesos sent them.
package struct Offer: Sendable, Hashable {
    package var id: String
    package var agentID: String
    package var hostname: String
    /// The agent's HTTP address (`Offer.url`), where its sandboxes are read; nil when the offer has none.
    package var agentURL: String?
    package var resources: [JSON]
    package var attributes: [JSON]

    package init(id: String, agentID: String, hostname: String, agentURL: String? = nil, resources: [JSON], attributes: [JSON] = []) {
        self.id = id
        self.agentID = agentID
        self.hostname = hostname
        self.agentURL = agentURL
        self.resources = resources
        self.attributes = attributes
    }

    init?(_ json: JSON) {
        guard let id = json["id"].idValue, let agent = json["agent_id"].idValue else { return nil }
        self.init(id: id, agentID: agent, hostname: json["hostname"].string ?? "", agentURL: Self.url(json["url"]),
                  resources: json["resources"].array, attributes: json["attributes"].array)
    }

    /// `Offer.url` (`{"scheme", "address": {"hostname", "ip", "port"}}`) as `http://ip:port`.
    static func url(_ json: JSON) -> String? {
        let address = json["address"]
        guard let port = address["port"].number, let host = address["ip"].string ?? address["hostname"].string else { return nil }
        return "\(json["scheme"].string ?? "http")://\(host):\(Int(port))"
    }
}

/// A task's status, as an UPDATE carries it.
package struct TaskStatus: Sendable, Hashable {
    package var taskID: String
    package var state: String
    package var agentID: String?
    /// Set by agents; absent on the master's own updates (reconciliation answers, lost agents), which are
    /// never acknowledged.
    package var uuid: String?
    package var source: String?
    package var reason: String?
    package var message: String?

    package init(taskID: String, state: String, agentID: String? = nil, uuid: String? = nil, source: String? = nil,
                 reason: String? = nil, message: String? = nil) {
        self.taskID = taskID
        self.state = state
        self.agentID = agentID
        self.uuid = uuid
        self.source = source
        self.reason = reason
        self.message = message
    }

    init?(_ json: JSON) {
        guard let task = json["task_id"].idValue, let state = json["state"].string else { return nil }
        self.init(taskID: task, state: state, agentID: json["agent_id"].idValue, uuid: json["uuid"].string,
                  source: json["source"].string, reason: json["reason"].string, message: json["message"].string)
    }
}

/// An event of the SUBSCRIBE stream.
package enum Event: Sendable, Hashable {
    case subscribed(frameworkID: String, heartbeatSeconds: Double)
    case offers([Offer])
    case rescind(offerID: String)
    case update(TaskStatus)
    case failure(agentID: String?)
    case error(String)
    case heartbeat
    /// An event this framework does not act on (MESSAGE, INVERSE_OFFERS, …).
    case other(String)

    /// Reads one RecordIO record; nil when it is not an event.
    package init?(_ json: JSON) {
        guard let type = json["type"].string else { return nil }
        switch type {
        case "SUBSCRIBED":
            guard let id = json["subscribed"]["framework_id"].idValue else { return nil }
            self = .subscribed(frameworkID: id, heartbeatSeconds: json["subscribed"]["heartbeat_interval_seconds"].number ?? 15)
        case "OFFERS":
            self = .offers(json["offers"]["offers"].array.compactMap(Offer.init))
        case "RESCIND":
            self = .rescind(offerID: json["rescind"]["offer_id"].idValue ?? "")
        case "UPDATE":
            guard let status = TaskStatus(json["update"]["status"]) else { return nil }
            self = .update(status)
        case "FAILURE":
            self = .failure(agentID: json["failure"]["agent_id"].idValue)
        case "ERROR":
            self = .error(json["error"]["message"].string ?? json["message"].string ?? "")
        case "HEARTBEAT":
            self = .heartbeat
        default:
            self = .other(type)
        }
    }
}

/// Task states by what they mean to a run.
package enum TaskStateKind: Sendable, Equatable {
    /// Still on its way or running.
    case active
    /// Ended for good.
    case terminal
    /// Maybe still running (a partitioned agent, an unknown task): not final until reconciled.
    case uncertain

    package init(_ state: String) {
        switch state {
        case "TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR", "TASK_DROPPED", "TASK_GONE": self = .terminal
        case "TASK_LOST", "TASK_UNREACHABLE", "TASK_UNKNOWN", "TASK_GONE_BY_OPERATOR": self = .uncertain
        default: self = .active
        }
    }
}
