@testable import ChronosEngine

/// A clock that moves only when the test says: sleepers wake when `advance` passes their deadline,
/// and the test can wait until someone sleeps until a given time.
final class ManualClock: SchedulerClock {
    struct Sleeper: Sendable {
        var id: Int
        var deadline: Int64
        var continuation: CheckedContinuation<Void, any Error>
    }

    struct State: Sendable {
        var now: Int64
        var sleepers: [Sleeper] = []
        var nextID = 0
        var deadlines: [Int64] { sleepers.map(\.deadline).sorted() }
    }

    let state: Watched<State>

    init(now: Int64) { state = Watched(State(now: now)) }

    func now() -> Int64 { state.value.now }

    func sleep(until deadline: Int64) async throws {
        let id = state.update { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome { case wake, cancel, sleep }
                let outcome = state.update { state -> Outcome in
                    if deadline <= state.now { return .wake }
                    if Task.isCancelled { return .cancel }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return .sleep
                }
                switch outcome {
                case .wake: continuation.resume()
                case .cancel: continuation.resume(throwing: CancellationError())
                case .sleep: break
                }
            }
        } onCancel: {
            let sleeper = state.update { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the time to `time` and wakes every sleeper due by then.
    func advance(to time: Int64) {
        let due = state.update { state -> [Sleeper] in
            state.now = max(state.now, time)
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        due.forEach { $0.continuation.resume() }
    }

    /// Returns once someone sleeps until exactly `deadline`.
    func waitForSleeper(until deadline: Int64) async {
        await state.wait { $0.sleepers.contains { $0.deadline == deadline } }
    }

    /// The deadlines slept until now, soonest first.
    var deadlines: [Int64] { state.value.deadlines }
}

extension ManualClock {
    /// Takes the scheduler through a batch of `count` runs ready at `readyAt` being started ahead: the
    /// slots prepared (500 ms before), the batch started (`Scheduler.lead` before), and the loop asleep
    /// until the batch's time, when its launches are handed over.
    func passStartAhead(of count: Int, readyAt: Int64) async {
        await waitForSleeper(until: readyAt - 500)
        advance(to: readyAt - 500)
        let ahead = readyAt - Scheduler.lead(count)
        await waitForSleeper(until: ahead)
        advance(to: ahead)
        await waitForSleeper(until: readyAt)
    }
}

/// `count` jobs whose one run is due at 00:00:10.
func batchDueAt10s(_ count: Int) -> [AppliedJob] {
    (0..<count).map { i in job("b\(i)") { $0.schedule = "R1/2026-01-01T00:00:10Z/PT1H" } }
}
