/// How the framework registers and behaves: Chronos's Mesos flags.
package struct FrameworkSettings: Sendable, Hashable {
    /// `--mesos-framework-name`.
    package var name = "chronos"
    /// `FrameworkInfo.user`, and the user of tasks whose job sets no `runAsUser` (`--user`).
    package var user = "root"
    /// `--mesos-role`.
    package var role = "*"
    /// `--mesos-authentication-principal`.
    package var principal: String?
    package var hostname: String?
    package var webuiURL: String?
    /// `--failover-timeout`, seconds: how long Mesos keeps the tasks of a disconnected framework.
    package var failoverTimeout: Double = 604_800
    /// `--mesos-checkpoint`.
    package var checkpoint = true
    /// `--decline-offer-duration`, seconds: how long declined and unused resources are refused.
    package var refuseSeconds: Double = 5
    /// `--reconciliation-interval`, ms: how often implicit reconciliation runs.
    package var reconciliationInterval: Int64 = 600_000
    /// Explicit reconciliation: first retry after this many ms, doubling up to `reconcileMaxBackoff`.
    package var reconcileBackoff: Int64 = 1_000
    package var reconcileMaxBackoff: Int64 = 15_000
    /// Resubscription: first retry after this many ms, doubling up to `resubscribeMaxBackoff`.
    package var resubscribeBackoff: Int64 = 500
    package var resubscribeMaxBackoff: Int64 = 15_000
    /// A stream that stays silent for this many heartbeat intervals is dead.
    package var heartbeatMisses = 5
    /// How long a SUBSCRIBE may wait for its SUBSCRIBED, ms.
    package var subscribeTimeout: Int64 = 75_000
    /// How long a task may stay unreachable (or lost, or unknown) before it is killed and its run counted
    /// as lost, ms.
    package var unreachableTimeout: Int64 = 900_000
    /// Resources of jobs that set none (`--mesos-task-cpu/mem/disk`).
    package var defaultCPUs: Double = 0.1
    package var defaultMem: Double = 128
    package var defaultDisk: Double = 256

    package init() {}
}
