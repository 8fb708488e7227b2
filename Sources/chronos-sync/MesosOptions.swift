import ArgumentParser
import ChronosEngine
import Foundation
import Logging
import MesosLauncher

/// `serve`'s Mesos flags, with Chronos's names (snake_case accepted). With `--master`, runs go to Mesos.
struct MesosOptions: ParsableArguments {
    @Option(help: "Run jobs on Mesos: the masters, http://host:5050[,host2:5050] (zk://…/mesos is not supported yet). Without it, runs are local processes.")
    var master: String?

    @Option(name: [.customLong("mesos-framework-name"), .customLong("mesos_framework_name")], help: "The framework's name in Mesos.")
    var frameworkName = "chronos"

    @Option(name: [.customLong("mesos-role"), .customLong("mesos_role")], help: "The Mesos role whose offers are used.")
    var role = "*"

    @Option(name: [.customLong("mesos-checkpoint"), .customLong("mesos_checkpoint")], help: "Ask agents to checkpoint the tasks (true or false).")
    var checkpoint = true

    @Option(name: [.customLong("mesos-authentication-principal"), .customLong("mesos_authentication_principal")], help: "The framework's principal.")
    var principal: String?

    @Option(name: [.customLong("mesos-authentication-secret-file"), .customLong("mesos_authentication_secret_file")], help: "A file holding the principal's secret.")
    var secretFile: String?

    @Option(name: [.customLong("failover-timeout"), .customLong("failover_timeout")], help: "How long Mesos keeps the tasks of a disconnected framework (1w; a bare number is seconds).")
    var failoverTimeout = DurationFlag(milliseconds: 604_800_000)

    @Option(name: [.customLong("decline-offer-duration"), .customLong("decline_offer_duration")], help: "How long declined offers are refused (5s; a bare number is milliseconds, as in Chronos).")
    var declineOfferDuration = MillisecondsFlag(argument: "5000")!

    @Option(name: [.customLong("reconciliation-interval"), .customLong("reconciliation_interval")], help: "Time between implicit task reconciliations (10m; a bare number is seconds).")
    var reconciliationInterval = DurationFlag(milliseconds: 600_000)

    @Option(name: [.customLong("mesos-unreachable-timeout")], help: "How long a task may stay unreachable or unknown before it is killed and its run counted lost (15m).")
    var unreachableTimeout = DurationFlag(milliseconds: 900_000)

    @Option(name: [.customLong("webui-url"), .customLong("webui_url")], help: "The URL Mesos shows for this framework.")
    var webuiURL: String?

    /// Checks the flags; `highlyAvailable` is serve's `--zk`.
    func check(highlyAvailable: Bool) throws {
        guard let master else { return }
        if master.hasPrefix("zk://") {
            throw ValidationError("--master zk://… is not supported yet: give the masters as http://host:5050[,host2:5050]; a non-leading master redirects to the leader")
        }
        guard MasterAddress.parse(master) != nil else { throw ValidationError("--master takes http://host:5050[,host2:5050], not \(master)") }
        if highlyAvailable { throw ValidationError("--master with --zk is not supported yet: run the Mesos framework on a single server") }
        if secretFile != nil && principal == nil { throw ValidationError("--mesos-authentication-secret-file needs --mesos-authentication-principal") }
        guard failoverTimeout.milliseconds > 0, reconciliationInterval.milliseconds > 0, unreachableTimeout.milliseconds > 0 else {
            throw ValidationError("--failover-timeout, --reconciliation-interval and --mesos-unreachable-timeout must be positive")
        }
    }

    /// The Mesos launcher, or nil without `--master`. `defaults` carries `--user` and `--mesos-task-*`.
    func launcher(store: any StateStore, defaults: LocalLauncher.Defaults, hostname: String?, logger: Logger) throws -> MesosLauncher? {
        guard let master, let masters = MasterAddress.parse(master) else { return nil }
        var settings = FrameworkSettings()
        settings.name = frameworkName
        settings.user = defaults.user ?? ProcessInfo.processInfo.environment["USER"] ?? "root"
        settings.role = role
        settings.checkpoint = checkpoint
        settings.principal = principal
        settings.hostname = hostname ?? ProcessInfo.processInfo.hostName
        settings.webuiURL = webuiURL
        settings.failoverTimeout = Double(failoverTimeout.milliseconds) / 1000
        settings.refuseSeconds = Double(declineOfferDuration.value.milliseconds) / 1000
        settings.reconciliationInterval = reconciliationInterval.milliseconds
        settings.unreachableTimeout = unreachableTimeout.milliseconds
        settings.defaultCPUs = defaults.cpus
        settings.defaultMem = defaults.mem
        settings.defaultDisk = defaults.disk
        var configuration = MesosLauncher.Configuration(masters: masters, settings: settings)
        if let secretFile {
            do {
                configuration.secret = try String(contentsOfFile: secretFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw ValidationError("cannot read --mesos-authentication-secret-file \(secretFile): \(error.localizedDescription)")
            }
        }
        return MesosLauncher(configuration: configuration, store: store, logger: logger)
    }
}
