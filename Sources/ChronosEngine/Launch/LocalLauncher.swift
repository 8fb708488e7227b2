import Dispatch
import Foundation
import JobSpec
import Synchronization

/// The embedded launcher: every run is a local process in its own sandbox folder, with its own
/// process group, Chronos's environment variables and its `uris`/`fetch` files.
package final class LocalLauncher: Launcher {
    /// Resource values reported to a job that sets none (Chronos's `--mesos_task_*` defaults).
    package struct Defaults: Sendable {
        package var cpus: Double = 0.1
        package var mem: Double = 128
        package var disk: Double = 256
        /// `runAsUser` for jobs that set none (`--user`); nil runs as the server's user.
        package var user: String?
        /// How long a killed run gets between SIGTERM and SIGKILL.
        package var killGrace: Duration = .seconds(5)
        package init() {}
    }

    struct Running {
        var pid: pid_t
        var killReason: String?
    }

    package let dataDirectory: String
    package let host: String
    package let defaults: Defaults
    private let running = Mutex<[TaskID: Running]>([:])
    /// Runs between `launch` and their spawn (fetching their files).
    private let launching = Mutex<Set<TaskID>>([])
    private let queue = DispatchQueue(label: "chronos-sync.launcher", attributes: .concurrent)

    package init(dataDirectory: String, host: String = ProcessInfo.processInfo.hostName, defaults: Defaults = Defaults()) {
        self.dataDirectory = dataDirectory
        self.host = host
        self.defaults = defaults
    }

    package func launch(_ run: RunRecord, job: Job, onStart: @escaping @Sendable (LaunchInfo) -> Void,
                       onExit: @escaping @Sendable (TaskID, RunOutcome) -> Void) async throws {
        launching.withLock { _ = $0.insert(run.taskID) }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            queue.async {
                continuation.resume(with: Result { () throws(LaunchError) in try self.start(run, job: job, onStart: onStart, onExit: onExit) })
            }
        }
    }

    /// Prepares the sandbox, fetches files and spawns the process (blocking; runs on `queue`).
    private func start(_ run: RunRecord, job: Job, onStart: @escaping @Sendable (LaunchInfo) -> Void,
                       onExit: @escaping @Sendable (TaskID, RunOutcome) -> Void) throws(LaunchError) {
        defer {
            launching.withLock { _ = $0.remove(run.taskID) }
            // A kill that was waiting for a launch that failed has nothing left to kill.
            running.withLock { table in if table[run.taskID]?.pid == 0 { table[run.taskID] = nil } }
        }
        if job.container != nil {
            throw LaunchError(.unsupported, "job \(job.name) needs a container (\(job.container!.image)), and the local launcher has no container runtime; run it on Mesos or remove \"container\"")
        }
        let sandbox = try Sandbox.path(data: dataDirectory, run: run)
        do {
            try FileManager.default.createDirectory(atPath: sandbox, withIntermediateDirectories: true)
        } catch {
            throw LaunchError(.sandbox, "cannot create the sandbox \(sandbox): \(error.localizedDescription)")
        }
        // The spawn creates stdout and stderr; a fetch failure is written to stderr first.
        let stdout = sandbox + "/stdout"
        let stderr = sandbox + "/stderr"
        do {
            try Sandbox.fetch(job, into: sandbox)
        } catch {
            _ = FileManager.default.createFile(atPath: stderr, contents: Data((error.message + "\n").utf8))
            throw error
        }
        var argv = command(job, run)
        if let user = try runAs(job) {
            argv = ["setpriv", "--reuid=\(user.name)", "--regid=\(user.gid)", "--init-groups", "--"] + argv
            chownTree(sandbox, uid: user.uid, gid: user.gid)
        }
        let request = ProcessSpawner.Request(argv: argv, environment: environment(job, run, sandbox: sandbox), directory: sandbox, stdout: stdout, stderr: stderr)
        let pid = try ProcessSpawner.spawn(request)
        let id = run.taskID
        // A kill asked for while the run was being launched takes effect now.
        let pendingKill = running.withLock { table -> String? in
            let reason = table[id]?.killReason
            table[id] = Running(pid: pid, killReason: reason)
            return reason
        }
        onStart(LaunchInfo(pid: pid, processStart: ProcessSpawner.startTime(pid), sandbox: sandbox, host: host))
        if pendingKill != nil { Glibc.kill(-pid, SIGTERM) }
        ProcessReaper.shared.watch(pid) { [self] status in
            // What the run left behind in its process group ends with it.
            Glibc.kill(-pid, SIGKILL)
            let killReason = self.running.withLock { $0.removeValue(forKey: id)?.killReason }
            if let killReason {
                onExit(id, .killed(killReason))
            } else {
                onExit(id, .exited(status))
            }
        }
    }

    package func kill(_ id: TaskID, reason: String) async -> Bool {
        let isLaunching = launching.withLock { $0.contains(id) }
        let pid: pid_t? = running.withLock { table in
            guard var entry = table[id] else {
                if isLaunching { table[id] = Running(pid: 0, killReason: reason) }
                return nil
            }
            if entry.killReason == nil { entry.killReason = reason }
            table[id] = entry
            return entry.pid
        }
        guard let pid, pid > 0 else { return isLaunching }
        Glibc.kill(-pid, SIGTERM)
        let grace = defaults.killGrace
        queue.asyncAfter(deadline: .now() + .milliseconds(Int(grace.components.seconds * 1000 + grace.components.attoseconds / 1_000_000_000_000_000))) { [self] in
            if self.running.withLock({ $0[id] != nil }) { Glibc.kill(-pid, SIGKILL) }
        }
        return true
    }

    package func killOrphan(_ run: RunRecord) async {
        // Only what this server recorded identifies the process: its pid and its start time (a pid alone
        // may have been reused since, by anything, including another server's run). A run that had no pid
        // recorded yet is simply lost, and retried by its policy.
        // A run recorded on another machine (a leader that was replaced) has no process here.
        guard run.host.isEmpty || run.host == host else { return }
        guard let pid = run.pid, pid > 1, let recorded = run.processStart, ProcessSpawner.startTime(pid) == recorded else { return }
        Glibc.kill(-pid, SIGKILL)
    }

    /// The argv of a run: `/bin/sh -c` for a shell command (`ShellCommand`), else the command and its arguments.
    func command(_ job: Job, _ run: RunRecord) -> [String] {
        job.shell ? ["/bin/sh", "-c", ShellCommand.line(job, run: run)] : ShellCommand.argv(job, run: run)
    }

    /// Chronos's variables, then the job's own.
    func environment(_ job: Job, _ run: RunRecord, sandbox: String) -> [String: String] {
        var env: [String: String] = [:]
        let inherited = ProcessInfo.processInfo.environment
        for key in ["PATH", "LANG", "LC_ALL", "HOME", "TZ"] { env[key] = inherited[key] }
        if env["PATH"] == nil { env["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        for variable in job.environmentVariables { env[variable.name] = variable.value }
        env["mesos_task_id"] = run.taskID.description
        env["MESOS_TASK_ID"] = run.taskID.description
        env["MESOS_SANDBOX"] = sandbox
        env["CHRONOS_JOB_NAME"] = job.name
        env["CHRONOS_JOB_OWNER"] = job.owner
        env["CHRONOS_JOB_RUN_TIME"] = String(run.taskID.due)
        env["CHRONOS_JOB_RUN_ATTEMPT"] = String(run.taskID.attempt)
        env["CHRONOS_RESOURCE_CPU"] = Self.number(job.cpus > 0 ? job.cpus : defaults.cpus)
        env["CHRONOS_RESOURCE_MEM"] = Self.number(job.mem > 0 ? job.mem : defaults.mem)
        env["CHRONOS_RESOURCE_DISK"] = Self.number(job.disk > 0 ? job.disk : defaults.disk)
        env["HOST"] = host
        return env
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    /// The user to switch to: only when the server runs as root and the job asks for another user.
    func runAs(_ job: Job) throws(LaunchError) -> (name: String, uid: uid_t, gid: gid_t)? {
        let name = job.runAsUser.isEmpty ? (defaults.user ?? "") : job.runAsUser
        guard !name.isEmpty, getuid() == 0, name != "root" else {
            if !name.isEmpty && name != "root" && getuid() != 0, let me = getpwuid(getuid()), String(cString: me.pointee.pw_name) != name {
                throw LaunchError(.unsupported, "job \(job.name) asks to run as \(name), but the server does not run as root and cannot switch users")
            }
            return nil
        }
        guard let entry = getpwnam(name) else { throw LaunchError(.unsupported, "runAsUser \(name) is not a user on \(host)") }
        return (name, entry.pointee.pw_uid, entry.pointee.pw_gid)
    }

    private func chownTree(_ path: String, uid: uid_t, gid: gid_t) {
        chown(path, uid, gid)
        for item in (try? FileManager.default.subpathsOfDirectory(atPath: path)) ?? [] {
            chown(path + "/" + item, uid, gid)
        }
    }
}

