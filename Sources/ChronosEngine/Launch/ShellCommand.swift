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
