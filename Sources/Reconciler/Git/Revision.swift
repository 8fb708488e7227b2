/// A commit and the tree id of its spec folder: what the fetch step hands to the load step. Two
/// revisions with the same tree have the same specs, so the second is not read again.
package struct Revision: Sendable, Hashable {
    package var commit: String
    /// Nil when the commit has no spec folder.
    package var tree: String?

    package init(commit: String, tree: String?) {
        self.commit = commit
        self.tree = tree
    }
}
