import JobSpec

/// The load step: the specs of a fetched revision, validated as a whole. A commit with any error
/// fails the sync here with all its errors, so no part of it is applied; a repository that cannot be
/// read fails it too, and is never taken for a commit without jobs.
package enum LoadStep {
    package static func run(_ source: any GitSource, _ revision: Revision, now: Instant) async throws(SyncFailure) -> Snapshot {
        let snapshot: Snapshot
        do {
            snapshot = try await source.load(revision, now: now)
        } catch {
            throw SyncFailure(step: .load, revision: revision.commit, cause: error)
        }
        let errors = snapshot.repository.diagnostics.errors
        guard errors.isEmpty else { throw SyncFailure(step: .load, revision: revision.commit, diagnostics: errors) }
        return snapshot
    }
}
