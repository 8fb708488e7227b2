import Testing
@testable import JobSpec

/// `CronConverter.convert`: the ISO 8601 schedules equivalent to a cron line, or why none exists.
@Suite struct CronConverterTests {
    struct ConvertCase: Sendable, CustomTestStringConvertible {
        let cron: String
        let zone: String
        let after: String
        /// The schedules, in any order; nil when no conversion exists.
        let schedules: [String]?
        /// A phrase of the reason, when no conversion exists.
        let reason: String?
        var testDescription: String { "\(cron) in \(zone)" }

        init(_ cron: String, _ zone: String, after: String = "2026-03-01T00:00:00Z", _ schedules: [String]) {
            self.cron = cron
            self.zone = zone
            self.after = after
            self.schedules = schedules
            reason = nil
        }

        init(_ cron: String, _ zone: String, after: String = "2026-03-01T00:00:00Z", none reason: String) {
            self.cron = cron
            self.zone = zone
            self.after = after
            schedules = nil
            self.reason = reason
        }
    }

    // Starts worked out by hand: each is the first cron run strictly after `after`, on the zone's wall clock
    // (2026-03-01T00:00:00Z is Sunday; in New York it is Feb 28 19:00 EST, on Lord Howe Mar 1 11:00 +11).
    // Schedules in UTC end in Z; in other zones they carry no offset (used with scheduleTimeZone).
    static let cases: [ConvertCase] = [
        ConvertCase("*/5 * * * *", "UTC", after: "2026-03-08T06:02:00Z", ["R/2026-03-08T06:05:00Z/PT5M"]),
        ConvertCase("*/5 * * * *", "America/New_York", after: "2026-03-08T06:02:00Z", ["R/2026-03-08T01:05:00/PT5M"]),
        ConvertCase("*/30 * * * *", "Australia/Lord_Howe", ["R/2026-03-01T11:30:00/PT30M"]),
        ConvertCase("0 * * * *", "America/New_York", ["R/2026-02-28T20:00:00/PT1H"]),
        ConvertCase("0 */2 * * *", "UTC", ["R/2026-03-01T02:00:00Z/PT2H"]),
        ConvertCase("0 8,20 * * *", "UTC", ["R/2026-03-01T08:00:00Z/PT12H"]),
        ConvertCase("0 2 * * *", "UTC", ["R/2026-03-01T02:00:00Z/P1D"]),
        ConvertCase("0 2 * * *", "America/New_York", ["R/2026-03-01T02:00:00/P1D"]),
        ConvertCase("30 2 * * *", "America/New_York", ["R/2026-03-01T02:30:00/P1D"]),
        ConvertCase("30 1 * * *", "America/New_York", ["R/2026-03-01T01:30:00/P1D"]),
        ConvertCase("@daily", "Europe/London", ["R/2026-03-02T00:00:00/P1D"]),
        ConvertCase("0 9,17 * * *", "UTC", ["R/2026-03-01T09:00:00Z/P1D", "R/2026-03-01T17:00:00Z/P1D"]),
        ConvertCase("0 9 * * 1", "UTC", ["R/2026-03-02T09:00:00Z/P1W"]),
        ConvertCase("30 2 * * 0", "America/New_York", ["R/2026-03-01T02:30:00/P1W"]),
        ConvertCase("0 9 * * 1-5", "UTC", [
            "R/2026-03-02T09:00:00Z/P1W", "R/2026-03-03T09:00:00Z/P1W", "R/2026-03-04T09:00:00Z/P1W",
            "R/2026-03-05T09:00:00Z/P1W", "R/2026-03-06T09:00:00Z/P1W",
        ]),
        ConvertCase("0 9 * * MON-FRI", "America/New_York", [
            "R/2026-03-02T09:00:00/P1W", "R/2026-03-03T09:00:00/P1W", "R/2026-03-04T09:00:00/P1W",
            "R/2026-03-05T09:00:00/P1W", "R/2026-03-06T09:00:00/P1W",
        ]),
        ConvertCase("0 9 1 * *", "UTC", ["R/2026-03-01T09:00:00Z/P1M"]),
        ConvertCase("0 0 1,15 * *", "UTC", ["R/2026-03-15T00:00:00Z/P1M", "R/2026-04-01T00:00:00Z/P1M"]),
        ConvertCase("0 9 1 */2 *", "UTC", ["R/2026-03-01T09:00:00Z/P2M"]),
        ConvertCase("0 9 1 1,4,7,10 *", "UTC", ["R/2026-04-01T09:00:00Z/P3M"]),
        ConvertCase("@yearly", "UTC", ["R/2027-01-01T00:00:00Z/P1Y"]),
        ConvertCase("0 9 15 1,2,7 *", "UTC", ["R/2026-07-15T09:00:00Z/P1Y", "R/2027-01-15T09:00:00Z/P1Y", "R/2027-02-15T09:00:00Z/P1Y"]),
        // No equivalent schedule.
        // A fixed PT2H/PT12H/PT1H drifts at these zones' DST changes, but one P1D schedule per time of day is exact.
        ConvertCase("0 */2 * * *", "America/New_York", ["R/2026-02-28T20:00:00/P1D", "R/2026-02-28T22:00:00/P1D"]
            + (0...9).map { "R/2026-03-01T\(pad2($0 * 2)):00:00/P1D" }),
        ConvertCase("0 8,20 * * *", "America/New_York", ["R/2026-02-28T20:00:00/P1D", "R/2026-03-01T08:00:00/P1D"]),
        ConvertCase("0 * * * *", "Australia/Lord_Howe", (12...23).map { "R/2026-03-01T\($0):00:00/P1D" } + (0...11).map { "R/2026-03-02T\(pad2($0)):00:00/P1D" }),
        // Every hour, two minutes each: cron runs both passes of the repeated hour, daily schedules only the first.
        ConvertCase("0,10 * * * *", "America/New_York", none: "DST"),
        ConvertCase("0 0 31 * *", "UTC", none: "day 31"),
        ConvertCase("0 0 29 2 *", "UTC", none: "day 29"),
        ConvertCase("0 0 */2 * *", "UTC", none: "day 29"),
        ConvertCase("0 0 1 * MON", "UTC", none: "both restricted"),
        ConvertCase("*/7 * * * *", "UTC", none: "more than 64"),
    ]

    @Test(arguments: cases)
    func converts(_ c: ConvertCase) throws {
        let cron = try CronExpression.parse(c.cron)
        let result = CronConverter.convert(cron, zone: try Zone.named(c.zone), after: instantAt(c.after))
        switch result {
        case .schedules(let schedules):
            #expect(schedules.sorted() == c.schedules?.sorted(), "expected none: \(c.reason ?? "")")
        case .none(let reason):
            #expect(c.schedules == nil, "no conversion: \(reason)")
            if let phrase = c.reason {
                #expect(reason.contains(phrase), "reason: \(reason)")
            }
        }
    }

    /// Consistency: the union of the schedules' runs over a year is exactly the cron's runs.
    @Test(arguments: cases.filter { $0.schedules != nil })
    func schedulesRunWhenCronRuns(_ c: ConvertCase) throws {
        let zone = try Zone.named(c.zone)
        let cron = try Schedule.parse(c.cron, timeZone: zone)
        guard case .cron(let expression) = cron.expression else {
            Issue.record("not a cron")
            return
        }
        guard case .schedules(let schedules) = CronConverter.convert(expression, zone: zone, after: instantAt(c.after)) else {
            Issue.record("no conversion")
            return
        }
        let after = instantAt(c.after)
        // Sub-hourly schedules are compared over 40 days around the spring change; others over a year.
        let days: Int64 = c.cron.hasPrefix("*/") ? 40 : 366
        let before = Instant(millis: after.millis + days * 86_400_000)
        let expected = scheduleRuns(of: cron, after: after, before: before)
        var union = Set<Instant>()
        for text in schedules {
            let schedule = try Schedule.parse(text, timeZone: zone)
            union.formUnion(scheduleRuns(of: schedule, after: after, before: before))
        }
        #expect(!expected.isEmpty)
        #expect(union.sorted() == expected)
    }
}

private func pad2(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
