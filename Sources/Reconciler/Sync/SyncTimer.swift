/// When the next interval sync is due: `interval` after the last sync ended, plus a random part of
/// up to `jitter` of it, so that servers started together do not fetch together. Any sync, whatever
/// its trigger, sets a new deadline; a timer that went off for an older one is not a reason to sync.
package struct SyncTimer: Sendable {
    /// Milliseconds between syncs.
    package var interval: Int64
    /// The largest fraction of the interval added at random.
    package var jitter: Double
    /// The deadline of the timer that counts, in epoch milliseconds.
    package private(set) var deadline: Int64?

    package init(interval: Int64, jitter: Double = 0.1) {
        self.interval = interval
        self.jitter = jitter
    }

    /// A sync ended at `now`; `random` is in 0...1. Returns the new deadline.
    package mutating func synced(at now: Int64, random: Double) -> Int64 {
        let next = now + interval + Int64((Double(interval) * jitter * min(max(random, 0), 1)).rounded())
        deadline = next
        return next
    }

    /// True when a timer set for `due` should start a sync: it is the current deadline's.
    package func isCurrent(_ due: Int64) -> Bool { deadline == due }
}
