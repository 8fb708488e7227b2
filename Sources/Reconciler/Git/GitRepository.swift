internal import CGit2
import ChronosEngine
import Foundation

/// One libgit2 repository handle, freed in `deinit`. Not thread-safe: used by one thread at a time
/// (`LibGit2Source`'s serial queue, or one of the threads of `blobs`).
final class GitRepository {
    private static let initialized: Void = { git_libgit2_init() }()

    /// The CA certificates for https, as git itself reads them (GIT_SSL_CAINFO), or OpenSSL's variables; set
    /// before the first clone or fetch only, as parsing them takes tens of milliseconds that reading a local
    /// repository does not need.
    private static let certificates: Void = {
        _ = initialized
        let environment = ProcessInfo.processInfo.environment
        let file = environment["GIT_SSL_CAINFO"] ?? environment["SSL_CERT_FILE"]
        let path = environment["GIT_SSL_CAPATH"] ?? environment["SSL_CERT_DIR"]
        if file != nil || path != nil {
            _ = chronos_git_set_ssl_cert_locations(file, path)
        }
    }()
    let handle: OpaquePointer

    private init(_ handle: OpaquePointer) { self.handle = handle }

    deinit { git_repository_free(handle) }

    /// Opens the repository at `path` (a work tree, its `.git`, or a bare repository).
    static func open(_ path: String) throws(GitError) -> GitRepository {
        _ = initialized
        var raw: OpaquePointer?
        try GitError.check(git_repository_open_ext(&raw, path, 0, nil), "git_repository_open_ext(\(path))")
        return GitRepository(raw!)
    }

    /// How to authenticate a fetch: an https token, and the SHA256 fingerprint an ssh host key must have
    /// (`SHA256:…` as `ssh-keygen -lf` prints it).
    struct Auth {
        var token: String?
        var sshHostKey: String?

        /// Runs `body` with the C view of these settings, valid for the call.
        func with<T>(_ body: (UnsafePointer<chronos_git_auth>) -> T) -> T {
            var auth = chronos_git_auth()
            if let fingerprint = sshHostKey, fingerprint.hasPrefix("SHA256:") {
                var text = String(fingerprint.dropFirst(7))
                while text.count % 4 != 0 { text += "=" }
                if let bytes = Data(base64Encoded: text), bytes.count == 32 {
                    withUnsafeMutableBytes(of: &auth.ssh_sha256) { buffer in buffer.copyBytes(from: bytes) }
                    auth.has_ssh_sha256 = 1
                }
            }
            return (token ?? "").withCString { tokenPointer in
                auth.token = token == nil ? nil : tokenPointer
                return withUnsafePointer(to: &auth) { body($0) }
            }
        }
    }

    /// Points `origin` at `url` (a mirror's config holds its URL, which must hold no secret).
    func setOriginURL(_ url: String) throws(GitError) {
        try GitError.check(git_remote_set_url(handle, "origin", url), "git_remote_set_url(origin)")
    }

    /// Clones `url` as a bare repository into `path`.
    static func cloneBare(_ url: String, into path: String, auth: Auth) throws(GitError) -> GitRepository {
        _ = certificates
        var options = git_clone_options()
        var raw: OpaquePointer?
        let code = auth.with { pointer in
            chronos_git_clone_options(&options, pointer)
            return git_clone(&raw, url, path, &options)
        }
        try GitError.check(code, "git_clone(\(Scrub.secrets(in: url)))")
        return GitRepository(raw!)
    }

    /// Fetches every branch and tag of `origin`.
    func fetch(auth: Auth) throws(GitError) {
        _ = Self.certificates
        var remote: OpaquePointer?
        try GitError.check(git_remote_lookup(&remote, handle, "origin"), "git_remote_lookup(origin)")
        defer { git_remote_free(remote) }
        var options = git_fetch_options()
        // A bare mirror: branches land where a ref names them (`main` is refs/heads/main).
        let refspecs = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"]
        let code: Int32 = auth.with { pointer in
            chronos_git_fetch_options(&options, pointer)
            options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL
            var pointers = refspecs.map { strdup($0) }
            defer { pointers.forEach { free($0) } }
            return pointers.withUnsafeMutableBufferPointer { buffer in
                var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
                return git_remote_fetch(remote, &array, &options, "chronos-sync fetch")
            }
        }
        try GitError.check(code, "git_remote_fetch(origin)")
    }

    /// The commit a revision (branch, tag, commit id, `HEAD`) names, as a hex id.
    func commit(of revision: String) throws(GitError) -> String {
        var object: OpaquePointer?
        try GitError.check(git_revparse_single(&object, handle, revision + "^{commit}"), "git_revparse_single(\(revision))")
        defer { git_object_free(object) }
        return Self.hex(git_object_id(object))
    }

    /// The first line of a commit's message; nil when the repository does not have the commit.
    func summary(of commit: String) -> String? {
        var oid = git_oid()
        guard git_oid_fromstr(&oid, commit) == 0 else { return nil }
        var object: OpaquePointer?
        guard git_commit_lookup(&object, handle, &oid) == 0 else { return nil }
        defer { git_commit_free(object) }
        return git_commit_summary(object).map { String(cString: $0) }
    }

    static func hex(_ oid: UnsafePointer<git_oid>?) -> String {
        var buffer = [CChar](repeating: 0, count: 41)
        git_oid_tostr(&buffer, 41, oid)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A file of a tree: its path below the tree, and its blob id.
    struct Entry {
        var path: String
        var blob: String
    }

    /// The tree id of `folder` in `commit` (the root tree for ""), or nil when the folder is not there.
    func treeID(commit: String, folder: String) throws(GitError) -> String? {
        try withTree(commit: commit, folder: folder) { tree in Self.hex(git_tree_id(tree)) }
    }

    /// Every `*.yaml`/`*.yml` file under `folder` in `commit`, hidden files and folders skipped.
    func specFiles(commit: String, folder: String) throws(GitError) -> [Entry]? {
        try withTree(commit: commit, folder: folder) { tree in
            var entries: [Entry] = []
            collect(tree, prefix: "", into: &entries)
            return entries
        }
    }

    private func collect(_ tree: OpaquePointer, prefix: String, into entries: inout [Entry]) {
        for i in 0..<git_tree_entrycount(tree) {
            guard let entry = git_tree_entry_byindex(tree, i) else { continue }
            let name = String(cString: git_tree_entry_name(entry))
            if name.hasPrefix(".") { continue }
            switch git_tree_entry_type(entry) {
            case GIT_OBJECT_TREE:
                var sub: OpaquePointer?
                guard git_tree_lookup(&sub, handle, git_tree_entry_id(entry)) == 0 else { continue }
                collect(sub!, prefix: prefix + name + "/", into: &entries)
                git_tree_free(sub)
            case GIT_OBJECT_BLOB where name.hasSuffix(".yaml") || name.hasSuffix(".yml"):
                entries.append(Entry(path: prefix + name, blob: Self.hex(git_tree_entry_id(entry))))
            default:
                break
            }
        }
    }

    private func withTree<T>(commit: String, folder: String, _ body: (OpaquePointer) throws(GitError) -> T) throws(GitError) -> T? {
        var oid = git_oid()
        try GitError.check(git_oid_fromstr(&oid, commit), "git_oid_fromstr(\(commit))")
        var commitObject: OpaquePointer?
        try GitError.check(git_commit_lookup(&commitObject, handle, &oid), "git_commit_lookup(\(commit))")
        defer { git_commit_free(commitObject) }
        var root: OpaquePointer?
        try GitError.check(git_commit_tree(&root, commitObject), "git_commit_tree(\(commit))")
        defer { git_tree_free(root) }
        let trimmed = folder.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        if trimmed.isEmpty || trimmed == "." { return try body(root!) }
        var entry: OpaquePointer?
        guard git_tree_entry_bypath(&entry, root, trimmed) == 0 else { return nil }
        defer { git_tree_entry_free(entry) }
        guard git_tree_entry_type(entry) == GIT_OBJECT_TREE else { return nil }
        var tree: OpaquePointer?
        try GitError.check(git_tree_lookup(&tree, handle, git_tree_entry_id(entry)), "git_tree_lookup(\(trimmed))")
        defer { git_tree_free(tree) }
        return try body(tree!)
    }

    /// The bytes of the blobs `ids`, in order. Many are read on two threads, the second with a handle of
    /// its own on the same repository: reading 10,000 blobs one by one was a tenth of a cold `plan`.
    func blobs(_ ids: [String]) throws(GitError) -> [[UInt8]] {
        guard ids.count >= 512, let second = try? GitRepository.open(String(cString: git_repository_path(handle))) else {
            return try ids.map { id throws(GitError) in try blob(id) }
        }
        let reads = BlobReads(self, second, count: ids.count)
        let half = ids.count / 2
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            let repository = part == 0 ? reads.first : reads.second
            for i in part == 0 ? 0..<half : half..<ids.count {
                do throws(GitError) {
                    reads.slots[i] = .success(try repository.blob(ids[i]))
                } catch {
                    reads.slots[i] = .failure(error)
                }
            }
        }
        return try reads.slots.map { result throws(GitError) in try result!.get() }
    }

    /// A blob's bytes.
    func blob(_ id: String) throws(GitError) -> [UInt8] {
        var oid = git_oid()
        try GitError.check(git_oid_fromstr(&oid, id), "git_oid_fromstr(\(id))")
        var blob: OpaquePointer?
        try GitError.check(git_blob_lookup(&blob, handle, &oid), "git_blob_lookup(\(id))")
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        guard size > 0, let raw = git_blob_rawcontent(blob) else { return [] }
        return Array(UnsafeRawBufferPointer(start: raw, count: size))
    }
}

/// The two handles and the result slots of `GitRepository.blobs`, shared by its two threads.
private final class BlobReads: @unchecked Sendable {
    // @unchecked: each part of `blobs` uses one of the handles and writes only its own slots; the slots
    // are read once both parts have returned.
    let first: GitRepository
    let second: GitRepository
    let slots: UnsafeMutableBufferPointer<Result<[UInt8], GitError>?>

    init(_ first: GitRepository, _ second: GitRepository, count: Int) {
        self.first = first
        self.second = second
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }
}
