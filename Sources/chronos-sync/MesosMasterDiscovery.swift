import ChronosEngine
import Foundation
import Logging
import MesosLauncher
import ServiceLifecycle
import ZooKeeperStore

/// `--master zk://h1:2181,h2:2181/mesos`: the masters as they register in ZooKeeper. Each master holds an
/// ephemeral `json.info_NNNNNNNNNN` node under the path with its MasterInfo as JSON; the lowest leads. The
/// list (leader first) is read at start and again whenever the folder changes.
struct MesosMasterDiscovery: Service {
    let location: ZooKeeperLocation
    let masters: MasterAddress
    let logger: Logger

    /// MasterInfo's address, as Mesos writes it.
    private struct MasterInfo: Decodable {
        struct Address: Decodable {
            var hostname: String?
            var ip: String?
            var port: Int?
        }

        var address: Address?
        var hostname: String?
        var port: Int?
    }

    /// Reads `--master zk://…/mesos` as a ZooKeeper location; nil when it is not one.
    static func location(_ master: String) -> ZooKeeperLocation? {
        ZooKeeperLocation(url: master)
    }

    /// The registered masters' base URLs, the leader first (empty when none has registered).
    static func masters(_ client: ZooKeeperClient, path: String, changed: (@Sendable () -> Void)? = nil) async throws -> [String] {
        let nodes: [String]
        do {
            if let changed {
                nodes = try await client.children(path, changed: changed)
            } else {
                nodes = try await client.children(path)
            }
        } catch {
            // No master has registered yet.
            if error.isNoNode { return [] }
            throw error
        }
        let infos = nodes.filter { $0.hasPrefix("json.info_") }.sorted { $0.suffix(10) < $1.suffix(10) }
        let values = try await client.getMany(infos.map { path + "/" + $0 })
        return values.compactMap { value in
            guard let value, let info = try? JSONDecoder().decode(MasterInfo.self, from: Data(value)) else { return nil }
            guard let host = info.address?.hostname ?? info.address?.ip ?? info.hostname, let port = info.address?.port ?? info.port else { return nil }
            return "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        }
    }

    /// The masters registered now; throws, saying so, when ZooKeeper cannot be reached or none has registered.
    static func resolve(_ location: ZooKeeperLocation, timeout: Duration) async throws -> [String] {
        let client = try ZooKeeperClient(hosts: location.hosts, sessionTimeout: timeout)
        do {
            try await client.waitUntilConnected(timeout: timeout)
        } catch {
            throw CommandError("--master \(location.description): cannot reach ZooKeeper at \(location.hosts) (\(error))")
        }
        let found: [String]
        do {
            found = try await masters(client, path: location.path)
        } catch {
            throw CommandError("--master \(location.description): cannot read \(location.path) (\(error))")
        }
        guard !found.isEmpty else {
            throw CommandError("--master \(location.description): no Mesos master has registered under \(location.path)")
        }
        return found
    }

    /// Follows the masters' registrations until the server stops.
    func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await follow()
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("cannot follow the Mesos masters in \(location.description): \(error); retrying")
                }
                try await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// One session: reads the list at each change of the folder (or every 30 s), until the session ends.
    private func follow() async throws {
        let client = try ZooKeeperClient(hosts: location.hosts, sessionTimeout: .seconds(10))
        try await client.waitUntilConnected(timeout: .seconds(30))
        while !Task.isCancelled, client.state != .expired {
            let (changes, changed) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
            let found = try await Self.masters(client, path: location.path) { changed.yield() }
            if !found.isEmpty, found != masters.masters {
                logger.notice("Mesos masters from \(location.description): \(found.joined(separator: ", ")) (the first leads)")
                masters.replace(found)
            }
            // The watch, or a periodic read should a change be missed while reconnecting.
            await withTaskGroup(of: Void.self) { group in
                group.addTask { for await _ in changes { return } }
                group.addTask { try? await Task.sleep(for: .seconds(30)) }
                await group.next()
                group.cancelAll()
            }
        }
    }
}
