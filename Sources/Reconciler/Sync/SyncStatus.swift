import Foundation
import JobSpec

/// Where a sync stands: the revision tried and the one applied, whether the jobs match git, drift.
public struct SyncStatus: Codable, Sendable {
    public enum State: String, Codable, Sendable {
        /// The live jobs match the commit.
        case Synced
        /// They differ: drift left alone, jobs not pruned, or a commit that could not be applied.
        case OutOfSync
        /// The commit could not be read at all.
        case Unknown
    }

    public var source: String = ""
    public var ref: String = ""
    public var folder: String = ""
    public var state: State = .Unknown
    /// The commit of the last attempt.
    public var revision: String = ""
    /// The commit last applied.
    public var appliedRevision: String = ""
    public var message: String = "no sync yet"
    /// `file:line:column: message` of a commit that does not load.
    public var errors: [String] = []
    public var drift: [DriftItem] = []
    public var lastAttempt: Int64?
    public var lastApplied: Int64?
    public var plan: Plan?

    public init() {}
}

/// A job changed, created or deleted outside git.
public struct DriftItem: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case modified, created, deleted
    }

    public var name: String
    public var kind: Kind
    /// Live value against git's, field by field (for `modified`).
    public var fields: [Plan.FieldChange]
}

/// One line of sync history.
public struct SyncHistoryEntry: Codable, Sendable {
    public var at: Int64
    public var revision: String
    public var state: String
    public var message: String
}
