import ArgumentParser
import Foundation
import JobSpec

/// `chronos-sync schedule EXPR`: the next run times of an ISO 8601 schedule, a cron line, or a job.
struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Print the next run times of an ISO 8601 repeating interval, a cron line, or a job.",
        discussion: """
            Times are printed one per line as ISO 8601 with the zone's offset. An empty start (R//PT1H) \
            stands for the moment the job is first applied, taken here as --after: its first run is at --after itself, \
            so the first time printed is one period later.

            Examples:
              chronos-sync schedule "R/2026-03-07T02:30:00/P1D" --tz America/New_York --count 3
              chronos-sync schedule "*/15 * * * *" --after 2026-11-01T01:00:00 --tz America/New_York
              chronos-sync schedule --job jobs/nightly.yaml:nightly-report
            """
    )

    @Argument(help: "An ISO 8601 repeating interval (R[n]/<start>/<period>) or a 5-field cron line.")
    var expression: String?

    @Option(name: .customLong("tz"), help: "IANA time zone whose wall clock the schedule follows (default: the start's offset, or UTC for cron).")
    var timeZone: String?

    @Option(help: "Print runs strictly after this time (ISO 8601; without an offset it is read in --tz). Default: now.")
    var after: String?

    @Option(help: "How many run times to print.")
    var count: Int = 10

    @Option(help: "A job of a spec file, as FILE:NAME, instead of an expression.")
    var job: String?

    @Flag(help: "Print a JSON array.")
    var json = false

    func validate() throws {
        guard (expression == nil) != (job == nil) else {
            throw ValidationError("give either an expression or --job FILE:NAME")
        }
        guard count >= 0 && count <= 100_000 else { throw ValidationError("--count must be from 0 to 100000") }
    }

    func run() throws {
        let zone = try TimeArgument.zone(timeZone)
        let start = try TimeArgument.parse(after, zone: zone ?? .utc, option: "--after")
        let schedule: Schedule
        if let job {
            schedule = try Self.jobSchedule(job, zone: zone)
        } else {
            schedule = try TimeArgument.parseExpression(expression!) { text throws(ScheduleError) in try Schedule.parse(text, timeZone: zone) }
        }
        // The grid after --after, which also anchors an empty start; no catch-up of a passed start.
        let runs = schedule.runs(after: start, count: count)
        let lines = runs.map { $0.format(in: schedule.zone) }
        if json {
            try Output.printJSON(lines)
        } else {
            lines.forEach { print($0) }
        }
    }

    static func jobSchedule(_ reference: String, zone: Zone?) throws -> Schedule {
        guard let colon = reference.lastIndex(of: ":") else {
            throw CommandError("--job takes FILE:NAME, as in jobs/etl.yaml:load-events")
        }
        let file = String(reference[..<colon])
        let name = String(reference[reference.index(after: colon)...])
        let repository = JobLoader.load(file)
        guard let definition = repository.job(named: name) else {
            let names = repository.jobs.map(\.job.name).joined(separator: ", ")
            throw CommandError("\(file) has no job named \"\(name)\"" + (names.isEmpty ? "" : " (it has: \(names))"))
        }
        if let schedule = definition.schedule {
            guard let zone, zone != schedule.zone else { return schedule }
            switch schedule.expression {
            case .repeating(let r): return Schedule(r, timeZone: zone)
            case .cron(let c): return Schedule(c, timeZone: zone)
            }
        }
        switch definition.job.trigger {
        case .once: throw CommandError("job \"\(name)\" runs once, when it is first applied (schedule: \"\")")
        case .parents(let parents): throw CommandError("job \"\(name)\" runs after its parents (\(parents.joined(separator: ", "))), not on a schedule")
        default: throw CommandError(repository.diagnostics.errors.filter { $0.file == definition.file }.map(\.description).joined(separator: "\n"))
        }
    }
}

/// Parses times and zones given on the command line.
enum TimeArgument {
    /// Parses an expression, pointing at the problem with a caret when it is invalid.
    static func parseExpression<T>(_ text: String, _ parse: (String) throws(ScheduleError) -> T) throws -> T {
        do {
            return try parse(text)
        } catch {
            throw CommandError("\(error.message)\n  \(text)\n  \(String(repeating: " ", count: error.offset))^")
        }
    }

    static func zone(_ name: String?) throws -> Zone? {
        guard let name else { return nil }
        do {
            return try Zone.named(name)
        } catch {
            throw CommandError("--tz: \(error.message)")
        }
    }

    static func parse(_ text: String?, zone: Zone, option: String) throws -> Instant {
        guard let text, text != "now" else { return .now }
        let parsed: ISODateTime
        do {
            parsed = try ISODateTime.parse(text)
        } catch {
            throw CommandError("\(option): \(error.message)")
        }
        if let offset = parsed.offsetSeconds {
            return Instant(millis: parsed.local.localMillis - Int64(offset) * 1000)
        }
        return Instant(millis: zone.resolve(localMillis: parsed.local.localMillis))
    }
}
