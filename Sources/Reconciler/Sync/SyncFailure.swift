import JobSpec

/// A sync that stopped at one of its steps; nothing after that step happened. It says which step,
/// which revision, and why: the errors of a commit that does not load (`file:line:column: message`),
/// or the error of a repository or store that could not be read or written.
package struct SyncFailure: Error, Sendable, CustomStringConvertible {
    /// The steps of a sync, in order.
    package enum Step: String, Sendable {
        case fetch, load, assess, plan, apply, record
    }

    package var step: Step
    /// The commit, once the fetch step resolved it; otherwise the ref asked for, if any.
    package var revision: String?
    /// The errors of a commit that does not load; empty for an I/O failure.
    package var diagnostics: [Diagnostic]
    /// The underlying error of an I/O failure.
    package var cause: (any Error)?

    package init(step: Step, revision: String?, diagnostics: [Diagnostic] = [], cause: (any Error)? = nil) {
        self.step = step
        self.revision = revision
        self.diagnostics = diagnostics
        self.cause = cause
    }

    /// True for a commit that does not load, as opposed to a source or store that failed.
    package var isInvalidCommit: Bool { !diagnostics.isEmpty }

    /// How many errors the log shows before it says how many more there are.
    static let loggedErrors = 5

    package var description: String {
        let at = revision.map { step == .fetch ? " of \($0)" : " of revision \($0.prefix(12))" } ?? ""
        if isInvalidCommit {
            let count = diagnostics.count
            var lines = ["revision \(revision.map { String($0.prefix(12)) } ?? "?") does not load: \(count) error\(count == 1 ? "" : "s")"]
            lines += diagnostics.prefix(Self.loggedErrors).map(\.description)
            if count > Self.loggedErrors { lines.append("… and \(count - Self.loggedErrors) more") }
            return lines.joined(separator: "\n")
        }
        return "\(step.rawValue)\(at) failed: \(cause.map { "\($0)" } ?? "unknown error")"
    }
}
