import Foundation
import JobSpec

/// Which run sandboxes to keep (`--sandbox-retention`): those of the runs kept in history (the default),
/// those younger than an age, or all of them.
package enum SandboxRetention: Sendable, Equatable {
    case history
    case age(milliseconds: Int64)
    case forever

    /// The sandbox folders of one job to delete, from the folders there (`name`, modification time in
    /// epoch ms) and the task ids of the runs the store still holds. A folder of a run still held is never
    /// deleted, whatever its age: it is history someone may read, or a run in flight.
    package func expired(_ folders: [(name: String, modified: Int64)], held: Set<String>, now: Int64) -> [String] {
        switch self {
        case .forever:
            return []
        case .history:
            return folders.filter { !held.contains($0.name) }.map(\.name)
        case .age(let limit):
            return folders.filter { !held.contains($0.name) && now - $0.modified > limit }.map(\.name)
        }
    }

    /// The sandbox folder name of a task id (`:` is not used in file names).
    package static func folderName(of id: TaskID) -> String {
        id.description.replacingOccurrences(of: ":", with: "_")
    }
}

/// What one sweep found and did.
package struct SandboxSweep: Sendable, Equatable {
    package var deleted = 0
    package var kept = 0
    package var keptBytes: Int64 = 0
}
