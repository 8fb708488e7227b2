import Metrics

/// The scheduler's run metrics. Their labels are bounded: trigger and outcome, never the job, unless
/// `perJob` (`--metrics-per-job`) asks for one series per job (100,000 jobs make 100,000 series).
package struct RunMetrics: Sendable {
    package var perJob: Bool

    package init(perJob: Bool = false) {
        self.perJob = perJob
    }

    /// Histogram buckets of run durations (seconds): a second to a day.
    package static let durationBuckets: [Duration] = [1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 86_400].map { .seconds($0) }
    /// Histogram buckets of scheduling delay (from due to handed to the launcher): a millisecond to a minute.
    package static let delayBuckets: [Duration] = [1, 2, 5, 10, 25, 50, 100, 250, 1000, 5000, 60_000].map { .milliseconds($0) }

    func record(_ step: SchedulerStep) {
        for launch in step.launches {
            let run = launch.run
            var dimensions = [("trigger", run.trigger.rawValue)]
            if perJob { dimensions.append(("job", run.job)) }
            Counter(label: "chronos_runs_started_total", dimensions: dimensions).increment()
            if let started = run.startedAt {
                Timer(label: "chronos_run_delay_seconds", dimensions: [("trigger", run.trigger.rawValue)])
                    .recordMilliseconds(max(0, started - run.readyAt))
            }
        }
        for run in step.ended {
            var dimensions = [("outcome", run.state.rawValue), ("trigger", run.trigger.rawValue)]
            if perJob { dimensions.append(("job", run.job)) }
            Counter(label: "chronos_runs_ended_total", dimensions: dimensions).increment()
            if let started = run.startedAt, let ended = run.endedAt {
                Timer(label: "chronos_run_duration_seconds", dimensions: [("outcome", run.state.rawValue)])
                    .recordMilliseconds(max(0, ended - started))
            }
        }
    }
}
