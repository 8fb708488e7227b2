/// Where a repository of job specs is, and which part of it.
package struct GitSourceOptions: Sendable {
    /// A local path (a clone, or a bare repository), or a URL: `file://`, `git://`, `https://`, `ssh://`.
    package var location: String
    /// A branch, tag or commit; nil for the repository's `HEAD`.
    package var ref: String?
    /// The folder of specs inside the repository.
    package var folder: String = "jobs"
    /// The environment variable holding an https token (read when fetching, never logged).
    package var tokenVariable: String = "CHRONOS_SYNC_GIT_TOKEN"
    /// The environment variable holding the ssh server's host key fingerprint (`SHA256:…`); an ssh host
    /// key is accepted only when it matches.
    package var sshHostKeyVariable: String = "CHRONOS_SYNC_SSH_HOST_KEY"
    /// Where remote repositories are mirrored (bare).
    package var mirrorDirectory: String
    /// A token may go over plain `http://` (refused otherwise: anyone on the way could read it).
    package var allowInsecure = false
    /// A password written into the URL (`https://user:PASS@host/…`): taken out of `location` before
    /// anything is stored, and used from memory only.
    var urlPassword: String?

    package init(location: String, ref: String? = nil, folder: String = "jobs", mirrorDirectory: String) {
        let (clean, password) = Self.withoutPassword(location)
        self.location = clean
        self.urlPassword = password
        self.ref = ref
        self.folder = folder
        self.mirrorDirectory = mirrorDirectory
    }

    /// True for a repository on this machine that is read in place.
    var isLocal: Bool { !location.contains("://") }

    /// True for a URL whose transport is not encrypted.
    var isPlainHTTP: Bool { location.lowercased().hasPrefix("http://") }

    /// `url` without the password of its user info (the user name stays: it names the account), and the
    /// password.
    static func withoutPassword(_ url: String) -> (String, String?) {
        guard let scheme = url.range(of: "://") else { return (url, nil) }
        let rest = url[scheme.upperBound...]
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else { return (url, nil) }
        let userInfo = authority[..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return (url, nil) }
        let password = String(userInfo[userInfo.index(after: colon)...]).removingPercentEncoding ?? String(userInfo[userInfo.index(after: colon)...])
        let clean = String(url[..<scheme.upperBound]) + userInfo[..<colon] + authority[at...] + rest[authorityEnd...]
        return (clean, password.isEmpty ? nil : password)
    }
}
