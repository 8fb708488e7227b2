import Testing
@testable import JobSpec

/// `ISODuration.parse`: `PnYnMnDTnHnMnS` and `PnW`, a fraction on the last part, and errors with offsets.
@Suite struct ISODurationTests {
    struct Valid: Sendable, CustomTestStringConvertible {
        let text: String
        let years: Int
        let months: Int
        let days: Int
        let exactMillis: Int64
        var testDescription: String { text }
        init(_ text: String, y: Int = 0, m: Int = 0, d: Int = 0, exact: Int64 = 0) {
            self.text = text
            years = y
            months = m
            days = d
            exactMillis = exact
        }
    }

    // Expected values worked out by hand: 1 h = 3_600_000 ms, 1 min = 60_000 ms, 1 day = 86_400_000 ms.
    static let valid: [Valid] = [
        Valid("P1D", d: 1),
        Valid("PT24H", exact: 86_400_000),
        Valid("P1W", d: 7),
        Valid("P2W", d: 14),
        Valid("P1Y", y: 1),
        Valid("P1M", m: 1),
        Valid("PT1M", exact: 60_000),
        Valid("P1Y2M3DT4H5M6S", y: 1, m: 2, d: 3, exact: 14_706_000),
        Valid("P1DT12H", d: 1, exact: 43_200_000),
        Valid("P1M1D", m: 1, d: 1),
        Valid("PT0.5S", exact: 500),
        Valid("PT0,5S", exact: 500),
        Valid("PT1.5H", exact: 5_400_000),
        Valid("PT1,5H", exact: 5_400_000),
        Valid("PT1M30.25S", exact: 90_250),
        Valid("PT0.001S", exact: 1),
        Valid("PT2.5M", exact: 150_000),
        Valid("P1.5D", d: 1, exact: 43_200_000),
        Valid("P0.5W", exact: 302_400_000),
        Valid("PT36H", exact: 129_600_000),
        Valid("PT90M", exact: 5_400_000),
        Valid("PT3600S", exact: 3_600_000),
        Valid("P0D"),
        Valid("PT0S"),
        Valid("P10Y", y: 10),
        Valid("P18M", m: 18),
        Valid("P400D", d: 400),
    ]

    @Test(arguments: valid)
    func parsesParts(_ c: Valid) throws {
        let duration = try ISODuration.parse(c.text)
        #expect(duration.years == c.years)
        #expect(duration.months == c.months)
        #expect(duration.days == c.days)
        #expect(duration.exactMillis == c.exactMillis)
        #expect(duration.text == c.text)
        #expect(duration.description == c.text)
    }

    @Test func calendarAndFixedParts() throws {
        #expect(try ISODuration.parse("P1D").hasCalendarPart)
        #expect(try ISODuration.parse("P1W").hasCalendarPart)
        #expect(try ISODuration.parse("P1M").hasCalendarPart)
        #expect(try !ISODuration.parse("PT24H").hasCalendarPart)
        #expect(try ISODuration.parse("P1D").fixedMillis == 86_400_000)
        #expect(try ISODuration.parse("P1DT1H").fixedMillis == 90_000_000)
        #expect(try ISODuration.parse("PT0.5S").fixedMillis == 500)
        #expect(try ISODuration.parse("P1M").fixedMillis == nil)
        #expect(try ISODuration.parse("P1Y").fixedMillis == nil)
        #expect(try ISODuration.parse("P0D").isZero)
        #expect(try ISODuration.parse("PT0S").isZero)
        #expect(try !ISODuration.parse("PT0.001S").isZero)
    }

    typealias Invalid = InvalidExpression

    // Offsets are 0-based character indexes, counted by hand.
    static let invalid: [Invalid] = [
        Invalid("1D", at: 0, "starts with \"P\""),
        Invalid("", at: 0, "starts with \"P\""),
        Invalid("p1d", at: 0, "starts with \"P\""),
        Invalid("P", at: 1, "has no parts"),
        Invalid("PT", at: 2, "must be followed by hours, minutes or seconds"),
        Invalid("P1DT", at: 4, "must be followed by hours, minutes or seconds"),
        Invalid("P1H", at: 2, "come after \"T\""),
        Invalid("P1S", at: 2, "come after \"T\""),
        Invalid("P1", at: 2, "needs a unit"),
        Invalid("PT5", at: 3, "needs a unit"),
        Invalid("P1X", at: 2, "not a duration unit"),
        Invalid("PT1D", at: 3, "not a duration unit"),
        Invalid("PT1W", at: 3, "not a duration unit"),
        Invalid("P1D1Y", at: 4, "order"),
        Invalid("P1D1D", at: 4, "order"),
        Invalid("PT1S1M", at: 5, "order"),
        Invalid("PT1H1H", at: 5, "order"),
        Invalid("P1.5M", at: 1, "fraction of a month"),
        Invalid("P0.5Y", at: 1, "fraction of a year"),
        Invalid("PT1.5H30M", at: 6, "only the last part"),
        Invalid("PTT1H", at: 2, "\"T\" appears twice"),
        Invalid("PT1HT1M", at: 4, "\"T\" appears twice"),
        Invalid("P1.D", at: 3, "expected digits after the decimal separator"),
        Invalid("PxD", at: 1, "expected a number"),
        Invalid("P-1D", at: 1, "expected a number"),
        Invalid("P1234567890D", at: 1, "too large"),
        Invalid("PT1H ", at: 4, "expected a number"),
    ]

    @Test(arguments: invalid)
    func rejectsWithOffset(_ c: Invalid) {
        let error = #expect(throws: ScheduleError.self) { try ISODuration.parse(c.text) }
        #expect(error?.offset == c.offset)
        #expect(error?.message.contains(c.phrase) == true, "message: \(error?.message ?? "none")")
    }

    @Test func baseShiftsOffsets() {
        let error = #expect(throws: ScheduleError.self) { try ISODuration.parse("PT1X", base: 24) }
        #expect(error?.offset == 27)
    }

    @Test func pinnedMessage() {
        let error = #expect(throws: ScheduleError.self) { try ISODuration.parse("P1H") }
        #expect(error?.message == "\"H\" is not a duration unit here; hours, minutes and seconds come after \"T\", as in \"PT1H\"")
    }
}
