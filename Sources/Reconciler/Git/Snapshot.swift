import JobSpec

/// The jobs of one commit, as loaded: the desired state of a sync.
package struct Snapshot: Sendable {
    package var commit: String
    /// The tree id of the spec folder; equal ids mean equal specs.
    package var tree: String?
    package var repository: JobRepository

    package init(commit: String, tree: String?, repository: JobRepository) {
        self.commit = commit
        self.tree = tree
        self.repository = repository
    }
}
