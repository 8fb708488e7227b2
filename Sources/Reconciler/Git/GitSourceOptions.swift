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
