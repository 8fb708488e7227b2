import Dispatch
import ChronosEngine
import Foundation
import JobSpec

/// Where a repository of job specs is, and which part of it.
public struct GitSourceOptions: Sendable {
    /// A local path (a clone, or a bare repository), or a URL: `file://`, `git://`, `https://`, `ssh://`.
    public var location: String
    /// A branch, tag or commit; nil for the repository's `HEAD`.
    public var ref: String?
    /// The folder of specs inside the repository.
    public var folder: String = "jobs"
    /// The environment variable holding an https token (read when fetching, never logged).
    public var tokenVariable: String = "CHRONOS_SYNC_GIT_TOKEN"
    /// The environment variable holding the ssh server's host key fingerprint (`SHA256:…`); an ssh host
    /// key is accepted only when it matches.
    public var sshHostKeyVariable: String = "CHRONOS_SYNC_SSH_HOST_KEY"
    /// Where remote repositories are mirrored (bare).
    public var mirrorDirectory: String

    public init(location: String, ref: String? = nil, folder: String = "jobs", mirrorDirectory: String) {
        self.location = location
        self.ref = ref
        self.folder = folder
        self.mirrorDirectory = mirrorDirectory
    }

    /// True for a repository on this machine that is read in place.
    var isLocal: Bool { !location.contains("://") }
}

/// The jobs of one commit.
public struct Snapshot: Sendable {
    public var commit: String
    /// The tree id of the spec folder; equal ids mean equal specs.
    public var tree: String?
    public var repository: JobRepository
}

/// Reads job specs out of git with libgit2: fetches, resolves the ref, and loads the spec folder of
/// the commit from the object database (no work tree). Files whose blobs did not change since the
/// last load are not read again.
public final class GitSource: @unchecked Sendable {
    // @unchecked: `repository`, `last` are touched only inside `queue` blocks (one serial queue);
    // `cache` is itself thread-safe; `options` is immutable.
    private let queue = DispatchQueue(label: "chronos-sync.git")
    private var repository: GitRepository?
    private var last: Snapshot?
    private let cache = SpecFileCache()
    public let options: GitSourceOptions

    public init(_ options: GitSourceOptions) {
        self.options = options
    }

    /// A printable name for the source, without credentials.
    public var displayName: String { Scrub.secrets(in: options.location) }

    /// Fetches (for a remote) and loads the spec folder of the ref's commit, or of `revision` when given.
    public func load(revision: String? = nil, now: Instant = .now) async throws -> Snapshot {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try self.loadNow(revision: revision, now: now) })
            }
        }
    }

    private func loadNow(revision: String?, now: Instant) throws -> Snapshot {
        let repo = try openOrFetch()
        let commit = try repo.commit(of: revision ?? options.ref ?? "HEAD")
        let folder = options.folder.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let tree = try repo.treeID(commit: commit, folder: folder)
        if let last, last.tree != nil, last.tree == tree {
            var same = last
            same.commit = commit
            if revision == nil { self.last = same }
            return same
        }
        guard let entries = try repo.specFiles(commit: commit, folder: folder) else {
            var repository = JobRepository(root: folder, files: [], jobs: [], defaults: JobDefaults(), diagnostics: [])
            repository.diagnostics = [Diagnostic(.error, file: folder, mark: Mark(line: 1, column: 1),
                                                 message: "the commit \(commit.prefix(12)) has no folder \"\(folder)\"")]
            return Snapshot(commit: commit, tree: nil, repository: repository)
        }
        let prefix = folder.isEmpty ? "" : folder + "/"
        let defaultsBlob = entries.first { entry in JobLoader.defaultsFileNames.contains(entry.path) }?.blob
        // Blobs are read here, on the git queue (libgit2 is used from one thread), and only those of
        // files the cache does not hold: a changed file, or all of them when the defaults changed.
        let sources = entries.map { entry -> SpecSource in
            let path = prefix + entry.path
            let isDefaults = entry.blob == defaultsBlob && JobLoader.defaultsFileNames.contains(entry.path)
            if !isDefaults && cache.contains(JobLoader.cacheKey(path: path, key: entry.blob, defaultsKey: defaultsBlob)) {
                return SpecSource(path: path, key: entry.blob) { nil }
            }
            let bytes = try? repo.blob(entry.blob)
            return SpecSource(path: path, key: entry.blob) { bytes }
        }
        var options = LoadOptions()
        options.now = now
        let repository = JobLoader.load(root: folder, sources: sources, cache: cache, options: options)
        cache.retain(paths: Set(sources.map(\.path)))
        let snapshot = Snapshot(commit: commit, tree: tree, repository: repository)
        if revision == nil { last = snapshot }
        return snapshot
    }

    private func openOrFetch() throws -> GitRepository {
        let environment = ProcessInfo.processInfo.environment
        let auth = GitRepository.Auth(token: environment[options.tokenVariable], sshHostKey: environment[options.sshHostKeyVariable])
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
