/// The scheduler's server-wide settings (Chronos's flags of the same names).
package struct SchedulerOptions: Sendable, Hashable {
    /// How late a run may still start (`--task-epsilon`), in ms; a job's `epsilon` overrides it.
    package var taskEpsilon: Int64 = 60_000
    /// Delay before a retry (`--failure-retry`), in ms; a job's `retryInterval` overrides it.
    package var failureRetry: Int64 = 60_000
    /// Disable a job after this many final failures in a row (`--disable-after-failures`); 0 never.
    package var disableAfterFailures: Int = 0
    /// How far ahead of their due time scheduled runs are prepared and stored (as queued), in ms, so that
    /// at the due time only their start is written before they are launched.
    package var lookahead: Int64 = 500
    /// Most runs counted one by one when coalescing missed runs of one job.
    package var maxMissedCount: Int = 1_000_000

    package init() {}
}
