import Foundation

/// One `serve` instance of a cluster, as its election node describes it.
package struct ClusterMember: Sendable, Codable, Equatable {
    /// `host:port` of its API: what `/v1/scheduler/leader` answers.
    package var id: String
    /// Its API's base URL, which followers proxy to.
    package var api: String
    /// When it joined the election (epoch ms).
    package var joined: Int64

    package init(id: String, api: String, joined: Int64) {
        self.id = id
        self.api = api
        self.joined = joined
    }
}

/// Who leads, as one instance sees it.
package struct ClusterSnapshot: Sendable, Encodable, Equatable {
    /// This instance.
    package var instance: ClusterMember
    /// The leader, when one is elected and this instance can see it.
    package var leader: ClusterMember?
    /// When the leader won (epoch ms).
    package var leaderSince: Int64?
    /// The leader's epoch: bumped by each new leader, carried by the runs it stores.
    package var epoch: Int64?
    package var isLeader: Bool
    /// The session with ZooKeeper is up.
    package var connected: Bool
    /// Every instance taking part in the election, the leader first.
    package var members: [ClusterMember]
    /// Why there is no leader, when there is none.
    package var reason: String?

    package init(instance: ClusterMember, leader: ClusterMember? = nil, leaderSince: Int64? = nil, epoch: Int64? = nil, isLeader: Bool = false,
                 connected: Bool = false, members: [ClusterMember] = [], reason: String? = nil) {
        self.instance = instance
        self.leader = leader
        self.leaderSince = leaderSince
        self.epoch = epoch
        self.isLeader = isLeader
        self.connected = connected
        self.members = members
        self.reason = reason
    }
}

/// What the API needs to know of the election.
package protocol ClusterMembership: Sendable {
    func snapshot() -> ClusterSnapshot
}
