import Metrics
import Synchronization

/// The scheduler's run metrics. Their labels are bounded: trigger and outcome, never the job, unless
/// `perJob` (`--metrics-per-job`) asks for one series per job (100,000 jobs make 100,000 series).
/// A step's runs are counted per label set, so 10,000 runs due at once cost a few increments, not 10,000;
/// the metric handles are made once and kept.
package struct RunMetrics: Sendable {
    package var perJob: Bool
    private let handles = Handles()

    package init(perJob: Bool = false) {
        self.perJob = perJob
    }

    /// Histogram buckets of run durations (seconds): a second to a day.
    package static let durationBuckets: [Duration] = [1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 86_400].map { .seconds($0) }
    /// Histogram buckets of scheduling delay (from due to handed to the launcher): a millisecond to a minute.
    package static let delayBuckets: [Duration] = [1, 2, 5, 10, 25, 50, 100, 250, 1000, 5000, 60_000].map { .milliseconds($0) }

    func record(_ step: SchedulerStep) {
        guard !step.launches.isEmpty || !step.ended.isEmpty else { return }
        // Counted by trigger in a fixed array: no allocation per run (a step may start 10,000).
        var started = [Int](repeating: 0, count: RunTrigger.allCases.count)
        var delays: [[Int64]] = Array(repeating: [], count: RunTrigger.allCases.count)
        var startedPerJob: [Labels: Int] = [:]
        for launch in step.launches {
            let run = launch.run
            let trigger = RunTrigger.allCases.firstIndex(of: run.trigger)!
            started[trigger] += 1
            if perJob { startedPerJob[Labels(run.trigger.rawValue, job: run.job), default: 0] += 1 }
            if let at = run.startedAt { delays[trigger].append(max(0, at - run.readyAt)) }
        }
        if perJob {
            for (labels, count) in startedPerJob {
                handles.counter("chronos_runs_started_total", labels.dimensions(["trigger"])).increment(by: count)
            }
        } else {
            for (index, count) in started.enumerated() where count > 0 {
                handles.counter("chronos_runs_started_total", [("trigger", RunTrigger.allCases[index].rawValue)]).increment(by: count)
            }
        }
        for (index, values) in delays.enumerated() where !values.isEmpty {
            let timer = handles.timer("chronos_run_delay_seconds", [("trigger", RunTrigger.allCases[index].rawValue)])
            for ms in values { timer.recordMilliseconds(ms) }
        }
        var ended: [Labels: Int] = [:]
        var durations: [RunState: [Int64]] = [:]
        for run in step.ended {
            ended[Labels(run.state.rawValue, run.trigger.rawValue, job: perJob ? run.job : nil), default: 0] += 1
            if let at = run.startedAt, let end = run.endedAt { durations[run.state, default: []].append(max(0, end - at)) }
        }
        for (labels, count) in ended {
            handles.counter("chronos_runs_ended_total", labels.dimensions(["outcome", "trigger"])).increment(by: count)
        }
        for (state, values) in durations {
            let timer = handles.timer("chronos_run_duration_seconds", [("outcome", state.rawValue)])
            for ms in values { timer.recordMilliseconds(ms) }
        }
    }

    /// Label values, with the job when counted per job.
    private struct Labels: Hashable {
        var values: [String]
        var job: String?
        init(_ values: String..., job: String?) {
            self.values = values
            self.job = job
        }
        func dimensions(_ names: [String]) -> [(String, String)] {
            Array(zip(names, values)) + (job.map { [("job", $0)] } ?? [])
        }
    }

    /// Metric handles by label and dimensions, made on first use.
    private final class Handles: Sendable {
        private let counters = Mutex<[String: Counter]>([:])
        private let timers = Mutex<[String: Timer]>([:])

        private static func key(_ label: String, _ dimensions: [(String, String)]) -> String {
            dimensions.reduce(label) { $0 + "\u{1}" + $1.0 + "\u{2}" + $1.1 }
        }

        func counter(_ label: String, _ dimensions: [(String, String)]) -> Counter {
            let key = Self.key(label, dimensions)
            return counters.withLock { cache in
                if let counter = cache[key] { return counter }
                let counter = Counter(label: label, dimensions: dimensions)
                cache[key] = counter
                return counter
            }
        }

        func timer(_ label: String, _ dimensions: [(String, String)]) -> Timer {
            let key = Self.key(label, dimensions)
            return timers.withLock { cache in
                if let timer = cache[key] { return timer }
                let timer = Timer(label: label, dimensions: dimensions)
                cache[key] = timer
                return timer
            }
        }
    }
}
