import ArgumentParser
import ChronosAPI
import ChronosEngine
import Foundation
import Logging
import Metrics
import Prometheus
import Reconciler
import ServiceLifecycle
import ZooKeeperStore

/// `chronos-sync serve`: the long-running scheduler.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the scheduler on a folder of job specs, with SQLite state and local processes.",
        discussion: """
            Syncs the spec folder (--path, default jobs) of a git repository (--repo; default the repository it \
            runs in) every --sync-interval, and at once on the webhook; or, with --jobs DIR, a plain folder. A \
            commit that does not load applies nothing and the jobs applied before keep running. Stops \
            gracefully on SIGTERM or SIGINT.
            """
    )

    @Option(help: "Run a plain folder of specs, without git (for trying specs out).")
    var jobs: String?

    @Option(help: "The git repository to sync: a path or a URL (file://, git://, https://, ssh://). Default: the repository the command runs in.")
    var repo: String?

    @Option(help: "The branch, tag or commit to sync (default: the repository's HEAD).")
    var ref: String?

    @Option(help: "The folder of specs inside the repository.")
    var path: String = "jobs"

    @Option(name: [.customLong("webhook-secret")], help: "Secret of the webhook (POST /v1/sync/webhook) for GitHub, GitLab or a generic HMAC; or CHRONOS_SYNC_WEBHOOK_SECRET.")
    var webhookSecret: String?

    @Flag(name: [.customLong("allow-insecure-git")], help: "Send the git token over plain http:// (refused otherwise).")
    var allowInsecureGit = false

    @OptionGroup var data: DataOptions

    @Option(name: [.customLong("task-epsilon"), .customLong("task_epsilon")], help: "How late a run may start before it is skipped (30s, 2m; a bare number is seconds).")
    var taskEpsilon = DurationFlag(milliseconds: 60_000)

    @Option(name: [.customLong("failure-retry"), .customLong("failure_retry")], help: "Delay before a retry, for jobs without retryInterval (30s, 1m; a bare number is milliseconds, as in Chronos).")
    var failureRetryFlag = MillisecondsFlag(argument: "60000")!

    @Option(name: [.customLong("disable-after-failures"), .customLong("disable_after_failures")], help: "Disable a job after this many final failures in a row (0: never).")
    var disableAfterFailures: Int = 0

    @Option(name: [.customLong("job-history-limit"), .customLong("job_history_limit")], help: "Finished runs kept per job.")
    var jobHistoryLimit: Int = 100

    @Option(name: [.customLong("sync-interval"), .customLong("sync_interval")], help: "Time between syncs: 30s, 5m, 1h (a bare number is seconds; default 60s for git, 5s for --jobs).")
    var syncIntervalFlag: DurationFlag?

    @Option(name: [.customLong("user")], help: "runAsUser for jobs that set none (default: root when serving as root, as Chronos, else the server's own user; switching users needs root).")
    var user: String?

    @OptionGroup var taskResources: TaskResourceOptions

    @Option(name: [.customLong("http-port"), .customLong("http_port")], help: "Port of the REST API (0 picks a free one; the port is printed).")
    var httpPort: Int = 4400

    @Option(name: [.customLong("http-address"), .customLong("http_address")], help: "Address the REST API listens on.")
    var httpAddress: String = "127.0.0.1"

    @Option(name: [.customLong("http-credentials"), .customLong("http_credentials")], help: "user:password for HTTP basic auth on every route (or MESOSPHERE_HTTP_CREDENTIALS).")
    var httpCredentials: String?

    @Flag(name: [.customLong("public-ping"), .customLong("public_ping")], help: "Answer /ping without credentials (health checks).")
    var publicPing = false

    @Flag(name: [.customLong("metrics-public"), .customLong("metrics_public")], help: "Answer /metrics without credentials.")
    var metricsPublic = false

    @Option(name: [.customLong("http-idle-timeout")], help: "Close a connection that sends nothing for this long, also one whose headers never end (30s).")
    var httpIdleTimeout = DurationFlag(milliseconds: 30_000)

    @Option(name: [.customLong("http-max-connections")], help: "Most HTTP connections open at once (default: 512, or a quarter of the open-files limit when that is lower).")
    var httpMaxConnections: Int?

    @Option(name: [.customLong("sandbox-retention")], help: "Which run sandboxes to keep: history (those of the runs kept in history), forever, or an age such as 7d.")
    var sandboxRetention = "history"

    @Option(name: [.customLong("sandbox-sweep-interval")], help: "How often sandboxes past their retention are deleted.")
    var sandboxSweepInterval = DurationFlag(milliseconds: 60_000)

    @Flag(name: [.customLong("reset-state")], help: "Move a state file that cannot be used aside (state.sqlite.<time>.bak) and start with no state.")
    var resetState = false

    @Option(name: [.customLong("hostname")], help: "Host name this server advertises as the leader.")
    var hostname: String?

    @Option(name: [.customLong("zk")], help: "Run highly available: state and leader election in ZooKeeper, zk://h1:2181,h2:2181/chronos-sync.")
    var zk: String?

    @Option(name: [.customLong("zk-hosts"), .customLong("zk_hosts")], help: "ZooKeeper hosts, h1:2181,h2:2181 (Chronos's form of --zk; with --zk-path).")
    var zkHosts: String?

    @Option(name: [.customLong("zk-path"), .customLong("zk_path")], help: "Root path of the state in ZooKeeper (with --zk-hosts; default /chronos-sync).")
    var zkPath: String?

    @Option(name: [.customLong("zk-timeout"), .customLong("zk_timeout")], help: "ZooKeeper session timeout: how long a dead leader holds the lead (10s; a bare number is milliseconds, as in Chronos).")
    var zkTimeout = MillisecondsFlag(argument: "10000")!

    @OptionGroup var mesos: MesosOptions

    @OptionGroup var alerts: AlertOptions

    @OptionGroup var chronosFlags: ChronosFlags

    @Option(name: [.customLong("log-level")], help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard disableAfterFailures >= 0, jobHistoryLimit > 0, (syncIntervalFlag?.milliseconds ?? 1) > 0 else {
            throw ValidationError("--disable-after-failures must not be negative; --job-history-limit and --sync-interval must be positive")
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level: unknown level \(logLevel)") }
        guard (0...65535).contains(httpPort) else { throw ValidationError("--http-port must be from 0 to 65535") }
        guard retention != nil else { throw ValidationError("--sandbox-retention takes history, forever or an age such as 7d, not \(sandboxRetention)") }
        guard (httpMaxConnections ?? 1) > 0, httpIdleTimeout.milliseconds > 0, sandboxSweepInterval.milliseconds > 0 else {
            throw ValidationError("--http-max-connections and --http-idle-timeout must be positive")
        }
        if zk != nil, zkHosts != nil { throw ValidationError("give --zk or --zk-hosts, not both") }
        if let zk, ZooKeeperLocation(url: zk) == nil { throw ValidationError("--zk takes zk://host:port[,host:port…]/path, not \(zk)") }
        if zkPath != nil, zkHosts == nil { throw ValidationError("--zk-path needs --zk-hosts") }
        if let zkPath, !zkPath.hasPrefix("/") || zkPath.count < 2 { throw ValidationError("--zk-path must be an absolute path such as /chronos-sync") }
        try mesos.check()
        try alerts.check()
        if let credentials = httpCredentials ?? ProcessInfo.processInfo.environment["MESOSPHERE_HTTP_CREDENTIALS"], !credentials.contains(":") {
            throw ValidationError("--http-credentials takes user:password")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel)!
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "chronos-sync")
        for warning in chronosFlags.warnings { logger.warning("\(warning)") }
        // One writer per data folder: held until the process ends, dropped by the kernel however it ends.
        let lock = try data.lock()
        if resetState, let moved = try data.moveStateAside() {
            logger.warning("moved the state file aside to \(moved); starting with no state")
        }
        var options = SchedulerOptions()
        options.taskEpsilon = taskEpsilon.milliseconds
        options.failureRetry = failureRetryFlag.value.milliseconds
        options.disableAfterFailures = disableAfterFailures
        var defaults = LocalLauncher.Defaults()
        defaults.cpus = taskResources.cpus
        defaults.mem = taskResources.mem
        defaults.disk = taskResources.disk
        // Chronos's `root` only for a server running as root: another cannot switch to it.
        let runAsUser = user ?? ChronosJobDefaults.serverUser()
        defaults.user = runAsUser
        let launcher = LocalLauncher(dataDirectory: data.directory, defaults: defaults)
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = [
            "chronos_run_duration_seconds": RunMetrics.durationBuckets, "chronos_run_delay_seconds": RunMetrics.delayBuckets,
            "chronos_sync_duration_seconds": RunMetrics.delayBuckets + [.seconds(10), .seconds(30), .seconds(120)],
        ]
        MetricsSystem.bootstrap(factory)
        let notifier = alerts.notifier(logger: logger)
        defer { notifier?.stop() }
        let runMetrics = RunMetrics(perJob: alerts.metricsPerJob)
        var api = APIServer.Configuration()
        api.host = httpAddress
        api.port = httpPort
        api.credentials = httpCredentials ?? ProcessInfo.processInfo.environment["MESOSPHERE_HTTP_CREDENTIALS"]
        api.advertisedHost = hostname ?? ProcessInfo.processInfo.hostName
        api.publicPing = publicPing
        api.publicMetrics = metricsPublic
        api.idleTimeout = httpIdleTimeout.duration
        api.jobDefaults = ChronosJobDefaults(cpus: taskResources.cpus, mem: taskResources.mem, disk: taskResources.disk, user: runAsUser)
        // Connections are capped well under the open-files limit, so sockets can never starve the files
        // the scheduler and the sync must open.
        let openFiles = OpenFilesLimit.raiseToHard()
        api.maxConnections = httpMaxConnections ?? max(16, min(512, openFiles / 4))
        if let wanted = httpMaxConnections, wanted > openFiles / 2 {
            logger.warning("--http-max-connections \(wanted) is over half the open-files limit (\(openFiles)); idle sockets could starve the scheduler of files")
        }
        let mesosMasters = try await mesos.masters()
        // The launcher of a store: local processes, or the Mesos framework (with what must run beside it).
        let command = self
        let launcherDefaults = defaults
        let launchers: @Sendable (any StateStore) throws -> LauncherChoice = { store in
            guard let (masters, registry) = mesosMasters else { return LauncherChoice(launcher: launcher, services: [], local: true) }
            let framework = try command.mesos.launcher(store: store, masters: masters, defaults: launcherDefaults, hostname: command.hostname,
                                                       logger: Logger(label: "chronos-sync.mesos"))
            let discovery = registry.map { MesosMasterDiscovery(location: $0, masters: framework.masters, logger: Logger(label: "chronos-sync.mesos")) }
            return LauncherChoice(launcher: framework, services: [framework] + (discovery.map { [$0] } ?? []), local: false)
        }
        if let location = zooKeeper {
            try await runHighlyAvailable(location, options: options, launchers: launchers, api: api, registry: registry, lock: lock, logger: logger,
                                         notices: notifier, runMetrics: runMetrics)
            return
        }
        let store = try data.openStore(create: true, historyLimit: jobHistoryLimit)
        let choice = try launchers(store)
        let scheduler = Scheduler(store: store, launcher: choice.launcher, options: options, notices: notifier, metrics: runMetrics)
        // The stored state is loaded before anything starts: a state file that cannot be read stops here,
        // with the file and the job or row it is about.
        try await scheduler.restore()
        let (source, sync) = jobSource(scheduler: scheduler, store: store, logger: logger, notices: notifier)
        let server = APIServer(scheduler: scheduler, store: store, configuration: api, sync: sync,
                               webhookSecret: webhookSecretValue, registry: registry)
        let application = server.application { port in announce(port: port, lock: lock, logger: logger) }
        let janitor = SandboxJanitor(dataDirectory: data.directory, store: store, retention: retention ?? .history,
                                     historyLimit: jobHistoryLimit, interval: sandboxSweepInterval.duration)
        Gauge(label: "chronos_leader").record(1)
        let graphite = alerts.graphite { await server.metricsText() }
        let services: [any Service] = [scheduler, source, application, janitor] + choice.services + (graphite.map { [$0] } ?? [])
        logger.info("chronos-sync \(Version.text) with state in \(data.statePath) (pid \(getpid()))")
        try await runGroup(services, logger: logger)
        withExtendedLifetime(lock) {}
    }

    var webhookSecretValue: String? { webhookSecret ?? ProcessInfo.processInfo.environment["CHRONOS_SYNC_WEBHOOK_SECRET"] }

    /// Runs the services until SIGTERM or SIGINT; a service that fails stops the server.
    func runGroup(_ services: [any Service], logger: Logger) async throws {
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        do {
            try await group.run()
        } catch {
            // Say which failure, at error, before exiting non-zero.
            logger.error("chronos-sync stops: \(error)")
            throw error
        }
    }

    /// Prints where the API listens and records it beside the data folder's lock.
    func announce(port: Int, lock: DataFolderLock, logger: Logger) {
        let address = httpAddress
        logger.notice("REST API on http://\(address):\(port)/ (try /v1/scheduler/jobs/summary)")
        FileHandle.standardOutput.write(Data("chronos-sync: REST API on http://\(address):\(port)/\n".utf8))
        // Commands on this host find the server through its data folder.
        do {
            try lock.advertise(api: Self.localURL(host: address, port: port))
        } catch {
            logger.error("\(error); commands on this host need --server to find this server")
        }
    }

    /// The job source: a plain folder, or git (the repository given, or the one we run in).
    func jobSource(scheduler: Scheduler, store: any StateStore, logger: Logger, notices: (any NoticeSink)?) -> (any Service, SyncLoop?) {
        if let jobs, repo == nil {
            logger.info("serving the folder \(jobs)")
            return (FolderSource(path: jobs, scheduler: scheduler, interval: syncIntervalFlag?.duration ?? .seconds(5)), nil)
        }
        let location = repo ?? FileManager.default.currentDirectoryPath
        var gitOptions = GitSourceOptions(location: location, ref: ref, folder: path, mirrorDirectory: data.directory + "/git")
        gitOptions.allowInsecure = allowInsecureGit
        let git = LibGit2Source(gitOptions)
        let loop = SyncLoop(controller: SyncController(source: git, scheduler: scheduler, store: store, notices: notices),
                            interval: syncIntervalFlag?.duration ?? .seconds(60))
        logger.info("syncing \(path)/ of \(git.displayName) at \(git.ref)")
        return (loop, loop)
    }

    /// `serve --zk`: the API answers at once (proxying to the leader); the scheduler and the job source
    /// run only while this instance leads.
    func runHighlyAvailable(_ location: ZooKeeperLocation, options: SchedulerOptions, launchers: @escaping @Sendable (any StateStore) throws -> LauncherChoice,
                            api: APIServer.Configuration,
                            registry: PrometheusCollectorRegistry, lock: DataFolderLock, logger: Logger,
                            notices: (any NoticeSink)?, runMetrics: RunMetrics) async throws {
        let layout = ZNodeLayout(root: location.path)
        let timeout = zkTimeout.value.duration
        let elector = LeaderElector(hosts: location.hosts, layout: layout, sessionTimeout: timeout,
                                    instance: ClusterMember(id: "", api: "", joined: 0))
        let front = ClusterFront(membership: elector, configuration: api, webhookOpen: webhookSecretValue != nil, registry: registry)
        let (addresses, addressSink) = AsyncStream<ClusterMember>.makeStream()
        let advertised = api.advertisedHost ?? httpAddress
        let application = front.application { port in
            announce(port: port, lock: lock, logger: logger)
            let joined = Int64(Date().timeIntervalSince1970 * 1000)
            let reachable = ["0.0.0.0", "::", "[::]", ""].contains(httpAddress) ? advertised : httpAddress
            let base = reachable.contains(":") && !reachable.hasPrefix("[") ? "http://[\(reachable)]:\(port)" : "http://\(reachable):\(port)"
            addressSink.yield(ClusterMember(id: "\(advertised):\(port)", api: base, joined: joined))
            addressSink.finish()
        }
        let command = self
        let webhook = webhookSecretValue
        let factory = TermFactory(
            layout: layout, historyLimit: jobHistoryLimit, options: options, notices: notices, runMetrics: runMetrics,
            launchers: launchers, leaseDuration: timeout / 3,
            source: { scheduler, store in
                let (source, sync) = command.jobSource(scheduler: scheduler, store: store, logger: logger, notices: notices)
                return (source, sync)
            },
            helpers: { store in
                [SandboxJanitor(dataDirectory: command.data.directory, store: store, retention: command.retention ?? .history,
                                historyLimit: command.jobHistoryLimit, interval: command.sandboxSweepInterval.duration)]
            },
            api: { scheduler, store, sync in
                APIServer(scheduler: scheduler, store: store, configuration: api, sync: sync, webhookSecret: webhook, cluster: elector, registry: registry)
            })
        let terms = LeadershipTerms(elector: elector, front: front, factory: factory, logger: logger)
        logger.info("chronos-sync \(Version.text) with state in \(location.description), sandboxes in \(data.directory) (pid \(getpid()))")
        // Stopped in reverse order: the term first, then the election (closing the session), then the API.
        let graphite = alerts.graphite { await front.metricsText() }
        try await runGroup([application, ElectionService(elector: elector, instance: addresses), terms] + (graphite.map { [$0] } ?? []), logger: logger)
        withExtendedLifetime(lock) {}
    }

    /// Where the HA state lives, when `serve` runs highly available.
    var zooKeeper: ZooKeeperLocation? {
        if let zk { return ZooKeeperLocation(url: zk) }
        return zkHosts.map { ZooKeeperLocation(hosts: $0, path: zkPath ?? "/chronos-sync") }
    }

    /// `--sandbox-retention` as a value; nil when it is not one.
    var retention: SandboxRetention? {
        switch sandboxRetention {
        case "history": .history
        case "forever": .forever
        default: DurationFlag(sandboxRetention).map { .age(milliseconds: $0.milliseconds) }
        }
    }

    /// The URL a command on this host reaches the API at: a wildcard listen address is reached on loopback.
    static func localURL(host: String, port: Int) -> String {
        switch host {
        case "0.0.0.0", "": return "http://127.0.0.1:\(port)"
        case "::", "[::]": return "http://[::1]:\(port)"
        default: return host.contains(":") && !host.hasPrefix("[") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
        }
    }
}
