import ChronosEngine
import Foundation
import JobSpec

/// The values Chronos's API shows for what a job leaves unset: its `JobDeserializer` fills `cpus`, `mem` and
/// `disk` from `--mesos_task_*` and `runAsUser` from `--user`; `uris` and `fetch` show the same files.
package struct ChronosJobDefaults: Sendable {
    package var cpus = 0.1
    package var mem = 128.0
    package var disk = 256.0
    /// `--user`: the user a job without `runAsUser` runs as.
    package var user: String

    package init(cpus: Double = 0.1, mem: Double = 128, disk: Double = 256, user: String? = nil) {
        self.cpus = cpus
        self.mem = mem
        self.disk = disk
        self.user = user ?? Self.serverUser()
    }

    /// `--user` when it is not given: Chronos's `root` for a server running as root, else the server's own
    /// user (the only one it can run jobs as).
    package static func serverUser() -> String {
        geteuid() == 0 ? "root" : ProcessInfo.processInfo.userName
    }

    private enum Key: String, CodingKey { case cpus, mem, disk, runAsUser, uris, fetch }

    /// `job` with the values that equal these defaults left unset. Chronos cannot tell such a value from
    /// an unset one (its `JobDeserializer` stores the default in place of an unset value, and its GET shows
    /// both alike), so a body read back from a Chronos GET keeps following the server's defaults and is
    /// not a change. A value `existing` (the job as it is) sets explicitly to the default stays set.
    package func unfilled(_ job: Job, keeping existing: Job? = nil) -> Job {
        var job = job
        func unset<Value: Equatable>(_ field: WritableKeyPath<Job, Value>, _ value: Value, empty: Value) {
            if job[keyPath: field] == value && existing?[keyPath: field] != value { job[keyPath: field] = empty }
        }
        unset(\.cpus, cpus, empty: 0)
        unset(\.mem, mem, empty: 0)
        unset(\.disk, disk, empty: 0)
        unset(\.runAsUser, user, empty: "")
        return job
    }

    /// Writes over `job`'s own fields (encoded before) those that Chronos would show filled.
    func encodeFilled(_ job: Job, to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        if job.cpus == 0 { try c.encode(cpus, forKey: .cpus) }
        if job.mem == 0 { try c.encode(mem, forKey: .mem) }
        if job.disk == 0 { try c.encode(disk, forKey: .disk) }
        if job.runAsUser.isEmpty { try c.encode(user, forKey: .runAsUser) }
        if !job.fetch.isEmpty {
            try c.encode(job.fetch.map(\.uri), forKey: .uris)
        } else if !job.uris.isEmpty {
            try c.encode(job.uris.map { FetchURI(uri: $0) }, forKey: .fetch)
        }
    }
}

extension Routes {
    /// A job as the Chronos API shows it, with this server's defaults.
    func chronosJSON(_ status: JobStatus) -> ChronosJobJSON {
        ChronosJobJSON(status: status, defaults: server.configuration.jobDefaults)
    }
}
