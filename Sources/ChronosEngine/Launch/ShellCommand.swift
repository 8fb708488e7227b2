import JobSpec

/// The command line of a run, as Chronos builds it. A shell job's `arguments` are appended as written
/// (joined by spaces, without `;`, which Chronos filters out). A run started with its own arguments
/// appends those instead: the text of a Chronos `?arguments=` run as it is (without `;`), for the shell
/// to read as Chronos's does; a list of words (`POST /v1/jobs/{name}/run`) each quoted as one word.
package enum ShellCommand {
    package static func line(_ job: Job, run: RunRecord) -> String {
        let extra: String
        if let text = run.argumentText {
            extra = text.filter { $0 != ";" }
        } else if !run.arguments.isEmpty {
            extra = run.arguments.map(quote).joined(separator: " ")
        } else {
            extra = job.arguments.joined(separator: " ").filter { $0 != ";" }
        }
        return extra.isEmpty ? job.command : job.command + " " + extra
    }

    /// The argv of a job without a shell (argv[0] included): its command and arguments, then the run's
    /// own. No shell reads a `?arguments=` text here, so its words are split as a shell would split them.
    package static func argv(_ job: Job, run: RunRecord) -> [String] {
        let text = run.argumentText.map { words($0) ?? [$0] } ?? []
        return [job.command] + job.arguments + run.arguments + text
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
