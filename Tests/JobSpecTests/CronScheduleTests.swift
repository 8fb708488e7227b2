import Testing
@testable import JobSpec

/// Next-run tables for cron schedules (DESIGN §3).
///
/// Expected times come from a separate brute-force implementation in Python (`zoneinfo`): every wall-clock
/// minute that matches the fields is mapped to instants — a time in a gap with fold=0 (shifted forward by
/// the gap), a repeated time to its first pass, plus its second pass when the hour field covers every
/// hour — and the set is sorted. DST rows were also checked by hand. Times are printed in the schedule's zone.
@Suite struct CronScheduleTests {
    struct CronCase: Sendable, CustomTestStringConvertible {
        let cron: String
        /// `scheduleTimeZone`, or nil for none (UTC).
        let zone: String?
        let after: String
        let expected: [String]
        var testDescription: String { "\(cron) in \(zone ?? "UTC") after \(after)" }

        init(_ cron: String, zone: String?, after: String, _ expected: [String]) {
            self.cron = cron
            self.zone = zone
            self.after = after
            self.expected = expected
        }
    }

    static let cases: [CronCase] = [
    // New York, spring forward (Mar 8, 02:00 EST → 03:00 EDT): wall times in the gap run shifted by the gap;
    // runs that land on the same instant collapse (02:30 → 03:30 = the real 03:30).
    CronCase("30 2 * * *", zone: "America/New_York", after: "2026-03-07T12:00:00Z", ["2026-03-08T03:30:00-04:00", "2026-03-09T02:30:00-04:00", "2026-03-10T02:30:00-04:00"]),
    CronCase("0 2 * * *", zone: "America/New_York", after: "2026-03-07T12:00:00Z", ["2026-03-08T03:00:00-04:00", "2026-03-09T02:00:00-04:00"]),
    CronCase("30 2,3 * * *", zone: "America/New_York", after: "2026-03-07T12:00:00Z", ["2026-03-08T03:30:00-04:00", "2026-03-09T02:30:00-04:00", "2026-03-09T03:30:00-04:00"]),
    CronCase("0,30 2 * * *", zone: "America/New_York", after: "2026-03-07T12:00:00Z", ["2026-03-08T03:00:00-04:00", "2026-03-08T03:30:00-04:00", "2026-03-09T02:00:00-04:00", "2026-03-09T02:30:00-04:00"]),
    CronCase("*/15 * * * *", zone: "America/New_York", after: "2026-03-08T06:40:00Z", ["2026-03-08T01:45:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-08T03:15:00-04:00", "2026-03-08T03:30:00-04:00", "2026-03-08T03:45:00-04:00", "2026-03-08T04:00:00-04:00", "2026-03-08T04:15:00-04:00"]),

    // New York, fall back (Nov 1, 02:00 EDT → 01:00 EST): an hour field covering every hour fires in both
    // passes; any other hour field fires once, at the first pass.
    CronCase("*/15 * * * *", zone: "America/New_York", after: "2026-11-01T04:50:00Z", ["2026-11-01T01:00:00-04:00", "2026-11-01T01:15:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-01T01:45:00-04:00", "2026-11-01T01:00:00-05:00", "2026-11-01T01:15:00-05:00", "2026-11-01T01:30:00-05:00", "2026-11-01T01:45:00-05:00", "2026-11-01T02:00:00-05:00", "2026-11-01T02:15:00-05:00"]),
    CronCase("*/15 * * * *", zone: "America/New_York", after: "2026-11-01T05:50:00Z", ["2026-11-01T01:00:00-05:00", "2026-11-01T01:15:00-05:00", "2026-11-01T01:30:00-05:00"]),
    CronCase("30 1 * * *", zone: "America/New_York", after: "2026-10-31T12:00:00Z", ["2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"]),
    CronCase("0,30 1 * * *", zone: "America/New_York", after: "2026-10-31T12:00:00Z", ["2026-11-01T01:00:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-02T01:00:00-05:00"]),
    CronCase("30 1 * * *", zone: "America/New_York", after: "2026-11-01T06:10:00Z", ["2026-11-02T01:30:00-05:00"]),
    CronCase("0 * * * *", zone: "America/New_York", after: "2026-11-01T04:30:00Z", ["2026-11-01T01:00:00-04:00", "2026-11-01T01:00:00-05:00", "2026-11-01T02:00:00-05:00", "2026-11-01T03:00:00-05:00"]),
    CronCase("30 0-23 * * *", zone: "America/New_York", after: "2026-11-01T04:30:00Z", ["2026-11-01T01:30:00-04:00", "2026-11-01T01:30:00-05:00", "2026-11-01T02:30:00-05:00"]),
    CronCase("0 * * * *", zone: "America/New_York", after: "2026-03-08T05:30:00Z", ["2026-03-08T01:00:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-08T04:00:00-04:00"]),
    CronCase("0 1-3 * * *", zone: "America/New_York", after: "2026-11-01T04:30:00Z", ["2026-11-01T01:00:00-04:00", "2026-11-01T02:00:00-05:00", "2026-11-01T03:00:00-05:00", "2026-11-02T01:00:00-05:00"]),
    CronCase("@daily", zone: "America/New_York", after: "2026-03-07T12:00:00Z", ["2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00", "2026-03-10T00:00:00-04:00"]),

    // Past 2037 (POSIX rule): 2040 DST starts Mar 11.
    CronCase("0 2 * * *", zone: "America/New_York", after: "2040-03-10T12:00:00Z", ["2040-03-11T03:00:00-04:00", "2040-03-12T02:00:00-04:00"]),

    // Europe/London (Mar 29: 01:00 GMT → 02:00 BST; Oct 25: 02:00 BST → 01:00 GMT).
    CronCase("30 1 * * *", zone: "Europe/London", after: "2026-03-28T12:00:00Z", ["2026-03-29T02:30:00+01:00", "2026-03-30T01:30:00+01:00"]),
    CronCase("30 2 * * *", zone: "Europe/London", after: "2026-03-28T12:00:00Z", ["2026-03-29T02:30:00+01:00", "2026-03-30T02:30:00+01:00"]),
    CronCase("*/20 * * * *", zone: "Europe/London", after: "2026-03-29T00:30:00Z", ["2026-03-29T00:40:00+00:00", "2026-03-29T02:00:00+01:00", "2026-03-29T02:20:00+01:00", "2026-03-29T02:40:00+01:00"]),
    CronCase("30 1 * * *", zone: "Europe/London", after: "2026-10-24T12:00:00Z", ["2026-10-25T01:30:00+01:00", "2026-10-26T01:30:00+00:00"]),
    CronCase("*/20 * * * *", zone: "Europe/London", after: "2026-10-24T23:50:00Z", ["2026-10-25T01:00:00+01:00", "2026-10-25T01:20:00+01:00", "2026-10-25T01:40:00+01:00", "2026-10-25T01:00:00+00:00", "2026-10-25T01:20:00+00:00", "2026-10-25T01:40:00+00:00", "2026-10-25T02:00:00+00:00"]),

    // Australia/Lord_Howe, 30-minute shifts (Oct 4: 02:00 → 02:30 +11; Apr 5: 02:00 +11 → 01:30 +10:30).
    CronCase("0 2 * * *", zone: "Australia/Lord_Howe", after: "2026-10-03T00:00:00Z", ["2026-10-04T02:30:00+11:00", "2026-10-05T02:00:00+11:00"]),
    CronCase("15 2 * * *", zone: "Australia/Lord_Howe", after: "2026-10-03T00:00:00Z", ["2026-10-04T02:45:00+11:00", "2026-10-05T02:15:00+11:00"]),
    CronCase("*/15 * * * *", zone: "Australia/Lord_Howe", after: "2026-10-03T14:50:00Z", ["2026-10-04T01:30:00+10:30", "2026-10-04T01:45:00+10:30", "2026-10-04T02:30:00+11:00", "2026-10-04T02:45:00+11:00", "2026-10-04T03:00:00+11:00", "2026-10-04T03:15:00+11:00"]),
    CronCase("0 * * * *", zone: "Australia/Lord_Howe", after: "2026-10-03T13:30:00Z", ["2026-10-04T01:00:00+10:30", "2026-10-04T02:30:00+11:00", "2026-10-04T03:00:00+11:00", "2026-10-04T04:00:00+11:00"]),
    CronCase("45 1 * * *", zone: "Australia/Lord_Howe", after: "2026-04-04T00:00:00Z", ["2026-04-05T01:45:00+11:00", "2026-04-06T01:45:00+10:30"]),
    CronCase("*/15 * * * *", zone: "Australia/Lord_Howe", after: "2026-04-04T13:50:00Z", ["2026-04-05T01:00:00+11:00", "2026-04-05T01:15:00+11:00", "2026-04-05T01:30:00+11:00", "2026-04-05T01:45:00+11:00", "2026-04-05T01:30:00+10:30", "2026-04-05T01:45:00+10:30", "2026-04-05T02:00:00+10:30", "2026-04-05T02:15:00+10:30"]),
    CronCase("30 * * * *", zone: "Australia/Lord_Howe", after: "2026-04-04T13:00:00Z", ["2026-04-05T00:30:00+11:00", "2026-04-05T01:30:00+11:00", "2026-04-05T01:30:00+10:30", "2026-04-05T02:30:00+10:30"]),
    CronCase("0 * * * *", zone: "Australia/Lord_Howe", after: "2026-04-04T12:30:00Z", ["2026-04-05T00:00:00+11:00", "2026-04-05T01:00:00+11:00", "2026-04-05T02:00:00+10:30", "2026-04-05T03:00:00+10:30"]),

    // Other zones: east of UTC (Auckland), half-hour offsets (St John's), changes at midnight (Santiago,
    // 2045 from the POSIX rule), a gap that starts at 23:00 so the shifted run lands on the next day (Nuuk).
    CronCase("30 2 * * *", zone: "Pacific/Auckland", after: "2026-09-25T12:00:00Z", ["2026-09-26T02:30:00+12:00", "2026-09-27T03:30:00+13:00", "2026-09-28T02:30:00+13:00"]),
    CronCase("30 2 * * *", zone: "Pacific/Auckland", after: "2026-04-03T12:00:00Z", ["2026-04-04T02:30:00+13:00", "2026-04-05T02:30:00+13:00"]),
    CronCase("15 1 * * *", zone: "America/St_Johns", after: "2026-10-31T12:00:00Z", ["2026-11-01T01:15:00-02:30", "2026-11-02T01:15:00-03:30"]),
    CronCase("15 2 * * *", zone: "America/St_Johns", after: "2026-03-07T12:00:00Z", ["2026-03-08T03:15:00-02:30", "2026-03-09T02:15:00-02:30"]),
    CronCase("@daily", zone: "America/Santiago", after: "2045-09-01T12:00:00Z", ["2045-09-02T00:00:00-04:00", "2045-09-03T01:00:00-03:00", "2045-09-04T00:00:00-03:00"]),
    CronCase("30 23 * * *", zone: "America/Santiago", after: "2045-03-31T12:00:00Z", ["2045-03-31T23:30:00-03:00", "2045-04-01T23:30:00-03:00", "2045-04-02T23:30:00-04:00"]),
    CronCase("*/30 * * * *", zone: "America/Santiago", after: "2045-04-02T02:10:00Z", ["2045-04-01T23:30:00-03:00", "2045-04-01T23:00:00-04:00", "2045-04-01T23:30:00-04:00", "2045-04-02T00:00:00-04:00", "2045-04-02T00:30:00-04:00"]),
    CronCase("30 23 * * *", zone: "America/Nuuk", after: "2045-03-24T12:00:00Z", ["2045-03-24T23:30:00-02:00", "2045-03-26T00:30:00-01:00", "2045-03-26T23:30:00-01:00"]),
    // Samoa skipped 2011-12-30 entirely: that day's run moves forward by the 24-hour gap and collapses.
    CronCase("0 12 * * *", zone: "Pacific/Apia", after: "2011-12-27T12:00:00Z", ["2011-12-27T12:00:00-10:00", "2011-12-28T12:00:00-10:00", "2011-12-29T12:00:00-10:00", "2011-12-31T12:00:00+14:00", "2012-01-01T12:00:00+14:00"]),
    CronCase("0 12 30 12 *", zone: "Pacific/Apia", after: "2011-12-01T00:00:00Z", ["2011-12-31T12:00:00+14:00", "2012-12-30T12:00:00+14:00"]),

    // Zones without DST (Etc/GMT-5 is a fixed UTC+5).
    CronCase("0 9 * * *", zone: "Etc/GMT-5", after: "2026-03-07T12:00:00Z", ["2026-03-08T09:00:00+05:00", "2026-03-09T09:00:00+05:00"]),
    CronCase("30 2 * * *", zone: "Asia/Kolkata", after: "2026-03-07T12:00:00Z", ["2026-03-08T02:30:00+05:30", "2026-03-09T02:30:00+05:30"]),
    CronCase("0 9 * * 1-5", zone: "Asia/Tokyo", after: "2026-03-06T12:00:00Z", ["2026-03-09T09:00:00+09:00", "2026-03-10T09:00:00+09:00", "2026-03-11T09:00:00+09:00"]),
    CronCase("0 0 1 1 *", zone: "Asia/Kolkata", after: "2026-06-01T00:00:00Z", ["2027-01-01T00:00:00+05:30"]),

    // Without a zone: UTC. Ranges, steps, lists, names (any case), 7 as Sunday.
    CronCase("0 2 * * *", zone: nil, after: "2026-03-07T12:00:00Z", ["2026-03-08T02:00:00Z", "2026-03-09T02:00:00Z"]),
    CronCase("0 9-17/4 * * MON-FRI", zone: nil, after: "2026-03-06T00:00:00Z", ["2026-03-06T09:00:00Z", "2026-03-06T13:00:00Z", "2026-03-06T17:00:00Z", "2026-03-09T09:00:00Z", "2026-03-09T13:00:00Z", "2026-03-09T17:00:00Z"]),
    CronCase("15,45 8 * * *", zone: nil, after: "2026-03-06T08:20:00Z", ["2026-03-06T08:45:00Z", "2026-03-07T08:15:00Z", "2026-03-07T08:45:00Z"]),
    CronCase("10-50/20 * * * *", zone: nil, after: "2026-03-06T08:20:00Z", ["2026-03-06T08:30:00Z", "2026-03-06T08:50:00Z", "2026-03-06T09:10:00Z", "2026-03-06T09:30:00Z"]),
    CronCase("0 0 1 JAN,jul *", zone: nil, after: "2026-03-01T00:00:00Z", ["2026-07-01T00:00:00Z", "2027-01-01T00:00:00Z", "2027-07-01T00:00:00Z"]),
    CronCase("0 0 1 feb-apr *", zone: nil, after: "2026-01-15T00:00:00Z", ["2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z", "2027-02-01T00:00:00Z"]),
    CronCase("0 12 * * 7", zone: nil, after: "2026-03-01T12:00:00Z", ["2026-03-08T12:00:00Z", "2026-03-15T12:00:00Z"]),
    CronCase("0 12 * * SUN", zone: nil, after: "2026-03-01T12:00:00Z", ["2026-03-08T12:00:00Z", "2026-03-15T12:00:00Z"]),
    CronCase("0 12 * * 5-7", zone: nil, after: "2026-03-01T12:00:00Z", ["2026-03-06T12:00:00Z", "2026-03-07T12:00:00Z", "2026-03-08T12:00:00Z", "2026-03-13T12:00:00Z"]),
    CronCase("0 0 */10 * *", zone: nil, after: "2026-03-01T00:00:00Z", ["2026-03-11T00:00:00Z", "2026-03-21T00:00:00Z", "2026-03-31T00:00:00Z", "2026-04-01T00:00:00Z", "2026-04-11T00:00:00Z"]),
    CronCase("0 0 * * */3", zone: nil, after: "2026-03-01T00:00:00Z", ["2026-03-04T00:00:00Z", "2026-03-07T00:00:00Z", "2026-03-08T00:00:00Z", "2026-03-11T00:00:00Z"]),

    // Vixie cron: day-of-month and day-of-week OR-ed when both are restricted, AND-ed when either starts with "*".
    // 2026-03-01 is a Sunday.
    CronCase("0 0 1 * MON", zone: nil, after: "2026-03-01T00:00:00Z", ["2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z", "2026-03-16T00:00:00Z", "2026-03-23T00:00:00Z", "2026-03-30T00:00:00Z", "2026-04-01T00:00:00Z", "2026-04-06T00:00:00Z"]),
    CronCase("0 0 */2 * MON", zone: nil, after: "2026-03-01T00:00:00Z", ["2026-03-09T00:00:00Z", "2026-03-23T00:00:00Z", "2026-04-13T00:00:00Z", "2026-04-27T00:00:00Z"]),
    CronCase("0 0 13 * FRI", zone: nil, after: "2026-03-01T00:00:00Z", ["2026-03-06T00:00:00Z", "2026-03-13T00:00:00Z", "2026-03-20T00:00:00Z", "2026-03-27T00:00:00Z", "2026-04-03T00:00:00Z", "2026-04-10T00:00:00Z", "2026-04-13T00:00:00Z"]),
    CronCase("0 0 1 * *", zone: nil, after: "2026-03-01T00:00:00Z", ["2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z"]),
    CronCase("0 0 * * 1", zone: nil, after: "2026-03-01T00:00:00Z", ["2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z"]),
    CronCase("0 0 29 2 MON", zone: nil, after: "2028-01-01T00:00:00Z", ["2028-02-07T00:00:00Z", "2028-02-14T00:00:00Z", "2028-02-21T00:00:00Z", "2028-02-28T00:00:00Z", "2028-02-29T00:00:00Z"]),
    CronCase("0 0 15 * 1-7", zone: nil, after: "2026-03-01T00:00:00Z", ["2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", "2026-03-04T00:00:00Z"]),
    CronCase("0 0 1-7 * */7", zone: nil, after: "2026-03-01T00:00:00Z", ["2026-04-05T00:00:00Z", "2026-05-03T00:00:00Z", "2026-06-07T00:00:00Z"]),

    // Macros.
    CronCase("@hourly", zone: nil, after: "2026-03-08T06:30:00Z", ["2026-03-08T07:00:00Z", "2026-03-08T08:00:00Z"]),
    CronCase("@midnight", zone: nil, after: "2026-03-08T06:30:00Z", ["2026-03-09T00:00:00Z", "2026-03-10T00:00:00Z"]),
    CronCase("@weekly", zone: nil, after: "2026-03-04T00:00:00Z", ["2026-03-08T00:00:00Z", "2026-03-15T00:00:00Z"]),
    CronCase("@monthly", zone: nil, after: "2026-03-04T00:00:00Z", ["2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z"]),
    CronCase("@yearly", zone: nil, after: "2026-03-04T00:00:00Z", ["2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"]),
    CronCase("@annually", zone: "America/New_York", after: "2026-03-04T00:00:00Z", ["2027-01-01T00:00:00-05:00", "2028-01-01T00:00:00-05:00"]),

    // Leap days (2100 is not a leap year) and month ends.
    CronCase("0 0 29 2 *", zone: nil, after: "2026-01-01T00:00:00Z", ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z", "2036-02-29T00:00:00Z"]),
    CronCase("0 0 29 2 *", zone: nil, after: "2096-03-01T00:00:00Z", ["2104-02-29T00:00:00Z"]),
    CronCase("0 0 31 * *", zone: nil, after: "2026-01-01T00:00:00Z", ["2026-01-31T00:00:00Z", "2026-03-31T00:00:00Z", "2026-05-31T00:00:00Z", "2026-07-31T00:00:00Z"]),
    CronCase("0 0 30 * *", zone: nil, after: "2026-01-15T00:00:00Z", ["2026-01-30T00:00:00Z", "2026-03-30T00:00:00Z", "2026-04-30T00:00:00Z"]),

    // Runs are strictly after the given instant.
    CronCase("0 7 * * *", zone: nil, after: "2026-03-08T06:59:59.999Z", ["2026-03-08T07:00:00Z"]),
    CronCase("0 7 * * *", zone: nil, after: "2026-03-08T07:00:00Z", ["2026-03-09T07:00:00Z"]),
    CronCase("0 7 * * *", zone: nil, after: "2026-03-08T07:00:00.001Z", ["2026-03-09T07:00:00Z"]),
    ]

    @Test(arguments: cases)
    func runsAfter(_ c: CronCase) throws {
        let schedule = try Schedule.parse(c.cron, timeZone: zoneNamed(c.zone))
        let runs = schedule.runs(after: instantAt(c.after), count: c.expected.count)
        #expect(runs.map { $0.format(in: schedule.zone) } == c.expected)
    }

    /// `next(after:)` reaches each expected run from the previous one and from just before it.
    @Test(arguments: cases)
    func nextAfter(_ c: CronCase) throws {
        let schedule = try Schedule.parse(c.cron, timeZone: zoneNamed(c.zone))
        let expected = c.expected.map(instantAt)
        #expect(schedule.next(after: instantAt(c.after)) == expected.first)
        for (i, run) in expected.enumerated() {
            #expect(schedule.next(after: Instant(millis: run.millis - 1)) == run, "run \(i)")
            #expect(schedule.next(after: Instant(millis: run.millis - 60_000)) == run, "run \(i) from a minute before")
            if i > 0 {
                #expect(schedule.next(after: expected[i - 1]) == run, "after run \(i - 1)")
            }
        }
    }

    /// Hourly cron through a whole DST year in New York: one run per elapsed hour, none lost or doubled,
    /// because the hour field is `*` (8760 hours in 2026).
    @Test func hourlyKeepsElapsedCadenceAllYear() throws {
        let schedule = try Schedule.parse("0 * * * *", timeZone: Zone.named("America/New_York"))
        let runs = scheduleRuns(of: schedule, after: instantAt("2025-12-31T23:59:59-05:00"), before: instantAt("2027-01-01T00:00:00-05:00"))
        #expect(runs.count == 8760)
        #expect(zip(runs, runs.dropFirst()).allSatisfy { $1.millis - $0.millis == 3_600_000 })
    }

    /// A daily cron at 02:30 in New York runs 365 times in 2026: the skipped wall time still runs (03:30 EDT).
    @Test func dailyInTheGapRunsEveryDay() throws {
        let schedule = try Schedule.parse("30 2 * * *", timeZone: Zone.named("America/New_York"))
        let runs = scheduleRuns(of: schedule, after: instantAt("2026-01-01T00:00:00-05:00"), before: instantAt("2027-01-01T00:00:00-05:00"))
        #expect(runs.count == 365)
    }
}
