import Foundation

// Benchmarks of chronos-sync. Run them through scripts/bench, which builds in release mode and measures
// each baseline in the same run.
//
//   chronos-sync-bench next-runs N STEPS CRON_OUT   N mixed schedules, STEPS next runs each
//   chronos-sync-bench gen-jobs DIR N [ZONES]       writes N job spec files to DIR (with ZONES: every job in
//                                                   one of that many zones, with environment variables and resources)
//   chronos-sync-bench engine-idle N SECONDS        N scheduled jobs loaded: memory and idle CPU
//   chronos-sync-bench engine-dispatch N            N runs due in the same second: dispatch delay
//   chronos-sync-bench engine-scale N SECONDS       N jobs loaded: memory, apply time, idle CPU, and the
//                                                   dispatch delay of 10,000 more runs due at once
//   chronos-sync-bench core-dispatch N              the same in the scheduler's core alone: time of each transition
//   chronos-sync-bench launch-rate N                local launches of /bin/true against posix_spawn
//   chronos-sync-bench concurrent-runs N SECONDS    N local runs at once: threads, memory, CPU, reaping
//   chronos-sync-bench api-serve N                  the API with N jobs, and a bare Hummingbird server, for wrk
//   chronos-sync-bench api-burst SECONDS CLIENTS    a 5-per-second job's delay and /ping, idle and under 1 MiB POSTs
//   chronos-sync-bench seed-runs DATA RUNS          RUNS finished runs of history for every job of DATA's state
//   chronos-sync-bench store-writes ZK_HOSTS N      N scheduler batches to the SQLite and the ZooKeeper stores
//   chronos-sync-bench store-load ZK_HOSTS ROOT     loads the ZooKeeper state under ROOT, as a new leader does
//   chronos-sync-bench store-read ZK_HOSTS ROOT FOLDER WINDOW   reads every node of a folder, WINDOW requests in flight
@main
struct Bench {
    static func main() async throws {
        let args = CommandLine.arguments
        switch args.dropFirst().first {
        case "next-runs" where args.count == 5:
            try nextRuns(count: Int(args[2])!, steps: Int(args[3])!, cronOut: args[4])
        case "gen-jobs" where args.count == 4 || args.count == 5:
            try generateJobs(folder: args[2], count: Int(args[3])!, zoneCount: args.count == 5 ? Int(args[4])! : nil)
        case "engine-idle" where args.count == 4:
            try await engineIdle(jobs: Int(args[2])!, seconds: Int(args[3])!)
        case "engine-scale" where args.count == 4:
            try await engineScale(jobs: Int(args[2])!, seconds: Int(args[3])!)
        case "engine-dispatch" where args.count == 3:
            try await engineDispatch(runs: Int(args[2])!)
        case "core-dispatch" where args.count == 3:
            try coreDispatch(runs: Int(args[2])!)
        case "api-serve" where args.count == 3:
            try await apiServe(jobs: Int(args[2])!)
        case "api-burst" where args.count == 4:
            try await apiBurst(seconds: Int(args[2])!, clients: Int(args[3])!)
        case "launch-rate" where args.count == 3:
            try await launchRate(count: Int(args[2])!)
        case "seed-runs" where args.count == 4:
            try await seedRuns(data: args[2], runs: Int(args[3])!)
        case "concurrent-runs" where args.count == 4:
            try await concurrentRuns(count: Int(args[2])!, seconds: Double(args[3])!)
        case "store-read" where args.count == 6:
            try await storeRead(hosts: args[2], root: args[3], folder: args[4], window: Int(args[5])!)
        case "store-load" where args.count == 4:
            try await storeLoad(hosts: args[2], root: args[3])
        case "store-writes" where args.count == 4:
            try await storeWrites(hosts: args[2], batches: Int(args[3])!)
        default:
            FileHandle.standardError.write(Data("usage: see the comment at the top of Bench.swift\n".utf8))
            exit(2)
        }
    }
}
