/// An error or warning about a spec, at a file, line and column.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Hashable, Sendable {
        case error, warning
    }

    public var severity: Severity
    /// The file, as given to the loader (relative paths stay relative).
    public var file: String
    public var mark: Mark
    /// What is wrong and how to fix it.
    public var message: String

    public init(_ severity: Severity, file: String, mark: Mark, message: String) {
        self.severity = severity
        self.file = file
        self.mark = mark
        self.message = message
    }

    /// `file:line:column: message`, with `warning: ` before the message of a warning.
    public var description: String {
        "\(file):\(mark.line):\(mark.column): " + (severity == .warning ? "warning: " : "") + message
    }
}

extension Array where Element == Diagnostic {
    /// The errors, in order.
    public var errors: [Diagnostic] { filter { $0.severity == .error } }
    /// The warnings, in order.
    public var warnings: [Diagnostic] { filter { $0.severity == .warning } }
}
