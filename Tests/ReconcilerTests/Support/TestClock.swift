import ChronosEngine
import Synchronization

/// A clock that moves only when the test advances it. Each sleep is announced on `sleeps` with its
/// deadline, so a test knows when the code under test is waiting.
final class TestClock: SchedulerClock {
    private struct Sleeper {
        var id: Int
        var deadline: Int64
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Int64
        var sleepers: [Sleeper] = []
        var nextID = 0
    }

    private let state: Mutex<State>
    let sleeps: AsyncStream<Int64>
    private let sleepSink: AsyncStream<Int64>.Continuation

    init(now: Int64) {
        state = Mutex(State(now: now))
        (sleeps, sleepSink) = AsyncStream.makeStream()
    }

    func now() -> Int64 { state.withLock { $0.now } }

    /// How many are sleeping now.
    var sleeping: Int { state.withLock { $0.sleepers.count } }

    func sleep(until deadline: Int64) async throws {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow: Bool = state.withLock { state in
                    guard !Task.isCancelled, deadline > state.now else { return true }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return false
                }
                if resumeNow {
                    if Task.isCancelled { continuation.resume(throwing: CancellationError()) } else { continuation.resume() }
                } else {
                    sleepSink.yield(deadline)
                }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock to `time` and wakes every sleeper whose deadline has come.
    func advance(to time: Int64) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = time
            let due = state.sleepers.filter { $0.deadline <= time }
            state.sleepers.removeAll { $0.deadline <= time }
            return due
        }
        due.forEach { $0.continuation.resume() }
    }
}
