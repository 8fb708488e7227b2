import ChronosEngine
import Foundation
import Hummingbird
import JobSpec

extension Routes {
    struct Histogram: Encodable, Sendable {
        var p75: Double, p95: Double, p98: Double, p99: Double, median: Double, mean: Double, count: Int

        enum CodingKeys: String, CodingKey {
            case p75 = "75thPercentile", p95 = "95thPercentile", p98 = "98thPercentile", p99 = "99thPercentile", median, mean, count
        }

        /// Percentiles of run times, in milliseconds.
        init(_ durations: [Int64]) {
            let sorted = durations.sorted().map(Double.init)
            // Nearest rank: the smallest value with at least q of the values at or below it.
            func at(_ q: Double) -> Double {
                sorted.isEmpty ? 0 : sorted[max(0, Int((Double(sorted.count) * q).rounded(.up)) - 1)]
            }
            p75 = at(0.75)
            p95 = at(0.95)
            p98 = at(0.98)
            p99 = at(0.99)
            median = at(0.5)
            mean = sorted.isEmpty ? 0 : sorted.reduce(0, +) / Double(sorted.count)
            count = sorted.count
        }

        func value(_ name: String) -> Double? {
            switch name {
            case "75thPercentile": return p75
            case "95thPercentile": return p95
            case "98thPercentile": return p98
            case "99thPercentile": return p99
            case "median": return median
            case "mean": return mean
            default: return nil
            }
        }
    }

    struct TaskStat: Encodable, Sendable {
        var taskId: String
        var jobName: String
        var slaveId: String
        var startTime: String
        var endTime: String
        /// Chronos's `1h2m3s`, left out while the run has no end, as Chronos does.
        var duration: String?
        /// Success, Fail, Running or Idle, as Chronos writes a task's status.
        var status: String
        /// The run's state in chronos-sync's terms (succeeded, killed, skipped, …): an addition.
        var state: String
        /// What a data job reported processed, left out when it reported nothing, as Chronos does.
        var numElementsProcessed: Int64?
    }

    /// Chronos's status of a task: its four values from a run's state.
    static func chronosStatus(_ state: RunState) -> String {
        switch state {
        case .succeeded: return "Success"
        case .running: return "Running"
        case .queued: return "Idle"
        default: return "Fail"
        }
    }

    /// A run time as Chronos's period format writes it: hours only when there are some, then minutes
    /// and whole seconds always (`0m3s`, `1h0m5s`).
    static func chronosDuration(_ millis: Int64) -> String {
        let seconds = max(0, millis) / 1000
        let hours = seconds / 3600
        return (hours > 0 ? "\(hours)h" : "") + "\((seconds % 3600) / 60)m\(seconds % 60)s"
    }

    struct Stat: Encodable, Sendable {
        var histogram: Histogram
        var taskStatHistory: [TaskStat]
    }

    /// `job/stat/{name}`: run-time percentiles and the latest runs, Chronos's shape.
    func stat(_ context: BasicRequestContext) async throws -> JSONResponse<Stat> {
        let name = try name(context)
        guard await scheduler.status(of: name) != nil else { throw APIError(.badRequest, "no job named \"\(name)\"") }
        let durations = await scheduler.durations(of: name)
        let runs = try await server.store.runs(of: name, limit: server.configuration.statHistory)
        let history = runs.map { run in
            TaskStat(taskId: run.taskID.description, jobName: run.job, slaveId: run.host,
                     startTime: run.startedAt.map(Self.chronosTime) ?? "N/A", endTime: run.endedAt.map(Self.chronosTime) ?? "N/A",
                     duration: run.startedAt.flatMap { s in run.endedAt.map { Self.chronosDuration($0 - s) } },
                     status: Self.chronosStatus(run.state), state: run.state.rawValue, numElementsProcessed: run.elementsProcessed)
        }
        return JSONResponse(Stat(histogram: Histogram(durations), taskStatHistory: history))
    }

    /// `stats/{percentile}`: every job's value of one percentile, slowest first.
    struct PercentileRow: Encodable, Sendable {
        var jobNameLabel: String
        /// Seconds, a number as in Chronos.
        var time: Double
    }

    func stats(_ context: BasicRequestContext) async throws -> JSONResponse<[PercentileRow]> {
        let percentile = try context.parameters.require("percentile")
        guard Histogram([]).value(percentile) != nil else {
            throw APIError(.badRequest, "unknown statistic \"\(percentile)\"; use 99thPercentile, 98thPercentile, 95thPercentile, 75thPercentile, median or mean")
        }
        var rows: [(String, Double)] = []
        for status in await scheduler.statuses() {
            let durations = await scheduler.durations(of: status.job.name)
            guard !durations.isEmpty else { continue }
            rows.append((status.job.name, Histogram(durations).value(percentile)! / 1000))
        }
        rows.sort { $0.1 > $1.1 }
        return JSONResponse(rows.map { PercentileRow(jobNameLabel: $0.0, time: $0.1) })
    }

    /// `MM/dd/yy HH:mm:ss` in UTC, as Chronos's stat history writes times.
    static func chronosTime(_ millis: Int64) -> String {
        let t = LocalDateTime(localMillis: millis)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(two(t.month))/\(two(t.day))/\(two(t.year % 100)) \(two(t.hour)):\(two(t.minute)):\(two(t.second))"
    }
}

/// The dependency graph, as Chronos's `graph/dot` and `graph/csv`.
enum Graph {
    static func dot(_ statuses: [JobStatus]) -> String {
        var ids: [String: Int] = [:]
        for (i, s) in statuses.enumerated() { ids[s.job.name] = i + 1 }
        var lines = ["digraph G {"]
        for s in statuses {
            lines.append("  \(ids[s.job.name]!) [label=\"\(s.job.name.replacingOccurrences(of: "\"", with: "\\\""))\"];")
        }
        for s in statuses {
            for parent in s.job.parents ?? [] { if let p = ids[parent] { lines.append("  \(p) -> \(ids[s.job.name]!);") } }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    static func csv(_ statuses: [JobStatus]) -> String {
        var lines: [String] = []
        for s in statuses {
            let summary = JobSummary(s)
            lines.append("node,\(s.job.name),\(summary.status),\(summary.state)")
        }
        for s in statuses {
            for parent in s.job.parents ?? [] { lines.append("link,\(parent),\(s.job.name)") }
        }
        return lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
    }
}
