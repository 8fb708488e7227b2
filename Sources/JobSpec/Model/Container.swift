/// A job's container (Chronos's `container`): Docker or Mesos, with image, network and volumes.
public struct Container: Hashable, Sendable, Encodable {
    public enum Kind: String, Hashable, Sendable, Encodable, CaseIterable { case DOCKER, MESOS }
    public enum Network: String, Hashable, Sendable, Encodable, CaseIterable { case HOST, BRIDGE, USER }

    struct Settings: Hashable, Sendable {
        var type: Kind = .DOCKER
        var image: String = ""
        var network: Network = .HOST
        var networkName: String = ""
        var networkInfos: [NetworkInfo] = []
        var volumes: [Volume] = []
        var forcePullImage: Bool = false
        var parameters: [KeyValue] = []
    }

    /// The settings in one shared allocation: a job's fields hold one reference, and nothing when the
    /// job has no container. A change makes a new box, so a copy never sees another's change.
    final class Box: Sendable {
        let settings: Settings
        init(_ settings: Settings) { self.settings = settings }
    }

    private var box = Box(Settings())

    public var type: Kind { get { box.settings.type } set { change { $0.type = newValue } } }
    public var image: String { get { box.settings.image } set { change { $0.image = newValue } } }
    public var network: Network { get { box.settings.network } set { change { $0.network = newValue } } }
    public var networkName: String { get { box.settings.networkName } set { change { $0.networkName = newValue } } }
    public var networkInfos: [NetworkInfo] { get { box.settings.networkInfos } set { change { $0.networkInfos = newValue } } }
    public var volumes: [Volume] { get { box.settings.volumes } set { change { $0.volumes = newValue } } }
    public var forcePullImage: Bool { get { box.settings.forcePullImage } set { change { $0.forcePullImage = newValue } } }
    public var parameters: [KeyValue] { get { box.settings.parameters } set { change { $0.parameters = newValue } } }

    public init() {}

    private mutating func change(_ body: (inout Settings) -> Void) {
        var settings = box.settings
        body(&settings)
        box = Box(settings)
    }

    public static func == (a: Container, b: Container) -> Bool { a.box === b.box || a.box.settings == b.box.settings }

    public func hash(into hasher: inout Hasher) { hasher.combine(box.settings) }

    enum CodingKeys: String, CodingKey {
        case type, image, network, networkName, networkInfos, volumes, forcePullImage, parameters
    }

    /// Every setting, in this order.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try c.encode(image, forKey: .image)
        try c.encode(network, forKey: .network)
        try c.encode(networkName, forKey: .networkName)
        try c.encode(networkInfos, forKey: .networkInfos)
        try c.encode(volumes, forKey: .volumes)
        try c.encode(forcePullImage, forKey: .forcePullImage)
        try c.encode(parameters, forKey: .parameters)
    }
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
