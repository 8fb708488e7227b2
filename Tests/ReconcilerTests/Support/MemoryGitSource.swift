import Foundation
import JobSpec
import Synchronization
@testable import Reconciler

/// Commits of a `jobs/` folder held in memory. Each commit gives the whole folder. A fetch can be held
/// at a gate (a slow remote), and fetches and loads can be made to fail (an unreadable repository).
final class MemoryGitSource: GitSource {
    struct Unreadable: Error, CustomStringConvertible {
        var description: String { "git: git_remote_fetch failed: connection refused" }
    }

    private struct State {
        var commits: [String: [String: String]] = [:]
        var head = ""
        var failing = false
        var gate: Gate?
    }

    private let state = Mutex(State())
    let log: EffectLog

    let displayName = "memory"
    let ref = "main"
    let folder = "jobs"

    init(log: EffectLog = EffectLog()) {
        self.log = log
    }

    /// Holds the next fetch at `gate` until it is opened: a slow remote.
    func holdNextFetch(at gate: Gate) {
        state.withLock { $0.gate = gate }
    }

    /// Makes a commit of `files` (names below `jobs/` and their text) and moves `main` to it.
    @discardableResult
    func commit(_ files: [String: String]) -> String {
        state.withLock { state in
            let id = String(format: "%040x", state.commits.count + 1)
            state.commits[id] = files
            state.head = id
            return id
        }
    }

    var failing: Bool {
        get { state.withLock { $0.failing } }
        set { state.withLock { $0.failing = newValue } }
    }

    func fetch(_ revision: String?) async throws -> Revision {
        let gate = state.withLock { state in
            defer { state.gate = nil }
            return state.gate
        }
        log.append("fetch")
        await gate?.pass()
        return try state.withLock { state in
            if state.failing { throw Unreadable() }
            let commit = revision ?? state.head
            guard let files = state.commits[commit] else { throw Unreadable() }
            return Revision(commit: commit, tree: files.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n"))
        }
    }

    func load(_ revision: Revision, now: Instant) async throws -> Snapshot {
        log.append("load")
        let files = try state.withLock { state in
            if state.failing { throw Unreadable() }
            return state.commits[revision.commit] ?? [:]
        }
        let sources = files.map { name, text in SpecSource(path: "jobs/" + name, key: nil) { Array(text.utf8) } }
        var options = LoadOptions()
        options.now = now
        return Snapshot(commit: revision.commit, tree: revision.tree, repository: JobLoader.load(root: "jobs", sources: sources, options: options))
    }
}
