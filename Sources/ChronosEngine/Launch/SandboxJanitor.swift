import Dispatch
import Foundation
import JobSpec
import Logging
import Metrics
import ServiceLifecycle

/// Deletes the sandboxes of runs that left the history (`<data>/sandboxes/<job>/<task>/`), so a frequent job
/// does not fill the disk, and reports what the kept ones use. Sweeps every `interval`, one job at a
/// time, on a thread of its own: deleting files never delays scheduling.
package struct SandboxJanitor: Service {
    let folder: String
    let store: any StateStore
    let retention: SandboxRetention
    let historyLimit: Int
    let interval: Duration
    let clock: any SchedulerClock
    let logger: Logger
    private static let queue = DispatchQueue(label: "chronos-sync.sandboxes", qos: .utility)

    package init(dataDirectory: String, store: any StateStore, retention: SandboxRetention, historyLimit: Int,
                 interval: Duration = .seconds(60), clock: any SchedulerClock = WallClock(),
                 logger: Logger = Logger(label: "chronos-sync.sandboxes")) {
        folder = dataDirectory + "/sandboxes"
        self.store = store
        self.retention = retention
        self.historyLimit = historyLimit
        self.interval = interval
        self.clock = clock
        self.logger = logger
    }

    package func run() async throws {
        guard retention != .forever else { return try await gracefulShutdown() }
        try await runUntilShutdown("the sandbox janitor", logger: logger) {
            while !Task.isCancelled {
                let sweep = try await self.sweep()
                Gauge(label: "chronos_sandboxes").record(sweep.kept)
                Gauge(label: "chronos_sandboxes_bytes").record(sweep.keptBytes)
                if sweep.deleted > 0 {
                    Counter(label: "chronos_sandboxes_deleted_total").increment(by: sweep.deleted)
                    logger.debug("deleted \(sweep.deleted) sandboxes; \(sweep.kept) kept, \(sweep.keptBytes) bytes")
                }
                try await self.clock.sleep(until: self.clock.now() + Int64(self.interval / .milliseconds(1)))
            }
        }
    }

    /// One pass over every job's sandboxes.
    package func sweep() async throws -> SandboxSweep {
        var total = SandboxSweep()
        for job in await Self.onQueue({ Self.folders(in: folder).map(\.name) }) {
            let jobFolder = folder + "/" + job
            // Listed before the store is read: a run is stored before its sandbox exists, so every folder
            // listed here belongs to a run the store already knows.
            let folders = await Self.onQueue { Self.folders(in: jobFolder) }
            // The runs the store holds for the job: its history and any run in flight.
            let held = Set(try await store.runs(of: job, limit: historyLimit + 1000).map { SandboxRetention.folderName(of: $0.taskID) })
            let expired = Set(retention.expired(folders, held: held, now: clock.now()))
            let sweep = await Self.onQueue { () -> SandboxSweep in
                var sweep = SandboxSweep()
                for entry in folders {
                    if expired.contains(entry.name) {
                        if (try? FileManager.default.removeItem(atPath: jobFolder + "/" + entry.name)) != nil { sweep.deleted += 1 }
                    } else {
                        sweep.kept += 1
                        sweep.keptBytes += Self.bytes(in: jobFolder + "/" + entry.name)
                    }
                }
                // A job whose last sandbox went leaves no empty folder behind (rmdir fails if one came since).
                if sweep.kept == 0 { rmdir(jobFolder) }
                return sweep
            }
            total.deleted += sweep.deleted
            total.kept += sweep.kept
            total.keptBytes += sweep.keptBytes
        }
        return total
    }

    private static func onQueue<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in queue.async { continuation.resume(returning: body()) } }
    }

    /// The sub-folders of `path` with their modification times (epoch ms).
    static func folders(in path: String) -> [(name: String, modified: Int64)] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [] }
        return names.compactMap { name in
            var info = stat()
            guard !name.hasPrefix("."), stat(path + "/" + name, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { return nil }
            return (name, Int64(info.st_mtim.tv_sec) * 1000 + Int64(info.st_mtim.tv_nsec) / 1_000_000)
        }
    }

    /// Bytes used by the files of one sandbox.
    static func bytes(in path: String) -> Int64 {
        guard let walker = FileManager.default.enumerator(atPath: path) else { return 0 }
        var total: Int64 = 0
        while let name = walker.nextObject() as? String {
            var info = stat()
            if lstat(path + "/" + name, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG { total += Int64(info.st_size) }
        }
        return total
    }
}
