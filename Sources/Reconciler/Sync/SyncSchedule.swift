/// When the loop syncs, decided without a clock or a task: once at start; when the interval has
/// passed since the last sync ended, plus a random part of up to `jitter` of it so that servers
/// started together do not fetch together; and when asked (the API, the webhook). Every sync
/// sets a new deadline, so a timer that went off for an older one is no reason to sync, and a request
/// made before a sync started is answered by that sync: requests during a sync fold into one more.
package struct SyncSchedule: Sendable {
    /// Why the loop syncs.
    package enum Trigger: Sendable, Hashable, CustomStringConvertible {
        /// The loop started.
        case start
        /// The interval came round; the deadline (epoch ms) it was for.
        case interval(Int64)
        /// `POST /v1/sync/trigger` or the webhook; the request's number.
        case requested(Int)

        package var description: String {
            switch self {
            case .start: "start"
            case .interval: "interval"
            case .requested: "requested"
            }
        }
    }

    /// Milliseconds between syncs.
    package var interval: Int64
    /// The largest fraction of the interval added at random.
    package var jitter: Double
    /// The deadline of the timer that counts, in epoch milliseconds.
    package private(set) var deadline: Int64?
    /// Requests made so far, and how many of them the last sync to start answers.
    private var requests = 0
    private var answered = 0

    package init(interval: Int64, jitter: Double = 0.1) {
        self.interval = interval
        self.jitter = jitter
    }

    /// A sync is asked for; returns the trigger to send the loop.
    package mutating func request() -> Trigger {
        requests += 1
        return .requested(requests)
    }

    /// True when `trigger` should start a sync.
    package func accepts(_ trigger: Trigger) -> Bool {
        switch trigger {
        case .start: true
        case .interval(let due): due == deadline
        case .requested(let number): number > answered
        }
    }

    /// A sync starts: it answers every request made so far.
    package mutating func starting() {
        answered = requests
    }

    /// A sync ended at `now`; `random` is in 0...1. Returns the new deadline, always later than the
    /// one before, so that a timer set for the old one never counts for the new one.
    package mutating func synced(at now: Int64, random: Double) -> Int64 {
        var next = now + interval + Int64((Double(interval) * jitter * min(max(random, 0), 1)).rounded())
        if let deadline { next = max(next, deadline + 1) }
        deadline = next
        return next
    }
}
