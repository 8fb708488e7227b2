import JobSpec
@testable import ChronosEngine

/// A launcher that starts nothing: it records each launch with the run as the store held it at that
/// moment, reports the start at once, and ends a run when the test says (or when it is killed).
final class TestLauncher: Launcher {
    struct Launch: Sendable {
        var run: RunRecord
        /// The run as stored when the launcher got it; nil when it was not stored at all.
        var stored: RunRecord?
    }

    struct State: Sendable {
        var launches: [Launch] = []
        var exits: [TaskID: @Sendable (TaskID, RunOutcome) -> Void] = [:]
        var kills: [(id: TaskID, reason: String)] = []
        var orphans: [TaskID] = []
    }

    let store: MemoryStateStore
    let state = Watched(State())

    init(store: MemoryStateStore) { self.store = store }

    var launches: [Launch] { state.value.launches }
    var launched: [String] { launches.map(\.run.taskID.description) }

    func launch(_ run: RunRecord, job: Job, onStart: @escaping @Sendable (LaunchInfo) -> Void,
                onExit: @escaping @Sendable (TaskID, RunOutcome) -> Void) async throws {
        let stored = store.storedRun(run.taskID)
        onStart(LaunchInfo(pid: nil, processStart: nil, sandbox: "/sandbox/\(run.taskID)", host: "test-host"))
        state.update { state in
            state.exits[run.taskID] = onExit
            state.launches.append(Launch(run: run, stored: stored))
        }
    }

    func kill(_ id: TaskID, reason: String) async -> Bool {
        let exit = state.update { state in
            state.kills.append((id, reason))
            return state.exits.removeValue(forKey: id)
        }
        exit?(id, .killed(reason))
        return exit != nil
    }

    func killOrphan(_ run: RunRecord) async {
        state.update { $0.orphans.append(run.taskID) }
    }

    /// Ends a running run as its process would.
    func end(_ id: TaskID, _ outcome: RunOutcome) {
        let exit = state.update { $0.exits.removeValue(forKey: id) }
        exit?(id, outcome)
    }

    /// The launches once there are `count` of them.
    @discardableResult
    func waitForLaunches(_ count: Int) async -> [Launch] {
        await state.wait { $0.launches.count >= count }.launches
    }
}
