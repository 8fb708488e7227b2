import ArgumentParser
import ChronosEngine
import Foundation
import ZooKeeperStore

/// `chronos-sync migrate-state`: copies the whole state (jobs as applied, runtime state with dependency
/// progress, runs in flight, run history, the sync record) between SQLite and ZooKeeper.
struct MigrateState: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-state",
        abstract: "Copy the state between SQLite (sqlite:DIR) and ZooKeeper (zk://hosts/path), with no server running on either.",
        discussion: """
            Moving a single server to HA: stop it, run `chronos-sync migrate-state --from sqlite:.chronos-sync --to \
            zk://h1:2181,h2:2181/chronos-sync`, then start the servers with --zk. The target must hold no jobs yet.
            """
    )

    @Option(help: "Where the state is now: sqlite:DIR (a data folder) or zk://hosts/path.")
    var from: String

    @Option(help: "Where to copy it: sqlite:DIR or zk://hosts/path (holding no jobs yet).")
    var to: String

    @Option(name: [.customLong("job-history-limit"), .customLong("job_history_limit")], help: "Finished runs copied per job.")
    var jobHistoryLimit: Int = 100

    @Option(name: [.customLong("zk-timeout")], help: "ZooKeeper session timeout.")
    var zkTimeout = MillisecondsFlag(argument: "10000")!

    /// An open end of the copy; `keep` holds what must stay alive (a folder lock, a session).
    struct End {
        var store: any StateStore
        var keep: [Any]
    }

    func run() async throws {
        let source = try await open(from, target: false)
        let target = try await open(to, target: true)
        let stored = try await source.store.load()
        guard try await target.store.load().jobs.isEmpty else {
            throw CommandError("\(to) already holds jobs; migrate into an empty state")
        }
        var batch = StoreBatch()
        batch.upsertJobs = stored.jobs
        batch.states = stored.states
        var history: [RunRecord] = []
        for applied in stored.jobs {
            let runs = try await source.store.runs(of: applied.job.name, limit: jobHistoryLimit + 64)
            history += runs.filter { $0.state.isFinal }.prefix(jobHistoryLimit).reversed()
        }
        // Oldest first, so each job's history keeps its order; the runs in flight after them.
        batch.runs = history + stored.activeRuns
        try await target.store.write(batch)
        let values = try await source.store.values()
        for (key, value) in values.sorted(by: { $0.key < $1.key }) { try await target.store.setValue(value, for: key) }
        print("copied \(stored.jobs.count) jobs, \(stored.states.count) job states, \(stored.activeRuns.count) runs in flight, \(history.count) finished runs and \(values.count) values from \(from) to \(to)")
        withExtendedLifetime(source.keep) {}
        withExtendedLifetime(target.keep) {}
    }

    func open(_ location: String, target: Bool) async throws -> End {
        if location.hasPrefix("sqlite:") {
            let folder = String(location.dropFirst("sqlite:".count))
            var data = DataOptions()
            data.directory = folder
            // No server may run on the folder while its state is copied.
            let lock = try data.lock()
            if !target, !FileManager.default.fileExists(atPath: data.statePath) {
                throw CommandError("no chronos-sync state in \(folder)")
            }
            return End(store: try SQLiteStateStore(path: data.statePath, historyLimit: jobHistoryLimit), keep: [lock])
        }
        guard let zk = ZooKeeperLocation(url: location) else {
            throw CommandError("\(location): give sqlite:DIR or zk://host:port[,host:port…]/path")
        }
        let client = try ZooKeeperClient(hosts: zk.hosts, sessionTimeout: zkTimeout.value.duration)
        do {
            try await client.waitUntilConnected(timeout: .seconds(15))
        } catch {
            throw CommandError("cannot reach ZooKeeper at \(zk.hosts): \(error)")
        }
        let layout = ZNodeLayout(root: zk.path)
        try await ZooKeeperStateStore.prepare(client, layout: layout)
        let members = try await client.children(layout.election)
        guard members.isEmpty else {
            throw CommandError("\(members.count) chronos-sync server\(members.count == 1 ? " is" : "s are") running on \(location); stop \(members.count == 1 ? "it" : "them") first")
        }
        return End(store: ZooKeeperStateStore(client: client, layout: layout, fence: nil, historyLimit: jobHistoryLimit), keep: [client])
    }
}
