import JobSpec
@testable import ChronosEngine

/// A launcher that takes runs due together in one call and starts nothing: it records each batch with
/// its runs as the store held them at that moment, reports their starts after taking the batch, and
/// ends a run when the test says. Single launches (too few runs due together) are recorded as batches
/// of one.
final class TestBatchLauncher: BatchLauncher {
    struct State: Sendable {
        var batches: [[TestLauncher.Launch]] = []
        var reports: [TaskID: LaunchReports] = [:]
    }

    let store: MemoryStateStore
    let state = Watched(State())

    init(store: MemoryStateStore) { self.store = store }

    var batches: [[TestLauncher.Launch]] { state.value.batches }

    func launch(_ launches: [SchedulerStep.Launch], reports: LaunchReports) async {
        let taken = launches.map { TestLauncher.Launch(run: $0.run, stored: store.storedRun($0.run.taskID)) }
        state.update { state in
            state.batches.append(taken)
            for launch in launches { state.reports[launch.run.taskID] = reports }
        }
        for launch in launches {
            reports.started(launch.run.taskID, LaunchInfo(pid: nil, processStart: nil, sandbox: "", host: "batch-host"))
        }
    }

    func launch(_ run: RunRecord, job: Job, onStart: @escaping @Sendable (LaunchInfo) -> Void,
                onExit: @escaping @Sendable (TaskID, RunOutcome) -> Void) async throws {
        let reports = LaunchReports(onStart: onStart, onExit: onExit)
        let stored = store.storedRun(run.taskID)
        state.update { state in
            state.batches.append([TestLauncher.Launch(run: run, stored: stored)])
            state.reports[run.taskID] = reports
        }
        onStart(LaunchInfo(pid: nil, processStart: nil, sandbox: "", host: "batch-host"))
    }

    func kill(_ id: TaskID, reason: String) async -> Bool {
        let reports = state.update { $0.reports.removeValue(forKey: id) }
        reports?.ended(id, .killed(reason))
        return reports != nil
    }

    func killOrphan(_ run: RunRecord) async {}

    /// Ends a running run as its task would.
    func end(_ id: TaskID, _ outcome: RunOutcome) {
        let reports = state.update { $0.reports.removeValue(forKey: id) }
        reports?.ended(id, outcome)
    }

    /// The batches once they hold `count` runs in all.
    @discardableResult
    func waitForRuns(_ count: Int) async -> [[TestLauncher.Launch]] {
        await state.wait { $0.batches.joined().count >= count }.batches
    }
}

/// A launch gate whose answer the test sets.
final class TestLaunchGate: LaunchGate {
    let leads = Watched(true)
    let asked = Watched(0)

    func mayLaunch() async -> Bool {
        asked.update { $0 += 1 }
        return leads.value
    }
}
