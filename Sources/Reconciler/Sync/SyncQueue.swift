/// One sync operation at a time, in the order they arrive: a sync, a `plan` and a saved plan's
/// apply each read the live jobs and the applied record and may write them, so none may start while
/// another is between its steps.
package actor SyncQueue {
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    package init() {}

    /// Operations waiting for the one that runs.
    package var waiting: Int { waiters.count }

    /// Runs `operation` once every operation queued before it has finished.
    package func run<T: Sendable>(_ operation: @Sendable () async throws -> T) async throws -> T {
        if busy {
            await withCheckedContinuation { waiters.append($0) }
        } else {
            busy = true
        }
        defer { next() }
        return try await operation()
    }

    /// Hands the queue to the next waiter, which finds it still busy.
    private func next() {
        if waiters.isEmpty {
            busy = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}
