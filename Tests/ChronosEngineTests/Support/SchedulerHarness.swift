import JobSpec
import Logging
@testable import ChronosEngine

/// A scheduler on an in-memory store, a test launcher and a manual clock starting at `t0`.
struct SchedulerHarness {
    let clock: ManualClock
    let store: MemoryStateStore
    let launcher: TestLauncher
    let scheduler: Scheduler

    init(stored: StoredState = StoredState(), now: Int64 = t0, options: SchedulerOptions = SchedulerOptions()) {
        clock = ManualClock(now: now)
        store = MemoryStateStore(stored)
        launcher = TestLauncher(store: store)
        scheduler = Scheduler(store: store, launcher: launcher, options: options, clock: clock, logger: .quiet)
    }

    /// Runs the scheduler's service (restore, timer loop, launches, launch results) while `body` runs.
    func running(_ body: () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await scheduler.run() }
            try await body()
            group.cancelAll()
        }
    }

    /// Waits until the store holds run `id` in `state`; returns it.
    @discardableResult
    func stored(_ id: TaskID, _ state: RunState) async -> RunRecord? {
        await store.contents.wait { $0.runs[id]?.state == state }.runs[id]
    }
}

extension Logger {
    /// A logger for tests: errors such as the injected store failures stay out of the output.
    static var quiet: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }
}

func task(_ job: String, due: Int64, attempt: Int = 0) -> TaskID {
    TaskID(due: due, attempt: attempt, job: job)
}

/// Yields until `condition` holds (or the task is cancelled, as by a time limit): for a state another
/// task reaches without anything to wait on, such as a call that has entered the scheduler actor.
func eventually(_ condition: () async -> Bool) async {
    while !Task.isCancelled, !(await condition()) { await Task.yield() }
}
