import ArgumentParser
import JobSpec

/// `chronos-sync convert-cron LINE`: the ISO 8601 schedule(s) equivalent to a crontab line.
struct ConvertCron: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert-cron",
        abstract: "Print the ISO 8601 schedule(s) equivalent to a cron line, or why there is none.",
        discussion: """
            Prints one schedule per line and exits 0; with a --tz other than UTC, set scheduleTimeZone to \
            that zone in the job. Exits 1, with the reason, when no ISO 8601 schedule is equivalent \
            (the engine runs cron natively either way).

            Examples:
              chronos-sync convert-cron "*/5 * * * *"
              chronos-sync convert-cron "0 9 * * 1-5" --tz Europe/London
            """
    )

    @Argument(help: "A 5-field cron line, or @hourly, @daily, @weekly, @monthly, @yearly.")
    var line: String

    @Option(name: .customLong("tz"), help: "IANA time zone whose wall clock the cron follows (default UTC).")
    var timeZone: String?

    @Option(help: "Start the schedules at the first runs after this time (ISO 8601). Default: now.")
    var after: String?

    @Flag(help: "Print the result as JSON.")
    var json = false

    struct Report: Encodable {
        var cron: String
        var scheduleTimeZone: String
        var schedules: [String]?
        var reason: String?
    }

    func run() throws {
        let zone = try TimeArgument.zone(timeZone) ?? .utc
        let start = try TimeArgument.parse(after, zone: zone, option: "--after")
        let cron = try TimeArgument.parseExpression(line, CronExpression.parse)
        let result = CronConverter.convert(cron, zone: zone, after: start)
        let zoneName = zone.isUTC ? "" : zone.identifier
        switch result {
        case .schedules(let schedules):
            if json {
                try Output.printJSON(Report(cron: line, scheduleTimeZone: zoneName, schedules: schedules))
            } else {
                schedules.forEach { print($0) }
                if !zoneName.isEmpty {
                    Output.stderr("set scheduleTimeZone: \(zoneName) in the job")
                }
            }
        case .none(let reason):
            if json {
                try Output.printJSON(Report(cron: line, scheduleTimeZone: zoneName, reason: reason))
            } else {
                Output.stderr("no ISO 8601 schedule is equivalent to \"\(line)\": \(reason)")
            }
            throw ExitCode(1)
        }
    }
}
