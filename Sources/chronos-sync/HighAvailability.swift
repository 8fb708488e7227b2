import ChronosAPI
import ChronosEngine
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization
import ZooKeeperStore

/// Where the HA state lives: `zk://h1:2181,h2:2181/path`, or Chronos's `--zk_hosts` and `--zk_path`.
struct ZooKeeperLocation: Equatable {
    var hosts: String
    var path: String

    /// Reads `zk://hosts/path`; nil when it is not one.
    init?(url: String) {
        guard url.hasPrefix("zk://") else { return nil }
        let rest = url.dropFirst(5)
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        hosts = String(rest[..<slash])
        path = String(rest[slash...])
        guard !hosts.isEmpty, path.count > 1, !path.hasSuffix("/") else { return nil }
    }

    init(hosts: String, path: String) {
        self.hosts = hosts
        self.path = path
    }

    var description: String { "zk://\(hosts)\(path)" }
}

/// What one leadership term needs to start: everything `serve` builds once.
struct TermFactory: Sendable {
    var layout: ZNodeLayout
    var historyLimit: Int
    var options: SchedulerOptions
    /// Where the leader's scheduler and sync hand their notices.
    var notices: (any NoticeSink)?
    var runMetrics: RunMetrics
    /// The launcher of a term, on its store (the Mesos framework keeps its framework id there).
    var launchers: @Sendable (any StateStore) throws -> LauncherChoice
    var leaseDuration: Duration
    /// The job source of a term (a folder or the git sync), and the sync the API shows.
    var source: @Sendable (Scheduler, any StateStore) -> (any Service, (any SyncProvider)?)
    /// Services that run beside the scheduler while this instance leads (the sandbox janitor).
    var helpers: @Sendable (any StateStore) -> [any Service]
    /// The term's API (routes only; the front adds the middleware).
    var api: @Sendable (Scheduler, any StateStore, (any SyncProvider)?) -> APIServer
}

/// Starts a term when this instance wins the election and stops it, at once, when it loses the lead:
/// only the leader runs the scheduler and the job source.
final class LeadershipTerms: Service, Sendable {
    let elector: LeaderElector
    let front: ClusterFront
    let factory: TermFactory
    let logger: Logger

    init(elector: LeaderElector, front: ClusterFront, factory: TermFactory, logger: Logger) {
        self.elector = elector
        self.front = front
        self.factory = factory
        self.logger = logger
    }

    /// A term that runs.
    private struct Term: Sendable {
        var store: ZooKeeperStateStore
        var scheduler: Scheduler
        var group: ServiceGroup
        var task: Task<Void, any Error>
        /// Runs are local processes: they die with the term (Mesos tasks keep running for the next leader).
        var local: Bool
    }

    func run() async throws {
        Gauge(label: "chronos_leader").record(0)
        let last = await cancelWhenGracefulShutdown { () async -> Term? in
            var current: Term?
            for await change in self.elector.changes {
                switch change {
                case .lead(let fence, let client):
                    if let term = current { await self.stop(term, "a new term starts") }
                    current = await self.start(fence, client)
                case .stepDown(let reason):
                    if let term = current { await self.stop(term, reason) }
                    current = nil
                }
            }
            return current
        }
        if let term = last { await stop(term, "this instance is stopping") }
    }

    private func start(_ fence: Fence, _ client: ZooKeeperClient) async -> Term? {
        let elector = self.elector
        let store = ZooKeeperStateStore(client: client, layout: factory.layout, fence: fence, historyLimit: factory.historyLimit,
                                        leaseDuration: factory.leaseDuration, onEnd: { elector.termEnded($0) })
        let choice: LauncherChoice
        do {
            choice = try factory.launchers(store)
        } catch {
            logger.error("cannot start the launcher: \(error)")
            store.end("the launcher could not start: \(error)")
            return nil
        }
        let scheduler = Scheduler(store: store, launcher: choice.launcher, options: factory.options,
                                  logger: Logger(label: "chronos-sync.scheduler"), launchGate: store,
                                  notices: factory.notices, metrics: factory.runMetrics)
        do {
            try await scheduler.restore()
        } catch {
            logger.error("cannot load the state from ZooKeeper: \(error)")
            store.end("the state could not be loaded: \(error)")
            return nil
        }
        let (source, sync) = factory.source(scheduler, store)
        front.lead(with: factory.api(scheduler, store, sync))
        let group = ServiceGroup(services: [scheduler, source] + choice.services + factory.helpers(store), logger: logger)
        let task = Task { try await group.run() }
        logger.notice("epoch \(fence.epoch): the scheduler runs on this instance")
        Gauge(label: "chronos_leader").record(1)
        return Term(store: store, scheduler: scheduler, group: group, task: task, local: choice.local)
    }

    /// Stops launching and writing at once, then stops the scheduler and kills the runs it had in flight.
    private func stop(_ term: Term, _ reason: String) async {
        term.store.end(reason, notify: false)
        front.lead(with: nil)
        Gauge(label: "chronos_leader").record(0)
        await term.group.triggerGracefulShutdown()
        _ = await term.task.result
        if term.local { await term.scheduler.relinquish(reason: "this instance stopped leading: \(reason)") }
        logger.notice("the scheduler stopped on this instance: \(reason)")
    }
}

/// Runs the election once the API listens (its address is the member's identity).
struct ElectionService: Service {
    let elector: LeaderElector
    let instance: AsyncStream<ClusterMember>

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            var addresses = instance.makeAsyncIterator()
            guard let member = await addresses.next() else { return }
            try await elector.run(as: member)
        }
    }
}

/// The launcher `serve` runs with, and the services that run beside it.
struct LauncherChoice: Sendable {
    var launcher: any Launcher
    var services: [any Service]
    /// Local processes (as opposed to Mesos tasks, which outlive the server that launched them).
    var local: Bool
}
