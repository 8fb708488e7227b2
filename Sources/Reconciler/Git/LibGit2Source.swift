import Dispatch
import ChronosEngine
import Foundation
import JobSpec

/// Reads job specs out of git with libgit2: fetches, resolves the ref, and loads the spec folder of
/// the commit from the object database (no work tree). Files whose blobs did not change since the
/// last load are not read again, and a spec folder whose tree id did not change is not read at all.
package final class LibGit2Source: GitSource, @unchecked Sendable {
    // @unchecked: `repository`, `last` are touched only inside `queue` blocks (one serial queue);
    // `cache` is itself thread-safe; `options` is immutable.
    private let queue = DispatchQueue(label: "chronos-sync.git")
    private var repository: GitRepository?
    private var last: Snapshot?
    private let cache = SpecFileCache()
    package let options: GitSourceOptions

    package init(_ options: GitSourceOptions) {
        self.options = options
    }

    package var displayName: String { Scrub.secrets(in: options.location) }
    package var ref: String { options.ref ?? "HEAD" }
    package var folder: String { options.folder }

    private var folderPath: String { options.folder.trimmingCharacters(in: CharacterSet(charactersIn: "/")) }

    package func fetch(_ revision: String?) async throws -> Revision {
        try await onQueue {
            let repo = try self.openOrFetch()
            let commit = try repo.commit(of: revision ?? self.options.ref ?? "HEAD")
            return Revision(commit: commit, tree: try repo.treeID(commit: commit, folder: self.folderPath))
        }
    }

    package func load(_ revision: Revision, now: Instant) async throws -> Snapshot {
        try await onQueue { try self.loadNow(revision, now: now) }
    }

    package func summaries(of commits: [String]) async -> [String: String] {
        let found = try? await onQueue {
            let repo = try self.opened()
            var found: [String: String] = [:]
            for commit in Set(commits) where !commit.isEmpty { found[commit] = repo.summary(of: commit) }
            return found
        }
        return found ?? [:]
    }

    /// Runs libgit2 work on the source's own thread, never on the cooperative pool.
    private func onQueue<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }

    private func loadNow(_ revision: Revision, now: Instant) throws -> Snapshot {
        if let last, let tree = revision.tree, last.tree == tree {
            var same = last
            same.commit = revision.commit
            return same
        }
        let repo = try opened()
        let folder = folderPath
        let commit = revision.commit
        guard let entries = try repo.specFiles(commit: commit, folder: folder) else {
            var repository = JobRepository(root: folder, files: [], jobs: [], defaults: JobDefaults(), diagnostics: [])
            repository.diagnostics = [Diagnostic(.error, file: folder, mark: Mark(line: 1, column: 1),
                                                 message: "the commit \(commit.prefix(12)) has no folder \"\(folder)\"")]
            return Snapshot(commit: commit, tree: nil, repository: repository)
        }
        let prefix = folder.isEmpty ? "" : folder + "/"
        let defaultsBlob = entries.first { entry in JobLoader.defaultsFileNames.contains(entry.path) }?.blob
        // Blobs are read here, from the git queue, and only those of files the cache does not hold: a
        // changed file, or all of them when the defaults changed. A blob that cannot be read fails the
        // load: a commit is never taken for one with fewer jobs.
        let cached = entries.map { entry in
            let isDefaults = entry.blob == defaultsBlob && JobLoader.defaultsFileNames.contains(entry.path)
            return !isDefaults && cache.contains(JobLoader.cacheKey(path: prefix + entry.path, key: entry.blob, defaultsKey: defaultsBlob))
        }
        var blobs = try repo.blobs(entries.indices.filter { !cached[$0] }.map { entries[$0].blob }).makeIterator()
        let sources = entries.indices.map { i -> SpecSource in
            let entry = entries[i]
            if cached[i] { return SpecSource(path: prefix + entry.path, key: entry.blob) { nil } }
            let bytes = blobs.next()!
            return SpecSource(path: prefix + entry.path, key: entry.blob) { bytes }
        }
        var options = LoadOptions()
        options.now = now
        let repository = JobLoader.load(root: folder, sources: sources, cache: cache, options: options)
        // Entries of files gone from the commit are dropped (each file's new content already replaced its old entry).
        if cache.count > repository.files.count { cache.retain(paths: Set(sources.map(\.path))) }
        let snapshot = Snapshot(commit: commit, tree: revision.tree, repository: repository)
        last = snapshot
        return snapshot
    }

    /// The repository, opened (or cloned) on first use, without fetching.
    private func opened() throws -> GitRepository {
        if let repository { return repository }
        return try openOrFetch()
    }

    private func openOrFetch() throws -> GitRepository {
        let environment = ProcessInfo.processInfo.environment
        let token = options.urlPassword ?? environment[options.tokenVariable]
        if token != nil, options.isPlainHTTP, !options.allowInsecure {
            throw GitError(call: "fetch \(options.location)", code: -1,
                           message: "refusing to send the git token over plain http://, where anyone on the way can read it; use https://, or start serve with --allow-insecure-git")
        }
        let auth = GitRepository.Auth(token: token, sshHostKey: environment[options.sshHostKeyVariable])
        if let repository {
            if !options.isLocal { try repository.fetch(auth: auth) }
            return repository
        }
        let repo: GitRepository
        if options.isLocal {
            repo = try GitRepository.open(options.location)
        } else {
            let name = String(options.location.utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }, radix: 16)
            let path = options.mirrorDirectory + "/" + name + ".git"
            if FileManager.default.fileExists(atPath: path) {
                repo = try GitRepository.open(path)
                // A mirror made from a URL with a password in it keeps no copy of it.
                try repo.setOriginURL(options.location)
                try repo.fetch(auth: auth)
            } else {
                try FileManager.default.createDirectory(atPath: options.mirrorDirectory, withIntermediateDirectories: true)
                repo = try GitRepository.cloneBare(options.location, into: path, auth: auth)
                // The clone keeps other branches as remote-tracking refs; the fetch makes every branch a local one.
                try repo.fetch(auth: auth)
            }
        }
        repository = repo
        return repo
    }
}
