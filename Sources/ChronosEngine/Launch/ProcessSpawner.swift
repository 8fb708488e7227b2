internal import CProcess
import Foundation

/// Starts a process with posix_spawn in its own session (so its whole process group can be killed),
/// with its working folder and output files set up by the spawn itself.
enum ProcessSpawner {
    struct Request {
        var argv: [String]
        var environment: [String: String]
        var directory: String
        var stdout: String
        var stderr: String
    }

    /// Spawns the request; returns the child's pid (which is also its process group id).
    static func spawn(_ request: Request) throws(LaunchError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, request.stdout, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, request.stderr, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addchdir_np(&actions, request.directory)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaultSignals = sigset_t()
        sigfillset(&defaultSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) | chronos_posix_spawn_setsid())

        let argv = request.argv.map { strdup($0) } + [nil]
        let envp = request.environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let code = posix_spawnp(&pid, request.argv[0], &actions, &attributes, argv, envp)
        guard code == 0 else {
            throw LaunchError(.spawn, "cannot start \(request.argv[0]): \(String(cString: strerror(code)))")
        }
        return pid
    }

    /// Blocks until `pid` ends; returns its exit status, or 128 + the signal that ended it.
    static func wait(_ pid: pid_t) -> (status: Int32, signaled: Bool) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return (-1, false) }
        }
        let signal = status & 0x7f
        if signal == 0 { return ((status >> 8) & 0xff, false) }
        return (128 + signal, true)
    }

    /// The process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat).
    static func startTime(_ pid: pid_t) -> Int64? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? Int64(fields[19]) : nil
    }
}
