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
        // Keys of enums (and the job's name only with `perJob`): nothing is allocated per run.
        var started: [Labels: Int] = [:]
        // Delays by trigger and value: thousands started together mostly share one.
        var delays: [RunTrigger: [Int64: Int]] = [:]
        // Read in place: a launch holds a whole run record, and 10,000 copies of it were most of the cost.
        for i in step.launches.indices {
            let trigger = step.launches[i].run.trigger
            started[Labels(trigger: trigger, job: perJob ? step.launches[i].run.job : nil), default: 0] += 1
            if let at = step.launches[i].run.startedAt { delays[trigger, default: [:]][max(0, at - step.launches[i].run.readyAt), default: 0] += 1 }
        }
        for (labels, count) in started {
            handles.counter("chronos_runs_started_total", labels.dimensions).increment(by: count)
        }
        for (trigger, values) in delays {
            let timer = handles.timer("chronos_run_delay_seconds", [("trigger", trigger.rawValue)])
            for (ms, count) in values {
                for _ in 0..<count { timer.recordMilliseconds(ms) }
            }
        }
        var ended: [Labels: Int] = [:]
        var durations: [RunState: [Int64]] = [:]
        for run in step.ended {
            ended[Labels(outcome: run.state, trigger: run.trigger, job: perJob ? run.job : nil), default: 0] += 1
            if let at = run.startedAt, let end = run.endedAt { durations[run.state, default: []].append(max(0, end - at)) }
        }
        for (labels, count) in ended {
            handles.counter("chronos_runs_ended_total", labels.dimensions).increment(by: count)
        }
        for (state, values) in durations {
            let timer = handles.timer("chronos_run_duration_seconds", [("outcome", state.rawValue)])
            for ms in values { timer.recordMilliseconds(ms) }
        }
    }

    /// A run counter's labels: its outcome (ended runs), its trigger, and its job when counted per job.
    private struct Labels: Hashable {
        var outcome: RunState?
        var trigger: RunTrigger
        var job: String?

        var dimensions: [(String, String)] {
            (outcome.map { [("outcome", $0.rawValue)] } ?? []) + [("trigger", trigger.rawValue)] + (job.map { [("job", $0)] } ?? [])
        }
    }

    /// Metric handles by label and dimensions, made on first use.
    private final class Handles: Sendable {
        private let counters = Mutex<[String: Counter]>([:])
        private let timers = Mutex<[String: Timer]>([:])

        private static func key(_ label: String, _ dimensions: [(String, String)]) -> String {
            dimensions.reduce(label) { $0 + "\u{1}" + $1.0 + "\u{2}" + $1.1 }
        }

        /// The handle kept in `cache` under `label` and `dimensions`, made by `make` the first time.
        private static func handle<Handle>(_ cache: borrowing Mutex<[String: Handle]>, _ label: String, _ dimensions: [(String, String)],
                                           make: (String, [(String, String)]) -> Handle) -> Handle {
            let key = key(label, dimensions)
            return cache.withLock { cache in
                if let handle = cache[key] { return handle }
                let handle = make(label, dimensions)
                cache[key] = handle
                return handle
            }
        }

        func counter(_ label: String, _ dimensions: [(String, String)]) -> Counter {
            Self.handle(counters, label, dimensions) { Counter(label: $0, dimensions: $1) }
        }

        func timer(_ label: String, _ dimensions: [(String, String)]) -> Timer {
            Self.handle(timers, label, dimensions) { Timer(label: $0, dimensions: $1) }
        }
    }
}
