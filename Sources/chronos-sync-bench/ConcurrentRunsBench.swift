import ChronosEngine
import Foundation
import JobSpec
import Synchronization

/// A line of /proc/self/status, as a number (`Threads`, or `VmRSS`/`VmSize` in kB).
func processStatus(_ field: String) -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix(field + ":") } ?? ""
    return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "0") ?? 0
}

/// What N processes running at once cost the server while they run, and how soon their ends are seen.
struct ConcurrentCost {
    var threads: Int
    var rssMB: Double
    var virtualMB: Double
    var cpuPercent: Double
    var endAllMillis: Double

    var line: String {
        String(format: "threads +%d, resident +%.1f MB, virtual +%.0f MB, CPU while they run %.2f%% of a core, all ends seen %.0f ms after the kill",
               threads, rssMB, virtualMB, cpuPercent, endAllMillis)
    }
}

/// Counts ends reported from any thread; `wait` returns once `target` have arrived.
final class EndCounter: Sendable {
    private let ended = Mutex(0)
    func add() { ended.withLock { $0 += 1 } }
    var count: Int { ended.withLock { $0 } }

    func wait(for target: Int) async throws {
        while count < target { try await Task.sleep(for: .milliseconds(5)) }
    }
}

/// Measures the cost of `count` processes held running for `seconds`: `start` starts them, `stop` kills them.
func measureConcurrent(count: Int, seconds: Double, ends: EndCounter, start: () async throws -> Void, stop: () async -> Void) async throws -> ConcurrentCost {
    let threads = processStatus("Threads"), rss = processStatus("VmRSS"), size = processStatus("VmSize")
    try await start()
    try await Task.sleep(for: .milliseconds(500))  // settle after the spawns
    let cpuStart = cpuSeconds(), wallStart = Date()
    try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
    let cpu = (cpuSeconds() - cpuStart) / Date().timeIntervalSince(wallStart) * 100
    let cost = ConcurrentCost(threads: processStatus("Threads") - threads, rssMB: Double(processStatus("VmRSS") - rss) / 1024,
                              virtualMB: Double(processStatus("VmSize") - size) / 1024, cpuPercent: cpu, endAllMillis: 0)
    let killed = Date()
    await stop()
    try await ends.wait(for: count)
    return ConcurrentCost(threads: cost.threads, rssMB: cost.rssMB, virtualMB: cost.virtualMB, cpuPercent: cost.cpuPercent,
                          endAllMillis: Date().timeIntervalSince(killed) * 1000)
}

/// `count` runs of `sleep` at once through the local launcher (one reaper thread), against the same
/// processes each waited for by a thread of its own blocked in `waitpid` (256 KB stacks), in this run.
func concurrentRuns(count: Int, seconds: Double) async throws {
    let shm = "/dev/shm"
    let folder = FileManager.default.fileExists(atPath: shm) ? shm + "/chronos-bench-" + UUID().uuidString : try benchFolder()
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }

    let launcher = LocalLauncher(dataDirectory: folder, host: "bench")
    var job = Job(name: "sleeper")
    job.shell = false
    job.command = "/bin/sleep"
    job.arguments = ["600"]
    let ids = (0..<count).map { TaskID(due: Int64($0), attempt: 0, job: "sleeper") }
    let ours = EndCounter()
    let launchStart = Date()
    var launchSeconds = 0.0
    let reaper = try await measureConcurrent(count: count, seconds: seconds, ends: ours, start: {
        for id in ids {
            let run = RunRecord(taskID: id, state: .running, trigger: .manual, readyAt: 0, queuedAt: 0)
            try await launcher.launch(run, job: job, onStart: { _ in }, onExit: { _, _ in ours.add() })
        }
        launchSeconds = Date().timeIntervalSince(launchStart)
    }, stop: {
        for id in ids { _ = await launcher.kill(id, reason: "bench") }
    })

    let theirs = EndCounter()
    let pids = Mutex<[pid_t]>([])
    // The spawning thread is a pool thread with signals blocked; the children must not inherit that.
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var noSignals = sigset_t()
    sigemptyset(&noSignals)
    posix_spawnattr_setsigmask(&attributes, &noSignals)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
    let perThread = try await measureConcurrent(count: count, seconds: seconds, ends: theirs, start: {
        for _ in 0..<count {
            var pid: pid_t = 0
            let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sleep"), strdup("600"), nil]
            defer { argv.forEach { free($0) } }
            guard posix_spawn(&pid, "/bin/sleep", nil, &attributes, argv, environ) == 0 else { fatalError("posix_spawn failed") }
            pids.withLock { $0.append(pid) }
            let thread = Thread { [pid] in
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                theirs.add()
            }
            thread.stackSize = 256 * 1024
            thread.start()
        }
    }, stop: {
        for pid in pids.withLock({ $0 }) { kill(pid, SIGKILL) }
    })
    print(String(format: "concurrent-runs %d for %.0f s (launched in %.2f s)", count, seconds, launchSeconds))
    print("  local launcher, one reaper thread:   " + reaper.line)
    print("  baseline, a waitpid thread per run:  " + perThread.line)
    print(String(format: "  ratio: %.3f of the baseline's threads, %.2f of its resident memory", Double(max(reaper.threads, 0)) / Double(max(perThread.threads, 1)),
                 reaper.rssMB / max(perThread.rssMB, 0.1)))
}
