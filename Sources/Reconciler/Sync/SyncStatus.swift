import Foundation
import JobSpec

/// Where a sync stands: the revision tried and the one applied, whether the jobs match git, drift.
package struct SyncStatus: Codable, Sendable {
    package enum State: String, Codable, Sendable {
        /// The live jobs match the commit.
        case Synced
        /// They differ: drift left alone, jobs not pruned, or a commit that could not be applied.
        case OutOfSync
        /// The commit could not be read at all.
        case Unknown
    }

    package var source: String = ""
    package var ref: String = ""
    package var folder: String = ""
    package var state: State = .Unknown
    /// The commit of the last attempt.
    package var revision: String = ""
    /// The commit last applied.
    package var appliedRevision: String = ""
    package var message: String = "no sync yet"
    /// `file:line:column: message` of a commit that does not load.
    package var errors: [String] = []
    package var drift: [DriftItem] = []
    package var lastAttempt: Int64?
    package var lastApplied: Int64?
    package var plan: Plan?
    /// The first line of the attempted and the applied commit's message, filled in when the status is shown.
    package var revisionMessage: String?
    package var appliedMessage: String?

    package init() {}
}

/// A job changed, created or deleted outside git.
package struct DriftItem: Codable, Sendable, Equatable {
    package enum Kind: String, Codable, Sendable {
        case modified, created, deleted
    }

    package var name: String
    package var kind: Kind
    /// Live value against git's, field by field (for `modified`).
    package var fields: [Plan.FieldChange]
}

/// One line of sync history.
package struct SyncHistoryEntry: Codable, Sendable {
    package var at: Int64
    package var revision: String
    package var state: String
    package var message: String
    /// The first line of the commit's message, filled in when the history is shown.
    package var commitMessage: String?
}
