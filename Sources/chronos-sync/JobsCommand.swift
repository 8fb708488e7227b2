import ArgumentParser
import JobSpec

/// `chronos-sync jobs [PATH]`: the jobs of a spec folder, with what triggers them and their next runs.
struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "List the jobs of a spec folder with their triggers and next run times (in each job's zone)."
    )

    @Argument(help: "A folder of job specs, or one spec file.")
    var path: String = "jobs"

    @Option(help: "How many upcoming runs to show per scheduled job.")
    var count: Int = 1

    @Flag(help: "Print the list as JSON.")
    var json = false

    struct Row: Encodable {
        var name: String
        var file: String
        var trigger: String
        var timeZone: String
        var disabled: Bool
        var nextRuns: [String]
    }

    func run() throws {
        let repository = JobLoader.load(path)
        for diagnostic in repository.diagnostics {
            Output.stderr(diagnostic.description)
        }
        guard repository.isValid else { throw ExitCode(1) }
        let now = Instant.now
        let rows = repository.jobs.map { d -> Row in
            let trigger: String
            switch d.job.trigger {
            case .once: trigger = "once, when first applied"
            case .schedule(let s): trigger = s
            case .cron(let c): trigger = "cron \(c)"
            case .parents(let p): trigger = "after \(p.joined(separator: d.job.dependencyMode == .all ? " and " : " or "))"
            case nil: trigger = "-"
            }
            let runs = d.schedule.map { s in s.runs(after: now, count: count, firstApplied: now).map { $0.format(in: s.zone) } } ?? []
            return Row(name: d.job.name, file: d.location(), trigger: trigger, timeZone: d.schedule?.zone.identifier ?? "",
                       disabled: d.job.disabled, nextRuns: runs)
        }
        if json {
            try Output.printJSON(rows)
            return
        }
        let nameWidth = min(40, rows.map(\.name.count).max() ?? 4)
        let triggerWidth = min(44, rows.map(\.trigger.count).max() ?? 7)
        print(Self.column("NAME", nameWidth) + "  " + Self.column("TRIGGER", triggerWidth) + "  NEXT RUN")
        for row in rows {
            let next = row.disabled ? "disabled" : (row.nextRuns.isEmpty ? "-" : row.nextRuns.joined(separator: ", "))
            print(Self.column(row.name, nameWidth) + "  " + Self.column(row.trigger, triggerWidth) + "  " + next)
        }
    }

    static func column(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
