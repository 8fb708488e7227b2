import JobSpec

/// Where a sync reads job specs from: a git repository through libgit2 (`LibGit2Source`), or, in unit
/// tests, commits held in memory. The sync's fetch and load steps are the only callers.
package protocol GitSource: Sendable {
    /// The repository's name as shown in the status and the log, without credentials.
    var displayName: String { get }
    /// The branch, tag or commit synced, as given (`HEAD` when none was).
    var ref: String { get }
    /// The folder of specs inside the repository.
    var folder: String { get }
    /// Fetches (for a remote) and resolves `revision`, or the ref when nil, to a commit and the tree id
    /// of its spec folder. Throws when the repository cannot be read.
    func fetch(_ revision: String?) async throws -> Revision
    /// Loads the spec folder of a fetched revision. A spec that does not load is a diagnostic of the
    /// snapshot; a repository that cannot be read throws.
    func load(_ revision: Revision, now: Instant) async throws -> Snapshot
    /// The first line of each commit's message, for the commits the repository has.
    func summaries(of commits: [String]) async -> [String: String]
}

extension GitSource {
    /// A source that keeps no messages has none to tell.
    package func summaries(of commits: [String]) async -> [String: String] { [:] }
}
