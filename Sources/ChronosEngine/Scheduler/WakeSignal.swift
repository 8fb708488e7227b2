import Synchronization

/// Wakes a sleeping loop early, so it can sleep exactly until its next deadline and still notice a
/// sooner one added meanwhile. A signal sent while nobody waits is kept (once) for the next wait.
final class WakeSignal: Sendable {
    private enum State {
        case idle
        case signaled
        case waiting(CheckedContinuation<Void, Never>)
    }

    private let state = Mutex(State.idle)

    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            switch state {
            case .waiting(let continuation):
                state = .idle
                return continuation
            case .idle, .signaled:
                state = .signaled
                return nil
            }
        }
        waiter?.resume()
    }

    /// Returns at the next signal (at once if one is pending), or when the task is cancelled.
    func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state -> Bool in
                    if case .signaled = state {
                        state = .idle
                        return true
                    }
                    // Checked under the lock that `onCancel` takes, so a cancellation is never missed.
                    if Task.isCancelled { return true }
                    state = .waiting(continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard case .waiting(let continuation) = state else { return nil }
                state = .idle
                return continuation
            }
            waiter?.resume()
        }
    }
}

extension SchedulerClock {
    /// Sleeps until `deadline` (forever when nil) or until `wake` is signalled, whichever comes first.
    func sleep(until deadline: Int64?, or wake: WakeSignal) async {
        await withTaskGroup(of: Void.self) { group in
            if let deadline { group.addTask { try? await self.sleep(until: deadline) } }
            group.addTask { await wake.wait() }
            await group.next()
            group.cancelAll()
        }
    }
}
