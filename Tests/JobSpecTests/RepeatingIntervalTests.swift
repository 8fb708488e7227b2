import Testing
@testable import JobSpec

/// Parsing `R[n]/<start>/<period>` and its start (`ISODateTime`): forms, offsets and errors with offsets.
@Suite struct RepeatingIntervalTests {
    struct Valid: Sendable, CustomTestStringConvertible {
        let text: String
        let repetitions: Int?
        /// The start's wall-clock fields `YYYY-MM-DDTHH:MM:SS.mmm`, or nil for an empty start.
        let local: String?
        let offsetSeconds: Int32?
        let period: String
        var testDescription: String { text }
        init(_ text: String, _ repetitions: Int?, _ local: String?, _ offsetSeconds: Int32?, _ period: String) {
            self.text = text
            self.repetitions = repetitions
            self.local = local
            self.offsetSeconds = offsetSeconds
            self.period = period
        }
    }

    static let valid: [Valid] = [
        Valid("R/2026-03-08T02:30:00Z/P1D", nil, "2026-03-08T02:30:00.000", 0, "P1D"),
        Valid("R5/2026-03-08T02:30:00-04:00/PT1H", 5, "2026-03-08T02:30:00.000", -14_400, "PT1H"),
        Valid("R0/2026-01-01T00:00:00Z/P1D", 0, "2026-01-01T00:00:00.000", 0, "P1D"),
        Valid("R12/2026-01-01T00:00:00Z/P1M", 12, "2026-01-01T00:00:00.000", 0, "P1M"),
        Valid("R//PT1H", nil, nil, nil, "PT1H"),
        Valid("R3//P1D", 3, nil, nil, "P1D"),
        Valid("R1/20260308T023000Z/PT1H", 1, "2026-03-08T02:30:00.000", 0, "PT1H"),
        Valid("R/20260308T0230-0400/P1D", nil, "2026-03-08T02:30:00.000", -14_400, "P1D"),
        Valid("R/20260308T02+0530/P1D", nil, "2026-03-08T02:00:00.000", 19_800, "P1D"),
        Valid("R/2026-03-08T02:30:00.5+05:30/PT0.5S", nil, "2026-03-08T02:30:00.500", 19_800, "PT0.5S"),
        Valid("R/2026-03-08T02:30:00,250/P1D", nil, "2026-03-08T02:30:00.250", nil, "P1D"),
        Valid("R/2026-03-08T02:30:00.123456Z/PT1S", nil, "2026-03-08T02:30:00.123", 0, "PT1S"),
        Valid("R/2026-03-08T02:30:00.07Z/PT1S", nil, "2026-03-08T02:30:00.070", 0, "PT1S"),
        Valid("R/2026-03-08T02:30:00.999Z/PT1S", nil, "2026-03-08T02:30:00.999", 0, "PT1S"),
        Valid("R/2026-03-08/P1W", nil, "2026-03-08T00:00:00.000", nil, "P1W"),
        Valid("R/20260308/P2W", nil, "2026-03-08T00:00:00.000", nil, "P2W"),
        Valid("R/2026-03-08T02/P1D", nil, "2026-03-08T02:00:00.000", nil, "P1D"),
        Valid("R/2026-03-08T02:30/P1D", nil, "2026-03-08T02:30:00.000", nil, "P1D"),
        Valid("R/2026-03-08T02:30:00+05/P1D", nil, "2026-03-08T02:30:00.000", 18_000, "P1D"),
        Valid("R/2026-03-08T02:30:00-03:30/P1D", nil, "2026-03-08T02:30:00.000", -12_600, "P1D"),
        Valid("R/2026-03-08T02:30:00+0545/P1D", nil, "2026-03-08T02:30:00.000", 20_700, "P1D"),
        Valid("R/2026-03-08T02:30:00-00:00/P1D", nil, "2026-03-08T02:30:00.000", 0, "P1D"),
        Valid("R/2024-02-29T00:00:00Z/P1Y", nil, "2024-02-29T00:00:00.000", 0, "P1Y"),
        Valid("R/2026-12-31T23:59:59Z/P1D", nil, "2026-12-31T23:59:59.000", 0, "P1D"),
        Valid("R1/2026-01-01T00:00:00Z/PT0S", 1, "2026-01-01T00:00:00.000", 0, "PT0S"),
        Valid("R0/2026-01-01T00:00:00Z/P0D", 0, "2026-01-01T00:00:00.000", 0, "P0D"),
    ]

    @Test(arguments: valid)
    func parses(_ c: Valid) throws {
        let interval = try RepeatingInterval.parse(c.text)
        #expect(interval.repetitions == c.repetitions)
        #expect(interval.period.text == c.period)
        #expect(interval.text == c.text)
        if let local = c.local {
            let start = try #require(interval.start)
            let l = start.local
            let fields = String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03d", l.year, l.month, l.day, l.hour, l.minute, l.second, l.millisecond)
            #expect(fields == local)
            #expect(start.offsetSeconds == c.offsetSeconds)
        } else {
            #expect(interval.start == nil)
        }
    }

    @Test func scheduleParseTellsIntervalFromCron() throws {
        let interval = try Schedule.parse("R5/2026-01-01T00:00:00Z/PT1H", timeZone: nil)
        guard case .repeating(let r) = interval.expression else {
            Issue.record("expected a repeating interval")
            return
        }
        #expect(r.repetitions == 5)
        let cron = try Schedule.parse("0 2 * * *", timeZone: nil)
        guard case .cron = cron.expression else {
            Issue.record("expected a cron expression")
            return
        }
        #expect(interval.description == "R5/2026-01-01T00:00:00Z/PT1H")
        #expect(cron.description == "0 2 * * *")
    }

    @Test func zoneOfTheSchedule() throws {
        let newYork = try Zone.named("America/New_York")
        // Without a time zone, the start's own offset applies; no offset means UTC.
        let withOffset = try Schedule.parse("R/2026-03-08T02:30:00+05:30/P1D", timeZone: nil)
        #expect(withOffset.zone.identifier == "+05:30")
        #expect(withOffset.zone.offset(atUTCSeconds: 0) == 19_800)
        #expect(!withOffset.ignoresWrittenOffset)
        #expect(try Schedule.parse("R/2026-03-08T02:30:00Z/P1D", timeZone: nil).zone.isUTC)
        #expect(try Schedule.parse("R/2026-03-08T02:30:00/P1D", timeZone: nil).zone.isUTC)
        #expect(try Schedule.parse("R//PT1H", timeZone: nil).zone.isUTC)
        #expect(try Schedule.parse("R/20260308T0230-0400/P1D", timeZone: nil).zone.identifier == "-04:00")
        // With a time zone, it is the zone, and a written offset is ignored.
        let zoned = try Schedule.parse("R/2026-03-08T02:30:00+05:30/P1D", timeZone: newYork)
        #expect(zoned.zone == newYork)
        #expect(zoned.ignoresWrittenOffset)
        #expect(try !Schedule.parse("R/2026-03-08T02:30:00/P1D", timeZone: newYork).ignoresWrittenOffset)
        // Cron without a zone is UTC.
        #expect(try Schedule.parse("0 2 * * *", timeZone: nil).zone.isUTC)
        #expect(try Schedule.parse("0 2 * * *", timeZone: newYork).zone == newYork)
    }

    typealias Invalid = InvalidExpression

    // Offsets counted by hand. "R/" is 2 characters, "R5/" 3; "2026-01-01T00:00:00Z" is 20.
    static let invalid: [Invalid] = [
        Invalid("X/2026-01-01T00:00:00Z/P1D", at: 0, "R[n]/<start>/<period>"),
        Invalid("R", at: 1, "three parts"),
        Invalid("R5/2026-01-01T00:00:00Z", at: 23, "three parts"),
        Invalid("R5/2026-01-01T00:00:00Z/P1D/x", at: 27, "three parts"),
        Invalid("R-1/2026-01-01T00:00:00Z/P1D", at: 1, "repetition count"),
        Invalid("Rx/2026-01-01T00:00:00Z/P1D", at: 1, "repetition count"),
        Invalid("R/2026-01-01T00:00:00Z/", at: 23, "period is missing"),
        Invalid("R/2026-13-01T00:00:00Z/P1D", at: 7, "month 13"),
        Invalid("R/2026-00-01T00:00:00Z/P1D", at: 7, "month 0"),
        Invalid("R/2026-02-29T00:00:00Z/P1Y", at: 10, "does not exist"),
        Invalid("R/2026-04-31T00:00:00Z/P1D", at: 10, "does not exist"),
        Invalid("R/2026-03-08T24:00:00Z/P1D", at: 13, "hour 24"),
        Invalid("R/2026-03-08T02:60:00Z/P1D", at: 16, "minute 60"),
        Invalid("R/2026-03-08T02:30:60Z/P1D", at: 19, "second 60"),
        Invalid("R/2026-03-08T02:30:00+25:00/P1D", at: 21, "out of range"),
        Invalid("R/2026-03-08T02:30:00+5/P1D", at: 21, "UTC offset"),
        Invalid("R/2026-03-08 02:30:00Z/P1D", at: 12, "expected \"T\""),
        Invalid("R/2026-03-08T02:30:00.Z/P1D", at: 22, "expected digits after the decimal separator"),
        Invalid("R/2026-0308/P1D", at: 9, "between month and day"),
        Invalid("R/26-03-08/P1D", at: 2, "four-digit year"),
        Invalid("R/1969-12-31T00:00:00Z/P1D", at: 2, "1970"),
        Invalid("R/2026-03-08T02:30:00ZZ/P1D", at: 22, "unexpected \"Z\""),
        Invalid("R/2026-03-08T02:30:00Z/PT1X", at: 26, "not a duration unit"),
        Invalid("R/2026-03-08T02:30:00Z/1D", at: 23, "starts with \"P\""),
        Invalid("R/2026-03-08T02:30:00Z/P0D", at: 23, "longer than zero"),
        Invalid("R//PT0S", at: 3, "longer than zero"),
        Invalid("R5/2026-03-08T02:30:00Z/P1H", at: 26, "come after \"T\""),
        // The period written first: the parser has a dedicated hint for this.
        Invalid("R/PT1H/2026-01-01T00:00:00Z", at: 2, "start before the period"),
    ]

    @Test(arguments: invalid)
    func rejectsWithOffset(_ c: Invalid) {
        let error = #expect(throws: ScheduleError.self) { try RepeatingInterval.parse(c.text) }
        #expect(error?.offset == c.offset)
        #expect(error?.message.contains(c.phrase) == true, "message: \(error?.message ?? "none")")
    }

    @Test func scheduleParseKeepsOffsets() {
        let error = #expect(throws: ScheduleError.self) { try Schedule.parse("R/2026-03-08T25:00:00Z/PT1H", timeZone: nil) }
        #expect(error?.offset == 13)
        #expect(error?.message == "hour 25 is not between 00 and 23")
    }

    struct DateTimeCase: Sendable, CustomTestStringConvertible {
        let text: String
        let description: String
        var testDescription: String { text }
    }

    // ISODateTime.description normalizes to the extended form, `Z` for a zero offset.
    static let dateTimes: [DateTimeCase] = [
        DateTimeCase(text: "20260308T023000Z", description: "2026-03-08T02:30:00Z"),
        DateTimeCase(text: "2026-03-08T02:30:00.250-0400", description: "2026-03-08T02:30:00.250-04:00"),
        DateTimeCase(text: "2026-03-08", description: "2026-03-08T00:00:00"),
        DateTimeCase(text: "2026-03-08T02:30+05:30", description: "2026-03-08T02:30:00+05:30"),
    ]

    @Test(arguments: dateTimes)
    func dateTimeDescription(_ c: DateTimeCase) throws {
        #expect(try ISODateTime.parse(c.text).description == c.description)
    }
}
