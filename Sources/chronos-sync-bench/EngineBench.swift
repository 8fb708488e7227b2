internal import CProcess
import ChronosEngine
import Foundation
import JobSpec
import Logging
import ServiceLifecycle
import Synchronization

/// A launcher that starts nothing: it records when each run was handed to it and ends the run at once.
/// It takes runs due together in one batch, as the Mesos launcher does.
final class RecordingLauncher: BatchLauncher {
    let clock = WallClock()
    /// Only the launches of jobs whose name starts with it are recorded (all when empty).
    let prefix: String
    /// Posted without a lock, so that recording costs the launches it measures next to nothing.
    private let posted = PostBox<[(due: Int64, at: Int64)]>()
    private let taken = Mutex<[(due: Int64, at: Int64)]>([])

    init(prefix: String = "") { self.prefix = prefix }

    func launch(_ run: RunRecord, job: Job, onStart: @escaping @Sendable (LaunchInfo) -> Void,
                onExit: @escaping @Sendable (TaskID, RunOutcome) -> Void) async throws {
        if prefix.isEmpty || job.name.hasPrefix(prefix) {
            let now = clock.now()
            posted.post([(run.taskID.due, now)])
        }
        onStart(LaunchInfo(pid: nil, processStart: nil, sandbox: "", host: "bench"))
        onExit(run.taskID, .exited(0))
    }

    func launch(_ launches: [SchedulerStep.Launch], reports: LaunchReports) async {
        // The batch is taken first, then its starts and ends reported, as a Mesos launcher reports a
        // task's start only once it runs.
        var recorded: [(due: Int64, at: Int64)] = []
        recorded.reserveCapacity(launches.count)
        for launch in launches where prefix.isEmpty || launch.job.name.hasPrefix(prefix) {
            recorded.append((launch.run.taskID.due, clock.now()))
        }
        posted.post(recorded)
        let info = LaunchInfo(pid: nil, processStart: nil, sandbox: "", host: "bench")
        for launch in launches {
            reports.started(launch.run.taskID, info)
            reports.ended(launch.run.taskID, .exited(0))
        }
    }

    func kill(_ id: TaskID, reason: String) async -> Bool { false }
    func killOrphan(_ run: RunRecord) async {}

    /// Waits until `count` launches were recorded or `deadline` (epoch ms) passed.
    func wait(for count: Int, until deadline: Int64) async throws {
        while launched.count < count && clock.now() < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Each recorded launch's delay after its due time (ms), sorted.
    var delays: [Int64] { launched.map { $0.at - $0.due }.sorted() }

    /// Every launch recorded so far: its due time and when it was handed over.
    var launched: [(due: Int64, at: Int64)] {
        taken.withLock { taken in
            taken += posted.drain().joined()
            return taken
        }
    }
}

func residentMegabytes() -> Double {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
    let kb = Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    return kb / 1024
}

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

func benchFolder() throws -> String {
    let path = NSTemporaryDirectory() + "chronos-bench-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Runs the scheduler in a ServiceGroup while `body` runs, then shuts it down gracefully.
func withScheduler(_ scheduler: Scheduler, _ body: @Sendable @escaping () async throws -> Void) async throws {
    var logger = Logger(label: "bench")
    logger.logLevel = .error
    let group = ServiceGroup(services: [scheduler], gracefulShutdownSignals: [], logger: logger)
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        try await body()
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}

func quietLogger() -> Logger {
    var logger = Logger(label: "bench")
    logger.logLevel = .error
    return logger
}

func engineIdle(jobs count: Int, seconds: Int) async throws {
    let folder = try benchFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let before = residentMegabytes()
    let (scheduler, loadSeconds) = try await loadedScheduler(count, folder: folder, launcher: RecordingLauncher())
    try await withScheduler(scheduler) {
        let (cpu, wall, rss) = try await idle(seconds: seconds)
        print(String(format: "engine-idle jobs %d load %.1f s rss %.0f MB (baseline before loading %.0f MB, %.2f KB per job) idle-cpu %.3f%% of a core over %.0f s",
                     count, loadSeconds, rss, before, (rss - before) * 1024 / Double(count), cpu / wall * 100, wall))
    }
}

func engineDispatch(runs count: Int) async throws {
    let folder = try benchFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let launcher = RecordingLauncher()
    let store = try SQLiteStateStore(path: folder + "/state.sqlite")
    let scheduler = Scheduler(store: store, launcher: launcher, logger: quietLogger())
    let (due, applied) = try jobsDueTogether(count, prefix: "run-")
    try await scheduler.apply(applied)
    // Baseline: how late a bare sleep until the same kind of deadline wakes up.
    let clock = WallClock()
    var sleepDelays: [Int64] = []
    try await withScheduler(scheduler) {
        try await launcher.wait(for: count, until: due + 5000)
    }
    let delays = launcher.delays
    for _ in 0..<20 {
        let target = clock.now() + 50
        try await clock.sleep(until: target)
        sleepDelays.append(clock.now() - target)
    }
    guard delays.count == count else {
        print("engine-dispatch: only \(delays.count) of \(count) runs were dispatched")
        return
    }
    sleepDelays.sort()
    print("engine-dispatch runs \(count) p50 \(delays[count / 2]) ms p99 \(delays[count * 99 / 100]) ms max \(delays.last!) ms (baseline: a bare sleep wakes \(sleepDelays[sleepDelays.count / 2]) ms late at p50)")
}

func launchRate(count: Int) async throws {
    // Sandboxes on tmpfs when there is one: on a disk file system, creating and deleting thousands of
    // folders makes the allocator's search dominate whatever is measured.
    let shm = "/dev/shm"
    let folder = FileManager.default.fileExists(atPath: shm) ? shm + "/chronos-bench-" + UUID().uuidString : try benchFolder()
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    // Baseline: posix_spawn + waitpid of /bin/true, nothing else.
    let baselineStart = Date()
    for _ in 0..<count {
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { free(argv[0]) }
        guard posix_spawn(&pid, "/bin/true", nil, nil, argv, environ) == 0 else { fatalError("posix_spawn failed") }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }
    let baseline = Double(count) / Date().timeIntervalSince(baselineStart)

    let launcher = LocalLauncher(dataDirectory: folder, host: "bench")
    var job = Job(name: "true")
    job.shell = false
    job.command = "/bin/true"
    let ours = Date()
    for i in 0..<count {
        let run = RunRecord(taskID: TaskID(due: Int64(i), attempt: 0, job: "true"), state: .running, trigger: .manual, readyAt: 0, queuedAt: 0)
        let done = AsyncStream<Void>.makeStream()
        try await launcher.launch(run, job: job, onStart: { _ in }, onExit: { _, _ in done.continuation.finish() })
        for await _ in done.stream {}
    }
    let rate = Double(count) / Date().timeIntervalSince(ours)
    print(String(format: "launch-rate local launcher %.0f per second, posix_spawn+waitpid %.0f per second, ratio %.0f%% (sandboxes in %@)", rate, baseline, rate / baseline * 100, (folder as NSString).deletingLastPathComponent))
}

/// N scheduled jobs (as `engine-idle` makes them) applied and idle, then 10,000 more jobs whose single
/// run is due in the same second: memory, apply time, idle CPU and dispatch delay at that size.
func engineScale(jobs count: Int, seconds: Int) async throws {
    let folder = try benchFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let before = residentMegabytes()
    let launcher = RecordingLauncher(prefix: "due-")
    let (scheduler, loadSeconds) = try await loadedScheduler(count, folder: folder, launcher: launcher)
    try await withScheduler(scheduler) {
        let (cpu, wall, rss) = try await idle(seconds: seconds)
        // 10,000 runs due at one whole second, a few seconds ahead, among the N jobs.
        let (due, dueJobs) = try jobsDueTogether(10_000, prefix: "due-")
        try await scheduler.sync(upserts: dueJobs, deletes: [])
        try await launcher.wait(for: dueJobs.count, until: due + 10_000)
        let delays = launcher.delays
        let dispatch = delays.count == dueJobs.count
            ? "dispatch of 10,000 due at once: p50 \(delays[delays.count / 2]) ms p99 \(delays[delays.count * 99 / 100]) ms"
            : "dispatch: only \(delays.count) of 10,000 runs launched"
        print(String(format: "engine-scale jobs %d load %.1f s rss %.0f MB (%.2f KB per job) idle-cpu %.3f%% of a core over %.0f s; ",
                     count, loadSeconds, rss, (rss - before) * 1024 / Double(count), cpu / wall * 100, wall) + dispatch)
    }
}

/// A scheduler on SQLite in `folder` with `count` scheduled jobs (`scheduledJobs`) applied, and how long
/// the apply took (s).
func loadedScheduler(_ count: Int, folder: String, launcher: RecordingLauncher) async throws -> (Scheduler, Double) {
    let applied = try scheduledJobs(count)
    let store = try SQLiteStateStore(path: folder + "/state.sqlite")
    let scheduler = Scheduler(store: store, launcher: launcher, logger: quietLogger())
    let loadStart = Date()
    try await scheduler.apply(applied)
    return (scheduler, Date().timeIntervalSince(loadStart))
}

/// `count` scheduled jobs: half cron, half ISO 8601, once a day each, in four zones.
func scheduledJobs(_ count: Int) throws -> [AppliedJob] {
    let zones = ["UTC", "America/New_York", "Europe/London", "Asia/Kolkata"]
    let now = Instant.now.millis
    var applied: [AppliedJob] = []
    applied.reserveCapacity(count)
    for i in 0..<count {
        var job = Job(name: "job-\(i)")
        job.command = "echo \(i)"
        job.owner = "team-\(i % 50)@example.com"
        if i % 2 == 0 {
            job.cron = "\(i % 60) \(i % 24) * * *"
        } else {
            job.schedule = "R/2026-01-01T\(pad2(i % 24)):\(pad2(i % 60)):00/P1D"
        }
        job.scheduleTimeZone = zones[i % zones.count]
        applied.append(try AppliedJob(job: job, source: .spec(location: "jobs/job-\(i).yaml:1:1"), appliedAt: now))
    }
    return applied
}

/// Waits 2 s for things to settle, then `seconds` more: the CPU time and wall time of those, and the
/// resident memory after.
func idle(seconds: Int) async throws -> (cpu: Double, wall: Double, rss: Double) {
    try await Task.sleep(for: .seconds(2))
    let cpuStart = cpuSeconds()
    let wallStart = Date()
    try await Task.sleep(for: .seconds(seconds))
    return (cpuSeconds() - cpuStart, Date().timeIntervalSince(wallStart), residentMegabytes())
}

/// `count` one-shot jobs named `prefix` and a number, whose single run is due at the same whole second,
/// a few seconds from now; and that second (epoch ms).
func jobsDueTogether(_ count: Int, prefix: String) throws -> (due: Int64, jobs: [AppliedJob]) {
    let due = (Instant.now.millis / 1000 + 4) * 1000
    let start = LocalDateTime(localMillis: due).description + "Z"
    let now = Instant.now.millis
    let jobs = try (0..<count).map { i throws -> AppliedJob in
        var job = Job(name: "\(prefix)\(i)")
        job.command = "true"
        job.schedule = "R1/\(start)/PT1H"
        return try AppliedJob(job: job, source: .spec(location: "bench"), appliedAt: now)
    }
    return (due, jobs)
}
