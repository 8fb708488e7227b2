/// A state file that cannot be used as it is: what is wrong, where (the file, and the job or run row),
/// and what the operator can do about it.
package struct StateFileError: Error, Sendable, CustomStringConvertible {
    package enum Code: String, Sendable {
        /// The file is empty: it was truncated, or created by something else.
        case empty
        /// The file is not a SQLite database (or is corrupt).
        case notADatabase
        /// A row cannot be read back.
        case brokenRow
        /// The schema is newer than this version knows.
        case newerSchema
    }

    package var code: Code
    package var path: String
    /// The job or run the problem is about, if any.
    package var subject: String?
    package var message: String
    /// The underlying error, if any.
    package var cause: String?

    package init(_ code: Code, path: String, subject: String? = nil, message: String, cause: String? = nil) {
        self.code = code
        self.path = path
        self.subject = subject
        self.message = message
        self.cause = cause
    }

    var remedy: String {
        switch code {
        case .newerSchema: "upgrade chronos-sync"
        default: "restore it from a backup, or start serve with --reset-state to move it aside and begin with no state"
        }
    }

    package var description: String {
        var text = "state file \(path)"
        if let subject { text += ", \(subject)" }
        text += ": \(message)"
        if let cause { text += " (\(cause))" }
        return text + "; " + remedy
    }
}
