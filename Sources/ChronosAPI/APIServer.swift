import ChronosEngine
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import Prometheus
import Synchronization

/// The HTTP server: Chronos's REST API under `/v1/scheduler` and `/scheduler`, the run endpoints under
/// `/v1/jobs`, `/ping`, `/metrics` and `/openapi.yaml`.
package struct APIServer: Sendable {
    package struct Configuration: Sendable {
        package var host = "127.0.0.1"
        package var port = 4400
        /// `user:password` for HTTP basic auth on every route; nil for none.
        package var credentials: String?
        /// Largest request body accepted, in bytes.
        package var bodyLimit = 1 << 20
        /// Host name this server answers `leader` with (with its port); the listen address when nil.
        package var advertisedHost: String?
        /// Most runs `job/stat` lists.
        package var statHistory = 5
        /// `/ping` answers without credentials (for a load balancer's health check).
        package var publicPing = false
        /// `/metrics` answers without credentials.
        package var publicMetrics = false
        /// A connection that sends nothing for this long is closed, also one whose request headers never end.
        package var idleTimeout: Duration = .seconds(30)
        /// Most connections open at once; further ones wait in the kernel's queue.
        package var maxConnections = 512
        /// What the Chronos API shows for a job's unset resources and user.
        package var jobDefaults = ChronosJobDefaults()

        package init() {}
    }

    let scheduler: Scheduler
    let store: any StateStore
    let configuration: Configuration
    let registry: PrometheusCollectorRegistry
    let logger: Logger
    /// The port the server listens on, once it does.
    let boundPort = PortBox()
    /// `jobs/summary` as last rendered, reused until the scheduler changes.
    let summaryCache = RenderCache()
    /// The git sync, when the server runs one.
    let sync: (any SyncProvider)?
    let webhookSecret: WebhookSecret?
    /// The election, on an HA instance.
    let cluster: (any ClusterMembership)?
    /// When the server was made (epoch ms): a single server leads since then.
    let startedAt = Int64(Date().timeIntervalSince1970 * 1000)

    package init(scheduler: Scheduler, store: any StateStore, configuration: Configuration, sync: (any SyncProvider)? = nil,
                webhookSecret: String? = nil, cluster: (any ClusterMembership)? = nil,
                registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), logger: Logger = Logger(label: "chronos-sync.api")) {
        self.sync = sync
        self.cluster = cluster
        self.webhookSecret = webhookSecret.map(WebhookSecret.init)
        self.scheduler = scheduler
        self.store = store
        self.configuration = configuration
        self.registry = registry
        self.logger = logger
    }

    /// The router with every route and middleware.
    package func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        Self.addMiddleware(to: router, configuration: configuration, webhookOpen: webhookSecret != nil)
        router.add(middleware: MetricsMiddleware())
        addEngineRoutes(to: router)
        Routes(server: self).addSystem(to: router)
        return router
    }

    /// The routes that need the scheduler, without middleware: what an HA instance serves while it leads,
    /// behind its `ClusterFront`.
    package func engineRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: MetricsMiddleware())
        addEngineRoutes(to: router)
        Routes(server: self).addSystem(to: router)
        return router
    }

    /// The metrics page's text (what Graphite is sent): the scheduler's gauges read now.
    package func metricsText() async -> String { await Routes(server: self).metricsText() }

    private func addEngineRoutes(to router: Router<BasicRequestContext>) {
        let routes = Routes(server: self)
        routes.addScheduler(to: router.group("/v1/scheduler"))
        routes.addScheduler(to: router.group("/scheduler"))
        routes.addRuns(to: router.group("/v1/jobs"))
        routes.addSync(to: router.group("/v1/sync"))
        routes.addUI(to: router)
    }

    /// CORS, the cross-origin guard and basic auth: in front of every route, on a single server and on an
    /// HA instance's front alike.
    static func addMiddleware(to router: Router<BasicRequestContext>, configuration: Configuration, webhookOpen: Bool) {
        // As Chronos: any origin may call the API (browser dashboards); preflights pass before auth.
        router.add(middleware: CORSMiddleware(allowOrigin: .all, allowMethods: [.get, .post, .put, .delete, .head, .options]))
        router.add(middleware: CrossOriginGuard())
        if let credentials = configuration.credentials {
            var open: Set<String> = []
            if configuration.publicPing { open.insert("/ping") }
            if configuration.publicMetrics { open.insert("/metrics") }
            // The webhook is authenticated by its HMAC; without a secret it refuses every request anyway.
            if webhookOpen { open.insert("/v1/sync/webhook") }
            router.add(middleware: BasicAuthMiddleware(credentials: credentials, open: open, bodyLimit: configuration.bodyLimit))
        }
    }

    /// The server as a service; `onRunning` gets the port it listens on (useful with port 0).
    package func application(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Self.application(router: router(), configuration: configuration, logger: logger) { [boundPort] port in
            boundPort.value.withLock { $0 = port }
            await onRunning(port)
        }
    }

    /// An HTTP/1 application for `router` with the configuration's address, idle timeout and connection cap.
    static func application(router: Router<BasicRequestContext>, configuration: Configuration, logger: Logger,
                            onRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [CloseAfterUnauthorized()],
                                                idleTimeout: .milliseconds(Int64(configuration.idleTimeout / .milliseconds(1))))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "chronos-sync",
                                 availableConnectionsDelegate: MaximumAvailableConnections(configuration.maxConnections)),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }
}

/// The port a server bound, set once it listens.
final class PortBox: Sendable {
    let value = Mutex<Int>(0)
}

extension APIServer {
    /// `host:port` for `leader`.
    var leaderAddress: String {
        let port = boundPort.value.withLock { $0 }
        return "\(configuration.advertisedHost ?? configuration.host):\(port == 0 ? configuration.port : port)"
    }
}

/// A rendered document and the scheduler version it shows.
final class RenderCache: Sendable {
    private let cached = Mutex<(version: UInt64, bytes: [UInt8])?>(nil)

    /// The document for the scheduler's current version, rendered again only when the scheduler changed.
    func document(_ scheduler: Scheduler, render: ([JobStatus]) -> [UInt8]) async -> [UInt8] {
        let version = await scheduler.version
        if let hit = cached.withLock({ $0 }), hit.version == version { return hit.bytes }
        let (current, statuses) = await scheduler.versionedStatuses()
        let bytes = render(statuses)
        cached.withLock { $0 = (current, bytes) }
        return bytes
    }
}
