import JobSpec

/// The command line a shell job runs, as Chronos builds it: the job's `arguments` appended as written
/// (joined by spaces, without `;`, which Chronos filters out), or, for a run started with its own
/// arguments, those instead, each quoted for the shell.
package enum ShellCommand {
    package static func line(_ job: Job, runArguments: [String]) -> String {
        let extra = runArguments.isEmpty
            ? job.arguments.joined(separator: " ").filter { $0 != ";" }
            : runArguments.map(quote).joined(separator: " ")
        return extra.isEmpty ? job.command : job.command + " " + extra
    }

    /// `text` as one shell word.
    package static func quote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

extension ShellCommand {
    /// The words the shell would make of `text`: split at unquoted blanks, with single quotes, double
    /// quotes and backslashes honored (no expansion); nil when a quote is left open.
    package static func words(_ text: String) -> [String]? {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for c in text {
            if escaped {
                current.append(c)
                escaped = false
                continue
            }
            switch (quote, c) {
            case ("'", "'"), ("\"", "\""):
                quote = nil
            case ("'", _):
                current.append(c)
            case ("\"", "\\"), (nil, "\\"):
                escaped = true
                inWord = true
            case ("\"", _):
                current.append(c)
            case (nil, "'"), (nil, "\""):
                quote = c
                inWord = true
            case (nil, " "), (nil, "\t"), (nil, "\n"):
                if inWord { words.append(current) }
                current = ""
                inWord = false
            default:
                current.append(c)
                inWord = true
            }
        }
        guard quote == nil, !escaped else { return nil }
        if inWord { words.append(current) }
        return words
    }
}
