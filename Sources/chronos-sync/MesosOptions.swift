import ArgumentParser
import ChronosAPI
import ChronosEngine
import Foundation
import Logging
import MesosLauncher

/// `serve`'s Mesos flags, with Chronos's names (snake_case accepted). With `--master`, runs go to Mesos.
struct MesosOptions: ParsableArguments {
    @Option(help: "Run jobs on Mesos: the masters, http://host:5050[,host2:5050], or where they register, zk://h1:2181,h2:2181/mesos. Without it, runs are local processes.")
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

    /// Checks the flags.
    func check() throws {
        guard let master else { return }
        if master.hasPrefix("zk://") {
            guard ZooKeeperLocation(url: master) != nil else { throw ValidationError("--master takes zk://host:port[,host:port…]/path, not \(master)") }
        } else {
            guard MasterAddress.parse(master) != nil else { throw ValidationError("--master takes http://host:5050[,host2:5050], not \(master)") }
        }
        if secretFile != nil && principal == nil { throw ValidationError("--mesos-authentication-secret-file needs --mesos-authentication-principal") }
        guard failoverTimeout.milliseconds > 0, reconciliationInterval.milliseconds > 0, unreachableTimeout.milliseconds > 0 else {
            throw ValidationError("--failover-timeout, --reconciliation-interval and --mesos-unreachable-timeout must be positive")
        }
    }

    /// The masters of `--master` (nil without it), read from ZooKeeper for `zk://`, and where they register.
    func masters() async throws -> (masters: [String], registry: ZooKeeperLocation?)? {
        guard let master else { return nil }
        if let location = ZooKeeperLocation(url: master) {
            return (try await MesosMasterDiscovery.resolve(location, timeout: .seconds(15)), location)
        }
        return MasterAddress.parse(master).map { ($0, nil) }
    }

    /// The Mesos launcher on `masters`; `defaults` carries `--user` and `--mesos-task-*`.
    func launcher(store: any StateStore, masters: [String], defaults: LocalLauncher.Defaults, hostname: String?, logger: Logger) throws -> MesosLauncher {
        var settings = FrameworkSettings()
        settings.name = frameworkName
        settings.user = defaults.user ?? ChronosJobDefaults.serverUser()
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
