import Synchronization

/// A value that tests wait on: `wait(until:)` returns once a change makes the condition true. Waits
/// end early when the task is cancelled (as by a test's time limit), and the test's checks then fail.
final class Watched<Value: Sendable>: Sendable {
    private struct Waiter {
        var id: Int
        var condition: @Sendable (Value) -> Bool
        var continuation: CheckedContinuation<Value, Never>
    }

    private struct State {
        var value: Value
        var waiters: [Waiter] = []
        var nextID = 0
    }

    private let state: Mutex<State>

    init(_ value: Value) { state = Mutex(State(value: value)) }

    var value: Value { state.withLock { $0.value } }

    /// Changes the value, then wakes the waiters whose condition now holds.
    @discardableResult
    func update<R: Sendable>(_ body: (inout Value) -> R) -> R {
        let (result, ready, value) = state.withLock { state in
            let result = body(&state.value)
            let value = state.value
            let ready = state.waiters.filter { $0.condition(value) }
            state.waiters.removeAll { $0.condition(value) }
            return (result, ready, value)
        }
        ready.forEach { $0.continuation.resume(returning: value) }
        return result
    }

    /// The value once `condition` holds for it.
    @discardableResult
    func wait(until condition: @escaping @Sendable (Value) -> Bool) async -> Value {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now: Value? = state.withLock { state in
                    if condition(state.value) || Task.isCancelled { return state.value }
                    state.waiters.append(Waiter(id: id, condition: condition, continuation: continuation))
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            let (waiter, value) = state.withLock { state in
                let index = state.waiters.firstIndex { $0.id == id }
                return (index.map { state.waiters.remove(at: $0) }, state.value)
            }
            waiter?.continuation.resume(returning: value)
        }
    }
}
