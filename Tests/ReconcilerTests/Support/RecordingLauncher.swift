import ChronosEngine
import JobSpec
import Synchronization

/// A launcher that starts nothing and remembers what it was asked to launch.
final class RecordingLauncher: Launcher {
    private let launched = Mutex<[TaskID]>([])

    var launches: [TaskID] { launched.withLock { $0 } }

    func launch(_ run: RunRecord, job: Job, onStart: @escaping @Sendable (LaunchInfo) -> Void,
                onExit: @escaping @Sendable (TaskID, RunOutcome) -> Void) async throws {
        launched.withLock { $0.append(run.taskID) }
    }

    func kill(_ id: TaskID, reason: String) async -> Bool { false }

    func killOrphan(_ run: RunRecord) async {}
}
