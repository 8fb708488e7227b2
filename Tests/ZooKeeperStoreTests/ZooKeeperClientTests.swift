import Foundation
import Testing
@testable import ZooKeeperStore

/// The client against a real ZooKeeper: one server for the suite, one root path per test.
@Suite(.serialized, .timeLimit(.minutes(1))) final class ZooKeeperClientTests {
    let server: ZooKeeperServer

    init() throws { server = try ZooKeeperServer() }
    deinit { server.stop() }

    func connect(_ timeout: Duration = .seconds(10)) async throws -> ZooKeeperClient {
        let client = try ZooKeeperClient(hosts: server.hosts, sessionTimeout: timeout)
        try await client.waitUntilConnected(timeout: .seconds(20))
        return client
    }

    @Test func nodesAreCreatedReadWrittenAndDeletedWithVersions() async throws {
        let client = try await connect()
        try await client.ensurePath("/chronos/test/jobs")
        try await client.ensurePath("/chronos/test/jobs")  // again: nothing to do
        let path = try await client.create("/chronos/test/jobs/a", data: Array("one".utf8))
        #expect(path == "/chronos/test/jobs/a")
        let (data, stat) = try await client.get(path)
        #expect(data == Array("one".utf8))
        #expect(stat.version == 0)
        let updated = try await client.set(path, data: Array("two".utf8), version: 0)
        #expect(updated.version == 1)
        // A write made against a version that is no longer current is refused, and changes nothing.
        await #expect { try await client.set(path, data: Array("stale".utf8), version: 0) } throws: { ($0 as? ZooKeeperError)?.isBadVersion == true }
        #expect(try await client.get(path).data == Array("two".utf8))
        #expect(try await client.children("/chronos/test/jobs") == ["a"])
        try await client.delete(path, version: 1)
        #expect(try await client.exists(path) == nil)
        await #expect { try await client.get(path) } throws: { ($0 as? ZooKeeperError)?.isNoNode == true }
        await #expect { _ = try await client.create("/chronos/test") } throws: { ($0 as? ZooKeeperError)?.isNodeExists == true }
    }

    @Test func largeNodesAreReadWhole() async throws {
        let client = try await connect()
        try await client.ensurePath("/chronos/large")
        let big = (0..<900_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        _ = try await client.create("/chronos/large/blob", data: big)
        #expect(try await client.get("/chronos/large/blob").data == big)
    }

    @Test func ephemeralSequentialNodesAreOrderedAndEndWithTheirSession() async throws {
        let first = try await connect()
        let second = try await connect()
        try await first.ensurePath("/chronos/election")
        let a = try await first.create("/chronos/election/member-", data: Array("first".utf8), mode: .ephemeralSequential)
        let b = try await second.create("/chronos/election/member-", data: Array("second".utf8), mode: .ephemeralSequential)
        #expect(a < b)
        #expect(try await first.children("/chronos/election") == [a, b].map { String($0.split(separator: "/").last!) })
        #expect(try await first.exists(a)?.ephemeralOwner == first.sessionID)
        // The first session ends: its node goes, the second's stays.
        _ = consume first
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await second.children("/chronos/election") == [String(b.split(separator: "/").last!)])
    }

    @Test func aClientThatCannotReachTheServerSaysSo() async throws {
        let client = try ZooKeeperClient(hosts: "127.0.0.1:\(try ZooKeeperServer.freePort())", sessionTimeout: .seconds(2))
        await #expect { try await client.waitUntilConnected(timeout: .milliseconds(500)) } throws: { error in
            "\(error)".contains("connect")
        }
    }
}
