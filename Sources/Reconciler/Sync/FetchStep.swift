/// The fetch step: the commit the source's ref names now (fetched first from a remote), or a given
/// commit. A repository that cannot be read fails the sync here, and nothing is applied.
package enum FetchStep {
    package static func run(_ source: any GitSource, revision: String? = nil) async throws(SyncFailure) -> Revision {
        do {
            return try await source.fetch(revision)
        } catch {
            throw SyncFailure(step: .fetch, revision: revision ?? source.ref, cause: error)
        }
    }
}
