import Testing
@testable import JobSpec

/// Next-run tables for ISO 8601 repeating intervals (DESIGN §3).
///
/// Every expected time was computed outside the code under test, with Python's `zoneinfo` and
/// `dateutil.relativedelta` (run k = wall-clock start + k × calendar part, month ends clamped, resolved with
/// fold=0 so a gap shifts forward and an overlap takes the first pass, then + k × exact part), and checked by
/// hand at the DST changes. Times are printed in the schedule's zone.
@Suite struct IsoScheduleTests {
    struct IsoCase: Sendable, CustomTestStringConvertible {
        let schedule: String
        /// `scheduleTimeZone`, or nil for none.
        let zone: String?
        let after: String
        let firstApplied: String?
        let count: Int
        let expected: [String]
        var testDescription: String { "\(schedule) in \(zone ?? "no zone") after \(after)" }

        init(_ schedule: String, zone: String?, after: String, firstApplied: String? = nil, count: Int? = nil, _ expected: [String]) {
            self.schedule = schedule
            self.zone = zone
            self.after = after
            self.firstApplied = firstApplied
            self.count = count ?? expected.count
            self.expected = expected
        }
    }

    static let cases: [IsoCase] = [
    // New York (2026: DST starts Mar 8 02:00 EST → 03:00 EDT, ends Nov 1 02:00 EDT → 01:00 EST). P1D keeps the
    // wall-clock time; PT24H is elapsed time. A start in the gap moves forward by the gap; in the overlap it is the first pass.
    IsoCase("R/2026-03-06T02:30:00/P1D", zone: "America/New_York", after: "2026-03-01T00:00:00Z", ["2026-03-06T02:30:00-05:00", "2026-03-07T02:30:00-05:00", "2026-03-08T03:30:00-04:00", "2026-03-09T02:30:00-04:00", "2026-03-10T02:30:00-04:00"]),
    IsoCase("R/2026-03-06T02:30:00/PT24H", zone: "America/New_York", after: "2026-03-01T00:00:00Z", ["2026-03-06T02:30:00-05:00", "2026-03-07T02:30:00-05:00", "2026-03-08T03:30:00-04:00", "2026-03-09T03:30:00-04:00", "2026-03-10T03:30:00-04:00"]),
    IsoCase("R/2026-10-30T01:30:00/P1D", zone: "America/New_York", after: "2026-10-01T00:00:00Z", ["2026-10-30T01:30:00-04:00", "2026-10-31T01:30:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"]),
    IsoCase("R/2026-10-30T01:30:00/PT24H", zone: "America/New_York", after: "2026-10-01T00:00:00Z", ["2026-10-30T01:30:00-04:00", "2026-10-31T01:30:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-02T00:30:00-05:00"]),
    IsoCase("R/2026-11-01T00:00:00/PT1H", zone: "America/New_York", after: "2026-10-31T00:00:00Z", ["2026-11-01T00:00:00-04:00", "2026-11-01T01:00:00-04:00", "2026-11-01T01:00:00-05:00", "2026-11-01T02:00:00-05:00", "2026-11-01T03:00:00-05:00"]),
    IsoCase("R/2026-03-08T01:00:00/PT30M", zone: "America/New_York", after: "2026-03-08T00:00:00Z", ["2026-03-08T01:00:00-05:00", "2026-03-08T01:30:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-08T03:30:00-04:00", "2026-03-08T04:00:00-04:00"]),
    IsoCase("R/2026-03-08T02:30:00/PT1H", zone: "America/New_York", after: "2026-03-08T00:00:00Z", ["2026-03-08T03:30:00-04:00", "2026-03-08T04:30:00-04:00", "2026-03-08T05:30:00-04:00"]),
    IsoCase("R/2026-11-01T01:30:00/PT30M", zone: "America/New_York", after: "2026-11-01T00:00:00Z", ["2026-11-01T01:30:00-04:00", "2026-11-01T01:00:00-05:00", "2026-11-01T01:30:00-05:00", "2026-11-01T02:00:00-05:00"]),

    // Calendar part then exact part: run k = wall(start + k days) resolved, then + k hours.
    IsoCase("R/2026-03-07T02:00:00/P1DT1H", zone: "America/New_York", after: "2026-03-07T00:00:00Z", ["2026-03-07T02:00:00-05:00", "2026-03-08T04:00:00-04:00", "2026-03-09T04:00:00-04:00", "2026-03-10T05:00:00-04:00"]),
    IsoCase("R/2026-02-08T02:30:00/P1M", zone: "America/New_York", after: "2026-02-01T00:00:00Z", ["2026-02-08T02:30:00-05:00", "2026-03-08T03:30:00-04:00", "2026-04-08T02:30:00-04:00"]),
    IsoCase("R/2000-01-01T02:30:00/P1D", zone: "America/New_York", after: "2026-03-07T12:00:00Z", ["2026-03-08T03:30:00-04:00", "2026-03-09T02:30:00-04:00", "2026-03-10T02:30:00-04:00"]),

    // Past 2037 the zone's POSIX rule applies (2040: DST Mar 11 – Nov 4).
    IsoCase("R/2040-03-10T02:30:00/P1D", zone: "America/New_York", after: "2040-03-01T00:00:00Z", ["2040-03-10T02:30:00-05:00", "2040-03-11T03:30:00-04:00", "2040-03-12T02:30:00-04:00"]),
    IsoCase("R/2040-11-03T01:30:00/PT12H", zone: "America/New_York", after: "2040-11-01T00:00:00Z", ["2040-11-03T01:30:00-04:00", "2040-11-03T13:30:00-04:00", "2040-11-04T01:30:00-04:00", "2040-11-04T12:30:00-05:00"]),

    // Europe/London (2026: Mar 29 01:00 GMT → 02:00 BST; Oct 25 02:00 BST → 01:00 GMT).
    IsoCase("R/2026-03-28T01:30:00/P1D", zone: "Europe/London", after: "2026-03-01T00:00:00Z", ["2026-03-28T01:30:00+00:00", "2026-03-29T02:30:00+01:00", "2026-03-30T01:30:00+01:00"]),
    IsoCase("R/2026-03-28T01:30:00/PT24H", zone: "Europe/London", after: "2026-03-01T00:00:00Z", ["2026-03-28T01:30:00+00:00", "2026-03-29T02:30:00+01:00", "2026-03-30T02:30:00+01:00"]),
    IsoCase("R/2026-10-24T01:30:00/P1D", zone: "Europe/London", after: "2026-10-01T00:00:00Z", ["2026-10-24T01:30:00+01:00", "2026-10-25T01:30:00+01:00", "2026-10-26T01:30:00+00:00"]),
    IsoCase("R/2026-10-24T01:30:00/PT24H", zone: "Europe/London", after: "2026-10-01T00:00:00Z", ["2026-10-24T01:30:00+01:00", "2026-10-25T01:30:00+01:00", "2026-10-26T00:30:00+00:00"]),
    IsoCase("R/2026-10-25T00:30:00/PT30M", zone: "Europe/London", after: "2026-10-24T00:00:00Z", ["2026-10-25T00:30:00+01:00", "2026-10-25T01:00:00+01:00", "2026-10-25T01:30:00+01:00", "2026-10-25T01:00:00+00:00", "2026-10-25T01:30:00+00:00"]),

    // Australia/Lord_Howe, 30-minute DST (2026: Apr 5 02:00 +11 → 01:30 +10:30; Oct 4 02:00 +10:30 → 02:30 +11).
    IsoCase("R/2026-04-04T01:45:00/P1D", zone: "Australia/Lord_Howe", after: "2026-04-01T00:00:00Z", ["2026-04-04T01:45:00+11:00", "2026-04-05T01:45:00+11:00", "2026-04-06T01:45:00+10:30"]),
    IsoCase("R/2026-04-04T01:45:00/PT24H", zone: "Australia/Lord_Howe", after: "2026-04-01T00:00:00Z", ["2026-04-04T01:45:00+11:00", "2026-04-05T01:45:00+11:00", "2026-04-06T01:15:00+10:30"]),
    IsoCase("R/2026-04-05T01:15:00/PT15M", zone: "Australia/Lord_Howe", after: "2026-04-01T00:00:00Z", ["2026-04-05T01:15:00+11:00", "2026-04-05T01:30:00+11:00", "2026-04-05T01:45:00+11:00", "2026-04-05T01:30:00+10:30", "2026-04-05T01:45:00+10:30", "2026-04-05T02:00:00+10:30"]),
    IsoCase("R/2026-10-03T02:15:00/P1D", zone: "Australia/Lord_Howe", after: "2026-10-01T00:00:00Z", ["2026-10-03T02:15:00+10:30", "2026-10-04T02:45:00+11:00", "2026-10-05T02:15:00+11:00"]),
    IsoCase("R/2026-10-03T02:15:00/PT24H", zone: "Australia/Lord_Howe", after: "2026-10-01T00:00:00Z", ["2026-10-03T02:15:00+10:30", "2026-10-04T02:45:00+11:00", "2026-10-05T02:45:00+11:00"]),
    IsoCase("R/2026-10-04T02:00:00/PT10M", zone: "Australia/Lord_Howe", after: "2026-10-01T00:00:00Z", ["2026-10-04T02:30:00+11:00", "2026-10-04T02:40:00+11:00", "2026-10-04T02:50:00+11:00"]),
    IsoCase("R/2040-03-31T01:45:00/P1D", zone: "Australia/Lord_Howe", after: "2040-03-01T00:00:00Z", ["2040-03-31T01:45:00+11:00", "2040-04-01T01:45:00+11:00", "2040-04-02T01:45:00+10:30"]),
    IsoCase("R/2026-09-26T02:30:00/P1D", zone: "Pacific/Auckland", after: "2026-09-01T00:00:00Z", ["2026-09-26T02:30:00+12:00", "2026-09-27T03:30:00+13:00", "2026-09-28T02:30:00+13:00"]),
    // Samoa skipped 2011-12-30 (-10:00 → +14:00): the 30th moves forward a day onto the 31st's run, which collapses.
    IsoCase("R/2011-12-28T12:00:00/P1D", zone: "Pacific/Apia", after: "2011-12-01T00:00:00Z", ["2011-12-28T12:00:00-10:00", "2011-12-29T12:00:00-10:00", "2011-12-31T12:00:00+14:00", "2012-01-01T12:00:00+14:00", "2012-01-02T12:00:00+14:00"]),

    // Zones without DST.
    IsoCase("R/2026-03-07T02:30:00/P1D", zone: "Asia/Kolkata", after: "2026-03-01T00:00:00Z", ["2026-03-07T02:30:00+05:30", "2026-03-08T02:30:00+05:30", "2026-03-09T02:30:00+05:30"]),
    IsoCase("R/2026-10-31T01:30:00/PT24H", zone: "Asia/Kolkata", after: "2026-10-01T00:00:00Z", ["2026-10-31T01:30:00+05:30", "2026-11-01T01:30:00+05:30", "2026-11-02T01:30:00+05:30"]),
    IsoCase("R/2026-03-08T02:30:00Z/P1D", zone: "Asia/Tokyo", after: "2026-03-01T00:00:00Z", ["2026-03-08T02:30:00+09:00", "2026-03-09T02:30:00+09:00"]),

    // Leap days and month ends: each run counts from the start, so Feb 29 comes back in leap years.
    IsoCase("R/2024-02-29T12:00:00Z/P1Y", zone: nil, after: "2024-01-01T00:00:00Z", ["2024-02-29T12:00:00Z", "2025-02-28T12:00:00Z", "2026-02-28T12:00:00Z", "2027-02-28T12:00:00Z", "2028-02-29T12:00:00Z"]),
    IsoCase("R/2000-02-29T12:00:00Z/P1Y", zone: nil, after: "2026-01-01T00:00:00Z", ["2026-02-28T12:00:00Z", "2027-02-28T12:00:00Z", "2028-02-29T12:00:00Z"]),
    IsoCase("R/2026-01-31T09:00:00/P1M", zone: "America/New_York", after: "2026-01-01T00:00:00Z", ["2026-01-31T09:00:00-05:00", "2026-02-28T09:00:00-05:00", "2026-03-31T09:00:00-04:00", "2026-04-30T09:00:00-04:00", "2026-05-31T09:00:00-04:00"]),
    IsoCase("R/2026-01-31T09:00:00Z/P2M", zone: nil, after: "2026-01-01T00:00:00Z", ["2026-01-31T09:00:00Z", "2026-03-31T09:00:00Z", "2026-05-31T09:00:00Z", "2026-07-31T09:00:00Z", "2026-09-30T09:00:00Z"]),
    IsoCase("R/2024-01-31T00:00:00Z/P1M", zone: nil, after: "2024-01-01T00:00:00Z", ["2024-01-31T00:00:00Z", "2024-02-29T00:00:00Z", "2024-03-31T00:00:00Z", "2024-04-30T00:00:00Z"]),
    IsoCase("R/2000-01-31T00:00:00Z/P1M", zone: nil, after: "2026-01-15T00:00:00Z", ["2026-01-31T00:00:00Z", "2026-02-28T00:00:00Z", "2026-03-31T00:00:00Z"]),
    IsoCase("R/2026-01-31T00:00:00Z/P1M1D", zone: nil, after: "2026-01-01T00:00:00Z", ["2026-01-31T00:00:00Z", "2026-03-01T00:00:00Z", "2026-04-02T00:00:00Z"]),

    // Repetition counts: Rn is n runs in all (run 0 is the start), R0 none; only runs strictly after `after`.
    IsoCase("R0/2026-01-01T00:00:00Z/P1D", zone: nil, after: "2025-12-01T00:00:00Z", count: 10, []),
    IsoCase("R1/2026-01-01T00:00:00Z/P1D", zone: nil, after: "2026-06-01T00:00:00Z", count: 10, []),
    IsoCase("R1/2026-01-01T00:00:00Z/P1D", zone: nil, after: "2025-12-31T00:00:00Z", count: 10, ["2026-01-01T00:00:00Z"]),
    IsoCase("R5/2026-01-01T00:00:00Z/PT1H", zone: nil, after: "2025-12-31T00:00:00Z", count: 10, ["2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z", "2026-01-01T03:00:00Z", "2026-01-01T04:00:00Z"]),
    IsoCase("R5/2026-01-01T00:00:00Z/PT1H", zone: nil, after: "2026-01-01T02:30:00Z", count: 10, ["2026-01-01T03:00:00Z", "2026-01-01T04:00:00Z"]),
    IsoCase("R5/2026-01-01T00:00:00Z/P1M", zone: nil, after: "2026-03-15T00:00:00Z", count: 10, ["2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z"]),
    IsoCase("R3/2026-01-01T00:00:00Z/PT1H", zone: nil, after: "2026-01-01T00:00:00Z", count: 10, ["2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"]),
    IsoCase("R3/2026-01-01T00:00:00Z/PT1H", zone: nil, after: "2025-12-31T00:00:00Z", firstApplied: "2025-06-01T00:00:00Z", count: 5, ["2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"]),

    // An empty start is anchored at firstApplied: run 0 is exactly that instant.
    IsoCase("R//PT1H", zone: nil, after: "2026-03-08T06:00:00Z", firstApplied: "2026-03-08T06:15:30.250Z", ["2026-03-08T06:15:30.250Z", "2026-03-08T07:15:30.250Z", "2026-03-08T08:15:30.250Z"]),
    IsoCase("R//PT1H", zone: nil, after: "2026-03-08T09:00:00Z", firstApplied: "2026-03-08T06:15:30.250Z", ["2026-03-08T09:15:30.250Z", "2026-03-08T10:15:30.250Z"]),
    IsoCase("R//P1D", zone: "America/New_York", after: "2026-03-07T07:29:00Z", firstApplied: "2026-03-07T07:30:00Z", ["2026-03-07T02:30:00-05:00", "2026-03-08T03:30:00-04:00", "2026-03-09T02:30:00-04:00"]),
    IsoCase("R2//PT1H", zone: nil, after: "2026-03-08T00:00:00Z", firstApplied: "2026-03-08T06:00:00Z", count: 5, ["2026-03-08T06:00:00Z", "2026-03-08T07:00:00Z"]),
    IsoCase("R//P1M", zone: nil, after: "2026-01-31T09:00:00Z", firstApplied: "2026-01-31T10:00:00Z", ["2026-01-31T10:00:00Z", "2026-02-28T10:00:00Z", "2026-03-31T10:00:00Z"]),
    IsoCase("R//P1D", zone: "America/New_York", after: "2026-11-01T06:00:00Z", firstApplied: "2026-11-01T06:30:00Z", ["2026-11-01T01:30:00-05:00", "2026-11-02T01:30:00-05:00", "2026-11-03T01:30:00-05:00"]),

    // Fractional seconds in the start and the period.
    IsoCase("R/2026-03-08T01:59:59.750Z/PT0.5S", zone: nil, after: "2026-03-08T00:00:00Z", ["2026-03-08T01:59:59.750Z", "2026-03-08T02:00:00.250Z", "2026-03-08T02:00:00.750Z", "2026-03-08T02:00:01.250Z"]),
    IsoCase("R/2026-03-08T00:00:00.5Z/PT0.5S", zone: nil, after: "2026-03-08T00:00:00Z", ["2026-03-08T00:00:00.500Z", "2026-03-08T00:00:01Z", "2026-03-08T00:00:01.500Z"]),
    IsoCase("R/2026-03-08T00:00:00/PT1.5H", zone: "America/New_York", after: "2026-03-08T00:00:00Z", ["2026-03-08T00:00:00-05:00", "2026-03-08T01:30:00-05:00", "2026-03-08T04:00:00-04:00", "2026-03-08T05:30:00-04:00"]),
    IsoCase("R/2026-03-08T00:00:00,125/P1D", zone: "America/New_York", after: "2026-03-08T00:00:00Z", ["2026-03-08T00:00:00.125-05:00", "2026-03-09T00:00:00.125-04:00"]),

    // Basic and extended forms; offsets. Without a zone the written offset applies (none = UTC); with one it is ignored.
    IsoCase("R/20260308T023000Z/P1D", zone: nil, after: "2026-03-01T00:00:00Z", ["2026-03-08T02:30:00Z", "2026-03-09T02:30:00Z"]),
    IsoCase("R/20260308T023000Z/P1D", zone: "America/New_York", after: "2026-03-01T00:00:00Z", ["2026-03-08T03:30:00-04:00", "2026-03-09T02:30:00-04:00"]),
    IsoCase("R/2026-03-08T02:30:00+05:30/P1D", zone: nil, after: "2026-03-01T00:00:00Z", ["2026-03-08T02:30:00+05:30", "2026-03-09T02:30:00+05:30"]),
    IsoCase("R/2026-03-08T02:30:00+05:30/P1D", zone: "America/New_York", after: "2026-03-01T00:00:00Z", ["2026-03-08T03:30:00-04:00", "2026-03-09T02:30:00-04:00"]),
    IsoCase("R/20260308T0230-0400/P1D", zone: nil, after: "2026-03-01T00:00:00Z", ["2026-03-08T02:30:00-04:00", "2026-03-09T02:30:00-04:00"]),
    IsoCase("R/2026-03-08T02:30:00-04:00/PT24H", zone: nil, after: "2026-03-01T00:00:00Z", ["2026-03-08T02:30:00-04:00", "2026-03-09T02:30:00-04:00"]),
    IsoCase("R/2026-03-08T02:30:00/P1D", zone: nil, after: "2026-03-01T00:00:00Z", ["2026-03-08T02:30:00Z", "2026-03-09T02:30:00Z"]),
    IsoCase("R/2026-03-08T02:30/P1D", zone: "Europe/London", after: "2026-03-01T00:00:00Z", ["2026-03-08T02:30:00+00:00", "2026-03-09T02:30:00+00:00"]),
    IsoCase("R/2026-03-08T02/PT6H", zone: "Asia/Kolkata", after: "2026-03-01T00:00:00Z", ["2026-03-08T02:00:00+05:30", "2026-03-08T08:00:00+05:30"]),

    // Date-only starts (midnight).
    IsoCase("R/2026-03-08/P1D", zone: "America/New_York", after: "2026-03-01T00:00:00Z", ["2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00"]),
    IsoCase("R/2026-03-08/PT12H", zone: nil, after: "2026-03-01T00:00:00Z", ["2026-03-08T00:00:00Z", "2026-03-08T12:00:00Z", "2026-03-09T00:00:00Z"]),
    IsoCase("R/20261101/PT1H", zone: "America/New_York", after: "2026-10-01T00:00:00Z", ["2026-11-01T00:00:00-04:00", "2026-11-01T01:00:00-04:00", "2026-11-01T01:00:00-05:00"]),

    // Weeks are calendar days on the wall clock.
    IsoCase("R/2026-03-01T02:30:00/P1W", zone: "America/New_York", after: "2026-02-01T00:00:00Z", ["2026-03-01T02:30:00-05:00", "2026-03-08T03:30:00-04:00", "2026-03-15T02:30:00-04:00"]),
    IsoCase("R/2026-10-18T01:30:00/P2W", zone: "America/New_York", after: "2026-10-01T00:00:00Z", ["2026-10-18T01:30:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-15T01:30:00-05:00"]),
    IsoCase("R/2026-03-22T01:30:00/P1W", zone: "Europe/London", after: "2026-03-01T00:00:00Z", ["2026-03-22T01:30:00+00:00", "2026-03-29T02:30:00+01:00", "2026-04-05T01:30:00+01:00"]),

    // Exact periods counted from a start long ago.
    IsoCase("R/1970-01-01T00:00:00Z/PT7M", zone: nil, after: "2026-03-08T00:00:00Z", ["2026-03-08T00:06:00Z", "2026-03-08T00:13:00Z", "2026-03-08T00:20:00Z"]),
    ]

    @Test(arguments: cases)
    func runsAfter(_ c: IsoCase) throws {
        let schedule = try Schedule.parse(c.schedule, timeZone: zoneNamed(c.zone))
        let runs = schedule.runs(after: instantAt(c.after), count: c.count, firstApplied: c.firstApplied.map(instantAt))
        #expect(runs.map { $0.format(in: schedule.zone) } == c.expected)
    }

    /// `next(after:)` lands on each expected run from just before it, and from the run before it.
    @Test(arguments: cases)
    func nextAfter(_ c: IsoCase) throws {
        let schedule = try Schedule.parse(c.schedule, timeZone: zoneNamed(c.zone))
        let firstApplied = c.firstApplied.map(instantAt)
        let expected = c.expected.map(instantAt)
        #expect(schedule.next(after: instantAt(c.after), firstApplied: firstApplied) == expected.first)
        for (i, run) in expected.enumerated() {
            let justBefore = Instant(millis: run.millis - 1)
            #expect(schedule.next(after: justBefore, firstApplied: firstApplied) == run, "run \(i)")
            if i > 0 {
                #expect(schedule.next(after: expected[i - 1], firstApplied: firstApplied) == run, "after run \(i - 1)")
            }
        }
        if expected.count < c.count, let last = expected.last {
            #expect(schedule.next(after: last, firstApplied: firstApplied) == nil, "no run after the last")
        }
    }

    @Test func emptyStartWithoutFirstAppliedStartsAtTheGivenInstant() throws {
        let schedule = try Schedule.parse("R//PT1H", timeZone: nil)
        let now = instantAt("2026-03-08T06:15:00Z")
        #expect(schedule.next(after: now) == instantAt("2026-03-08T07:15:00Z"))
        #expect(schedule.runs(after: now, count: 2).map(\.description) == ["2026-03-08T07:15:00Z", "2026-03-08T08:15:00Z"])
    }

    @Test func emptyStartRunOnceIsFirstAppliedOnly() throws {
        let schedule = try Schedule.parse("R1//PT1H", timeZone: nil)
        let applied = instantAt("2026-03-08T06:15:00Z")
        #expect(schedule.next(after: Instant(millis: applied.millis - 1), firstApplied: applied) == applied)
        #expect(schedule.next(after: applied, firstApplied: applied) == nil)
    }

    @Test func runsRespectsCount() throws {
        let schedule = try Schedule.parse("R/2026-01-01T00:00:00Z/PT1M", timeZone: nil)
        #expect(schedule.runs(after: instantAt("2026-01-01T00:00:00Z"), count: 0).isEmpty)
        #expect(schedule.runs(after: instantAt("2026-01-01T00:00:00Z"), count: 3).map(\.description)
            == ["2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z", "2026-01-01T00:03:00Z"])
    }
}
