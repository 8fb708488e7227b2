import ArgumentParser
import ChronosAPI
import ChronosEngine
import Foundation
import Logging
import Metrics
import Prometheus
import Reconciler
import ServiceLifecycle

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

    @OptionGroup var data: DataOptions

    @Option(name: [.customLong("task-epsilon"), .customLong("task_epsilon")], help: "Seconds a run may start late before it is skipped.")
    var taskEpsilon: Int = 60

    @Option(name: [.customLong("failure-retry"), .customLong("failure_retry")], help: "Milliseconds before a retry, for jobs without retryInterval.")
    var failureRetry: Int = 60_000

    @Option(name: [.customLong("disable-after-failures"), .customLong("disable_after_failures")], help: "Disable a job after this many final failures in a row (0: never).")
    var disableAfterFailures: Int = 0

    @Option(name: [.customLong("job-history-limit"), .customLong("job_history_limit")], help: "Finished runs kept per job.")
    var jobHistoryLimit: Int = 100

    @Option(name: [.customLong("sync-interval")], help: "Seconds between syncs (default 60 for git, 5 for --jobs).")
    var syncInterval: Double?

    @Option(name: [.customLong("user")], help: "runAsUser for jobs that set none (only when serving as root).")
    var user: String?

    @Option(name: [.customLong("mesos-task-cpu"), .customLong("mesos_task_cpu")], help: "CPUs reported to jobs that set none.")
    var taskCPU: Double = 0.1

    @Option(name: [.customLong("mesos-task-mem"), .customLong("mesos_task_mem")], help: "Memory (MB) reported to jobs that set none.")
    var taskMem: Double = 128

    @Option(name: [.customLong("mesos-task-disk"), .customLong("mesos_task_disk")], help: "Disk (MB) reported to jobs that set none.")
    var taskDisk: Double = 256

    @Option(name: [.customLong("http-port"), .customLong("http_port")], help: "Port of the REST API (0 picks a free one; the port is printed).")
    var httpPort: Int = 4400

    @Option(name: [.customLong("http-address"), .customLong("http_address")], help: "Address the REST API listens on.")
    var httpAddress: String = "127.0.0.1"

    @Option(name: [.customLong("http-credentials"), .customLong("http_credentials")], help: "user:password for HTTP basic auth on every route (or MESOSPHERE_HTTP_CREDENTIALS).")
    var httpCredentials: String?

    @Option(name: [.customLong("hostname")], help: "Host name this server advertises as the leader.")
    var hostname: String?

    @Option(name: [.customLong("log-level")], help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard taskEpsilon >= 0, failureRetry >= 0, disableAfterFailures >= 0, jobHistoryLimit > 0, (syncInterval ?? 1) > 0 else {
            throw ValidationError("--task-epsilon, --failure-retry and --disable-after-failures must not be negative; --job-history-limit and --sync-interval must be positive")
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level: unknown level \(logLevel)") }
        guard (0...65535).contains(httpPort) else { throw ValidationError("--http-port must be from 0 to 65535") }
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
        let store = try data.openStore(create: true, historyLimit: jobHistoryLimit)
        var options = SchedulerOptions()
        options.taskEpsilon = Int64(taskEpsilon) * 1000
        options.failureRetry = Int64(failureRetry)
        options.disableAfterFailures = disableAfterFailures
        var defaults = LocalLauncher.Defaults()
        defaults.cpus = taskCPU
        defaults.mem = taskMem
        defaults.disk = taskDisk
        defaults.user = user
        let launcher = LocalLauncher(dataDirectory: data.directory, defaults: defaults)
        let scheduler = Scheduler(store: store, launcher: launcher, options: options)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        var api = APIServer.Configuration()
        api.host = httpAddress
        api.port = httpPort
        api.credentials = httpCredentials ?? ProcessInfo.processInfo.environment["MESOSPHERE_HTTP_CREDENTIALS"]
        api.advertisedHost = hostname ?? ProcessInfo.processInfo.hostName
        // The job source: a plain folder, or git (the repository given, or the one we run in).
        let source: any Service
        var sync: SyncLoop?
        if let jobs, repo == nil {
            source = FolderSource(path: jobs, scheduler: scheduler, interval: .milliseconds(Int((syncInterval ?? 5) * 1000)))
            logger.info("serving the folder \(jobs)")
        } else {
            let location = repo ?? FileManager.default.currentDirectoryPath
            let git = LibGit2Source(GitSourceOptions(location: location, ref: ref, folder: path, mirrorDirectory: data.directory + "/git"))
            let loop = SyncLoop(controller: SyncController(source: git, scheduler: scheduler, store: store),
                                interval: .milliseconds(Int((syncInterval ?? 60) * 1000)))
            sync = loop
            source = loop
            logger.info("syncing \(path)/ of \(git.displayName) at \(git.ref)")
        }
        let server = APIServer(scheduler: scheduler, store: store, configuration: api, sync: sync,
                               webhookSecret: webhookSecret ?? ProcessInfo.processInfo.environment["CHRONOS_SYNC_WEBHOOK_SECRET"], registry: registry)
        let application = server.application { port in
            logger.notice("REST API on http://\(httpAddress):\(port)/ (try /v1/scheduler/jobs/summary)")
            FileHandle.standardOutput.write(Data("chronos-sync: REST API on http://\(httpAddress):\(port)/\n".utf8))
        }
        let applyPlan: (@Sendable (String) async throws -> String)? = sync.map { git in
            { @Sendable plan in
                do {
                    let status = try await git.controller.applySaved(try JSONDecoder().decode(Plan.self, from: Data(plan.utf8)))
                    return "\(status.state.rawValue): \(status.message)"
                } catch let error as DecodingError {
                    throw JobRejection("not a plan saved by `chronos-sync plan --out`: \(error)")
                }
            }
        }
        let services: [any Service] = [scheduler, source, ControlService(store: store, scheduler: scheduler, applyPlan: applyPlan), application]
        logger.info("chronos-sync \(Version.text) with state in \(data.statePath) (pid \(getpid()))")
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}
