import ChronosEngine
import Testing
@testable import ZooKeeperStore

/// The election as a value: events in, effects out, no ZooKeeper.
@Suite struct ElectionCoreTests {
    let me = ClusterMember(id: "a:4400", api: "http://a:4400", joined: 1)
    let other = ClusterMember(id: "b:4400", api: "http://b:4400", joined: 2)
    let fence = Fence(epoch: 7, version: 6)

    /// Connected, joined as `member-0000000003`, and sees the folder.
    func joined(first: Bool) -> ElectionCore {
        var core = ElectionCore(instance: me)
        #expect(core.handle(.connected) == [.join])
        #expect(core.handle(.joined("member-0000000003")) == [.readMembers])
        let members = first ? ["member-0000000003": me, "member-0000000004": other] : ["member-0000000002": other, "member-0000000003": me]
        #expect(core.handle(.members(members, .init(epoch: 6))) == (first ? [.claim] : []))
        return core
    }

    @Test func theFirstNodeClaimsTheEpochThenLeads() {
        var core = joined(first: true)
        #expect(core.snapshot.leader == nil)
        #expect(core.snapshot.reason == "this instance is taking over")
        // A second read while the claim is out claims nothing more.
        #expect(core.handle(.members(["member-0000000003": me], .init(epoch: 6))) == [])
        #expect(core.handle(.won(fence, since: 1000)) == [.lead(fence)])
        let snapshot = core.snapshot
        #expect(snapshot.isLeader && snapshot.leader == me && snapshot.epoch == 7 && snapshot.leaderSince == 1000)
    }

    @Test func aFollowerSeesTheLeaderAndNeverClaims() {
        let core = joined(first: false)
        let snapshot = core.snapshot
        #expect(!snapshot.isLeader)
        #expect(snapshot.leader == other)
        #expect(snapshot.members == [other, me])
    }

    @Test func theLeaderStepsDownTheMomentTheConnectionDrops() {
        var core = joined(first: true)
        _ = core.handle(.won(fence, since: 1000))
        #expect(core.handle(.disconnected) == [.stepDown("the connection to ZooKeeper was lost")])
        #expect(core.snapshot.leader == nil)
        #expect(core.snapshot.reason == "this instance is not connected to ZooKeeper")
        // The session came back: its node is still first, so it claims a new epoch before leading again.
        #expect(core.handle(.connected) == [.readMembers])
        #expect(core.handle(.members(["member-0000000003": me], .init(epoch: 7))) == [.claim])
    }

    @Test func anExpiredSessionStepsDownAndOpensANewOne() {
        var core = joined(first: true)
        _ = core.handle(.won(fence, since: 1000))
        #expect(core.handle(.expired) == [.stepDown("the ZooKeeper session expired"), .newSession])
        #expect(core.node == nil)
        #expect(core.handle(.connected) == [.join])
    }

    @Test func aWinThatArrivesAfterTheConnectionDroppedIsNotUsed() {
        var core = joined(first: true)
        _ = core.handle(.disconnected)
        #expect(core.handle(.won(fence, since: 1000)) == [])
        #expect(core.fence == nil)
    }

    @Test func aFailedClaimIsTriedAgainFromAFreshRead() {
        var core = joined(first: true)
        #expect(core.handle(.claimFailed("bad version")) == [.readMembers])
        #expect(core.handle(.members(["member-0000000003": me], .init(epoch: 8))) == [.claim])
    }

    @Test func aTermThatEndsStepsDownAndReadsTheElectionAgain() {
        var core = joined(first: true)
        _ = core.handle(.won(fence, since: 1000))
        #expect(core.handle(.termEnded("fenced out")) == [.stepDown("fenced out"), .readMembers])
        // Not leading: a second report changes nothing.
        #expect(core.handle(.termEnded("fenced out")) == [])
    }

    @Test func aDeletedElectionNodeIsMadeAgain() {
        var core = joined(first: true)
        _ = core.handle(.won(fence, since: 1000))
        #expect(core.handle(.members(["member-0000000004": other], nil)) == [.stepDown("this instance's election node was deleted"), .join])
        #expect(core.snapshot.leader == other)
    }

    @Test func nodesAreOrderedByTheirSequenceNumber() {
        var core = ElectionCore(instance: me)
        _ = core.handle(.connected)
        _ = core.handle(.joined("member-0000000010"))
        #expect(core.handle(.members(["member-0000000010": me, "member-0000000009": other], nil)) == [])
        #expect(core.snapshot.leader == other)
    }

    @Test func namesBecomeNodeNamesAndBack() {
        for name in ["plain-job_1.x", "with space", "a/b", "%", ".", "..", "ünïcode", "colon:at@eq=plus+"] {
            let node = ZNodeLayout.escape(name)
            #expect(!node.contains("/") && node != "." && node != "..")
            #expect(ZNodeLayout.unescape(node) == name)
        }
        // The bucket is a fixed function of the name (FNV-1a), the same in every process.
        #expect(ZNodeLayout.bucket("") == "c5")
        #expect(ZNodeLayout.bucket("a") == "2c")
    }
}
