import ChronosEngine
import Foundation
import Logging
import Synchronization

/// A change of leadership for this instance.
package enum LeadershipChange: Sendable {
    /// This instance leads from now on: its writes go through `client` behind `fence`.
    case lead(Fence, ZooKeeperClient)
    /// It stopped leading: stop launching and writing at once.
    case stepDown(String)
}

/// Performs what `ElectionCore` decides: joins the election, watches it, bumps the epoch, and tells
/// `changes` when this instance starts and stops leading.
package final class LeaderElector: ClusterMembership, @unchecked Sendable {
    // @unchecked: `core` and `client` are a Mutex; events are handled one at a time by `run`.
    package let hosts: String
    package let layout: ZNodeLayout
    package let sessionTimeout: Duration
    package let changes: AsyncStream<LeadershipChange>
    private let changeSink: AsyncStream<LeadershipChange>.Continuation
    private let events: AsyncStream<ElectionCore.Event>
    private let eventSink: AsyncStream<ElectionCore.Event>.Continuation
    private let core: Mutex<ElectionCore>
    private let client = Mutex<ZooKeeperClient?>(nil)
    /// Watches set and not yet fired, by node.
    private let armed = ArmedWatches()
    /// Tells our node from others, also one created by a call whose answer was lost.
    private let nonce = UInt64.random(in: 1...UInt64.max)
    let logger: Logger

    package init(hosts: String, layout: ZNodeLayout, sessionTimeout: Duration, instance: ClusterMember,
                 logger: Logger = Logger(label: "chronos-sync.election")) {
        self.hosts = hosts
        self.layout = layout
        self.sessionTimeout = sessionTimeout
        self.logger = logger
        core = Mutex(ElectionCore(instance: instance))
        (changes, changeSink) = AsyncStream.makeStream()
        (events, eventSink) = AsyncStream.makeStream()
    }

    package func snapshot() -> ClusterSnapshot { core.withLock { $0.snapshot } }

    /// Runs the election as `instance` until cancelled; leaves it (closing the session) on the way out.
    package func run(as instance: ClusterMember) async throws {
        core.withLock { $0.instance = instance }
        try await openSession()
        await withTaskCancellationHandler {
            for await event in events {
                let effects = core.withLock { $0.handle(event) }
                for effect in effects { await perform(effect) }
            }
        } onCancel: {
            eventSink.finish()
        }
        if core.withLock({ $0.fence != nil }) { changeSink.yield(.stepDown("this instance is stopping")) }
        changeSink.finish()
        // Closing the session deletes our election node at once: the next instance need not wait for expiry.
        client.withLock { $0 = nil }
    }

    private func openSession() async throws {
        let session = try ZooKeeperClient(hosts: hosts, sessionTimeout: sessionTimeout)
        client.withLock { $0 = session }
        // The old session's watches died with it.
        armed.nodes.withLock { $0.removeAll() }
        let sink = eventSink
        let states = session.sessionEvents
        Task {
            for await state in states {
                switch state {
                case .connected: sink.yield(.connected)
                case .connecting: sink.yield(.disconnected)
                case .expired, .authFailed: sink.yield(.expired)
                }
            }
        }
    }

    private var session: ZooKeeperClient? { client.withLock { $0 } }

    private func perform(_ effect: ElectionCore.Effect) async {
        switch effect {
        case .join: await join()
        case .readMembers: await readMembers()
        case .claim: await claim()
        case .lead(let fence):
            guard let session else { return }
            logger.notice("this instance leads, epoch \(fence.epoch)")
            changeSink.yield(.lead(fence, session))
        case .stepDown(let reason):
            logger.warning("this instance stops leading: \(reason)")
            changeSink.yield(.stepDown(reason))
        case .newSession:
            logger.warning("the ZooKeeper session expired; opening a new one")
            do {
                try await openSession()
            } catch {
                logger.error("cannot open a ZooKeeper session: \(error); retrying")
                try? await Task.sleep(for: .seconds(1))
                eventSink.yield(.expired)
            }
        }
    }

    /// The member record stored in our election node.
    private struct NodeData: Codable {
        var member: ClusterMember
        var nonce: UInt64
    }

    private func join() async {
        guard let session else { return }
        do {
            try await ZooKeeperStateStore.prepare(session, layout: layout)
            // A create whose answer was lost may have made our node: find it before making another.
            let existing = try await readElection(session)
            if let mine = existing.first(where: { $0.value.nonce == nonce }) {
                eventSink.yield(.joined(mine.key))
                return
            }
            let instance = core.withLock { $0.instance }
            let data = try JSONEncoder().encode(NodeData(member: instance, nonce: nonce))
            let path = try await session.create(layout.election + "/member-", data: Array(data), mode: .ephemeralSequential)
            eventSink.yield(.joined(String(path.split(separator: "/").last ?? "")))
        } catch {
            logger.warning("cannot join the election yet: \(error)")
            retryLater()
        }
    }

    private func readMembers() async {
        guard let session else { return }
        do {
            let sink = eventSink
            let armed = self.armed
            // One watch per node at a time: a read while one waits sets none (watches would pile up).
            let nodes: [String]
            if armed.nodes.withLock({ $0.insert("election").inserted }) {
                nodes = try await session.children(layout.election) {
                    armed.nodes.withLock { _ = $0.remove("election") }
                    sink.yield(.electionChanged)
                }
            } else {
                nodes = try await session.children(layout.election)
            }
            // A new epoch (a leader that won again after a blip keeps its node) is seen through this watch.
            if armed.nodes.withLock({ $0.insert("epoch").inserted }) {
                _ = try await session.exists(layout.epoch) {
                    armed.nodes.withLock { _ = $0.remove("epoch") }
                    sink.yield(.electionChanged)
                }
            }
            let values = try await session.getMany(nodes.map { layout.election + "/" + $0 } + [layout.epoch])
            var members: [String: ClusterMember] = [:]
            for (node, value) in zip(nodes, values) {
                guard let value, let data = try? JSONDecoder().decode(NodeData.self, from: Data(value)) else { continue }
                members[node] = data.member
            }
            let record = values.last.flatMap { $0 }.flatMap { Self.epochRecord($0) }
            eventSink.yield(.members(members, record))
        } catch {
            logger.warning("cannot read the election: \(error)")
            retryLater()
        }
    }

    private func readElection(_ session: ZooKeeperClient) async throws -> [String: NodeData] {
        let nodes = try await session.children(layout.election)
        let values = try await session.getMany(nodes.map { layout.election + "/" + $0 })
        var found: [String: NodeData] = [:]
        for (node, value) in zip(nodes, values) {
            if let value, let data = try? JSONDecoder().decode(NodeData.self, from: Data(value)) { found[node] = data }
        }
        return found
    }

    /// The epoch node holds `{"epoch": n, …}` (a bare number in a store made before any leader won).
    static func epochRecord(_ bytes: [UInt8]) -> ElectionCore.EpochRecord? {
        if let record = try? JSONDecoder().decode(ElectionCore.EpochRecord.self, from: Data(bytes)) { return record }
        return Int64(String(decoding: bytes, as: UTF8.self)).map { ElectionCore.EpochRecord(epoch: $0) }
    }

    private func claim() async {
        guard let session else { return }
        do {
            let (bytes, stat) = try await session.get(layout.epoch)
            let previous = Self.epochRecord(bytes)?.epoch ?? 0
            let since = Int64(Date().timeIntervalSince1970 * 1000)
            let instance = core.withLock { $0.instance }
            let record = ElectionCore.EpochRecord(epoch: previous + 1, leader: instance.id, since: since)
            let written = try await session.set(layout.epoch, data: Array(try JSONEncoder().encode(record)), version: stat.version)
            eventSink.yield(.won(Fence(epoch: previous + 1, version: written.version), since: since))
        } catch {
            logger.warning("cannot take the lead yet: \(error)")
            try? await Task.sleep(for: .milliseconds(200))
            eventSink.yield(.claimFailed("\(error)"))
        }
    }

    /// The term's store stopped: the core decides whether to step down and try again.
    package func termEnded(_ cause: String) {
        let sink = eventSink
        Task {
            // A term that fails at once (a store that cannot be loaded) is not retried in a tight loop.
            try? await Task.sleep(for: .seconds(1))
            sink.yield(.termEnded(cause))
        }
    }

    /// Reads the election again in a moment (the core ignores it while disconnected).
    private func retryLater() {
        let sink = eventSink
        Task {
            try? await Task.sleep(for: .milliseconds(500))
            sink.yield(.electionChanged)
        }
    }
}

/// The watches set and not yet fired, shared with their callbacks.
private final class ArmedWatches: Sendable {
    let nodes = Mutex<Set<String>>([])
}
