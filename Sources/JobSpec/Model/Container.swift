/// A job's container (Chronos's `container`): Docker or Mesos, with image, network and volumes.
public struct Container: Hashable, Sendable, Encodable {
    public enum Kind: String, Hashable, Sendable, Encodable, CaseIterable { case DOCKER, MESOS }
    public enum Network: String, Hashable, Sendable, Encodable, CaseIterable { case HOST, BRIDGE, USER }

    public var type: Kind = .DOCKER
    public var image: String = ""
    public var network: Network = .HOST
    public var networkName: String = ""
    public var networkInfos: [NetworkInfo] = []
    public var volumes: [Volume] = []
    public var forcePullImage: Bool = false
    public var parameters: [KeyValue] = []

    public init() {}
}

/// A `{key, value}` pair (Docker parameters, labels, volume options).
public struct KeyValue: Hashable, Sendable, Encodable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// A container volume.
public struct Volume: Hashable, Sendable, Encodable {
    public enum Mode: String, Hashable, Sendable, Encodable, CaseIterable { case RW, RO }

    public var containerPath: String = ""
    public var hostPath: String?
    public var mode: Mode = .RW
    public var external: ExternalVolume?

    public init() {}
}

/// A volume provided by a volume driver.
public struct ExternalVolume: Hashable, Sendable, Encodable {
    public var name: String = ""
    public var provider: String = ""
    public var options: [KeyValue] = []

    public init() {}
}

/// A network a Mesos container joins.
public struct NetworkInfo: Hashable, Sendable, Encodable {
    public enum IPProtocol: String, Hashable, Sendable, Encodable, CaseIterable { case IPv4, IPv6 }

    public var name: String = ""
    public var `protocol`: IPProtocol = .IPv4
    public var labels: [KeyValue] = []
    public var portMappings: [PortMapping] = []

    public init() {}
}

/// A host-to-container port mapping.
public struct PortMapping: Hashable, Sendable, Encodable {
    public var hostPort: Int = 0
    public var containerPort: Int = 0
    public var `protocol`: String = "tcp"

    public init() {}
}
