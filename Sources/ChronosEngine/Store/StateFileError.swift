/// A state file that cannot be used as it is: what is wrong, where (the file, and the job or run row),
/// and what the operator can do about it.
public struct StateFileError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The file is empty: it was truncated, or created by something else.
        case empty
        /// The file is not a SQLite database (or is corrupt).
        case notADatabase
        /// A row cannot be read back.
        case brokenRow
        /// The schema is newer than this version knows.
        case newerSchema
    }

    public var code: Code
    public var path: String
    /// The job or run the problem is about, if any.
    public var subject: String?
    public var message: String
    /// The underlying error, if any.
    public var cause: String?

    public init(_ code: Code, path: String, subject: String? = nil, message: String, cause: String? = nil) {
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

    public var description: String {
        var text = "state file \(path)"
        if let subject { text += ", \(subject)" }
        text += ": \(message)"
        if let cause { text += " (\(cause))" }
        return text + "; " + remedy
    }
}
