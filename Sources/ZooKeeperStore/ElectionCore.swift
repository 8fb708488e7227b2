import ChronosEngine

/// The leader election as a value: what the session and the election folder did goes in, what to do
/// comes out. `LeaderElector` performs the effects and feeds their results back.
///
/// Each instance holds one ephemeral sequential node under `election`; the lowest leads. Before it
/// acts, a new leader bumps the epoch (a conditional write of the epoch node), and every write of its
/// term checks the version that write left: see `Fence`. An instance stops leading the moment its
/// connection drops, before its session can expire and another can win.
package struct ElectionCore: Sendable, Equatable {
    /// The epoch node's content: who won which epoch, and when.
    package struct EpochRecord: Sendable, Codable, Equatable {
        package var epoch: Int64
        package var leader: String?
        package var since: Int64?

        package init(epoch: Int64, leader: String? = nil, since: Int64? = nil) {
            self.epoch = epoch
            self.leader = leader
            self.since = since
        }
    }

    package enum Event: Sendable, Equatable {
        case connected
        /// The connection dropped; the session may still come back.
        case disconnected
        /// The session is gone, and its ephemeral node with it.
        case expired
        /// The election folder changed (a watch fired), or a read of it should be tried again.
        case electionChanged
        /// Our election node was created (its name, e.g. `member-0000000007`).
        case joined(String)
        /// The election folder as read: node name → member, and the epoch node.
        case members([String: ClusterMember], EpochRecord?)
        /// The epoch bump succeeded: this instance may act, behind this fence.
        case won(Fence, since: Int64)
        /// The epoch bump failed (a connection loss, or a conditional write that lost).
        case claimFailed(String)
        /// The term's writes stopped (fenced out, or a write's outcome unknown).
        case termEnded(String)
    }

    package enum Effect: Sendable, Equatable {
        /// Create our ephemeral sequential node (or find the one a lost answer created).
        case join
        /// List the election folder with a watch, and read the members and the epoch.
        case readMembers
        /// Bump the epoch, conditionally on the version read.
        case claim
        case lead(Fence)
        case stepDown(String)
        /// Open a new session (the old one expired).
        case newSession
    }

    /// This instance (its address is known once its API listens).
    package var instance: ClusterMember
    package private(set) var connected = false
    package private(set) var node: String?
    /// Election nodes in order (the leader first) with their members.
    package private(set) var members: [(node: String, member: ClusterMember)] = []
    package private(set) var epoch: EpochRecord?
    package private(set) var claiming = false
    package private(set) var fence: Fence?
    package private(set) var leaderSince: Int64?

    package init(instance: ClusterMember) { self.instance = instance }

    package static func == (a: ElectionCore, b: ElectionCore) -> Bool {
        a.instance == b.instance && a.connected == b.connected && a.node == b.node && a.members.map(\.node) == b.members.map(\.node)
            && a.epoch == b.epoch && a.claiming == b.claiming && a.fence == b.fence
    }

    /// Whether our node is the first.
    var first: Bool { node != nil && members.first?.node == node }

    package mutating func handle(_ event: Event) -> [Effect] {
        switch event {
        case .connected:
            connected = true
            return node == nil ? [.join] : [.readMembers]
        case .disconnected:
            connected = false
            return abdicate("the connection to ZooKeeper was lost")
        case .expired:
            connected = false
            node = nil
            members = []
            return abdicate("the ZooKeeper session expired") + [.newSession]
        case .electionChanged:
            guard connected else { return [] }
            return node == nil ? [.join] : [.readMembers]
        case .joined(let name):
            node = name
            return [.readMembers]
        case .members(let found, let record):
            members = found.sorted { Self.sequence($0.key) < Self.sequence($1.key) }.map { (node: $0.key, member: $0.value) }
            epoch = record
            guard connected else { return [] }
            guard let node, found[node] != nil else {
                // Our node is gone while the session lives (deleted by hand): join again.
                self.node = nil
                return abdicate("this instance's election node was deleted") + [.join]
            }
            if first {
                if fence == nil, !claiming {
                    claiming = true
                    return [.claim]
                }
                return []
            }
            return abdicate("another instance's election node comes first")
        case .won(let won, let since):
            claiming = false
            guard connected, first else { return [] }
            fence = won
            leaderSince = since
            epoch = EpochRecord(epoch: won.epoch, leader: instance.id, since: since)
            return [.lead(won)]
        case .claimFailed:
            claiming = false
            return connected ? [.readMembers] : []
        case .termEnded(let cause):
            let out = abdicate(cause)
            return out.isEmpty ? [] : out + [.readMembers]
        }
    }

    /// Stops leading (or claiming), if this instance was.
    private mutating func abdicate(_ reason: String) -> [Effect] {
        claiming = false
        guard fence != nil else { return [] }
        fence = nil
        leaderSince = nil
        return [.stepDown(reason)]
    }

    /// The sequence number ZooKeeper appended to a node's name.
    static func sequence(_ node: String) -> Int64 { Int64(node.suffix(10)) ?? .max }

    /// What the API shows.
    package var snapshot: ClusterSnapshot {
        let leader = connected ? members.first?.member : nil
        var since: Int64?
        if fence != nil { since = leaderSince } else if let epoch, epoch.leader == leader?.id { since = epoch.since }
        var reason: String?
        if !connected {
            reason = "this instance is not connected to ZooKeeper"
        } else if leader == nil {
            reason = "no instance has joined the election"
        } else if first, fence == nil {
            reason = "this instance is taking over"
        }
        return ClusterSnapshot(instance: instance, leader: first && fence == nil ? nil : leader, leaderSince: since,
                               epoch: fence?.epoch ?? epoch?.epoch, isLeader: fence != nil, connected: connected,
                               members: members.map(\.member), reason: reason)
    }
}
