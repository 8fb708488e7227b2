import Dispatch

/// Runs a request's CPU-heavy work (parsing and validating a job body) on one thread of its own, off the
/// cooperative pool that the scheduler runs on: a burst of large bodies queues here, one at a time, and
/// never delays a due run or `/ping`.
enum RequestWork {
    private static let queue = DispatchQueue(label: "chronos-sync.request-work", qos: .utility)

    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body()) }
        }
    }
}
