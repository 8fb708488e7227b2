internal import CGit2
import ChronosEngine

/// A failed libgit2 call: the call, libgit2's message, and the repository it was about (credentials
/// removed from URLs).
package struct GitError: Error, Sendable, CustomStringConvertible {
    package var call: String
    package var code: Int32
    package var message: String

    package var description: String { "git: \(call) failed: \(message)" }

    /// Throws unless `code` is zero or positive.
    static func check(_ code: Int32, _ call: String) throws(GitError) {
        guard code < 0 else { return }
        var message = git_error_last().map { String(cString: $0.pointee.message) } ?? "error \(code)"
        if message.contains("hostkey") {
            message += "; set CHRONOS_SYNC_SSH_HOST_KEY to the server key's fingerprint (ssh-keyscan -p PORT HOST | ssh-keygen -lf -, the SHA256:… part)"
        }
        throw GitError(call: call, code: code, message: Scrub.secrets(in: message))
    }
}
