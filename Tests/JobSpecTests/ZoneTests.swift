import Testing
@testable import JobSpec

/// `Zone`: offsets from the IANA database (explicit transitions and the POSIX rule past 2037), resolving
/// wall-clock times through gaps and overlaps, and ISO 8601 formatting of instants.
@Suite struct ZoneTests {
    struct OffsetCase: Sendable, CustomTestStringConvertible {
        let zone: String
        let utc: String
        let offset: Int32
        var testDescription: String { "\(zone) at \(utc)" }
        init(_ zone: String, _ utc: String, _ offset: Int32) {
            self.zone = zone
            self.utc = utc
            self.offset = offset
        }
    }

    // From Python: ZoneInfo(zone).utcoffset at each instant, one second either side of each change.
    static let offsets: [OffsetCase] = [
        OffsetCase("America/New_York", "2026-03-08T06:59:59Z", -18_000),
        OffsetCase("America/New_York", "2026-03-08T07:00:00Z", -14_400),
        OffsetCase("America/New_York", "2026-11-01T05:59:59Z", -14_400),
        OffsetCase("America/New_York", "2026-11-01T06:00:00Z", -18_000),
        OffsetCase("Europe/London", "2026-03-29T00:59:59Z", 0),
        OffsetCase("Europe/London", "2026-03-29T01:00:00Z", 3600),
        OffsetCase("Europe/London", "2026-10-25T00:59:59Z", 3600),
        OffsetCase("Europe/London", "2026-10-25T01:00:00Z", 0),
        OffsetCase("Australia/Lord_Howe", "2026-04-04T14:59:59Z", 39_600),
        OffsetCase("Australia/Lord_Howe", "2026-04-04T15:00:00Z", 37_800),
        OffsetCase("Australia/Lord_Howe", "2026-10-03T15:29:59Z", 37_800),
        OffsetCase("Australia/Lord_Howe", "2026-10-03T15:30:00Z", 39_600),
        OffsetCase("Asia/Kolkata", "2026-01-01T00:00:00Z", 19_800),
        OffsetCase("Asia/Kolkata", "2026-07-01T00:00:00Z", 19_800),
        OffsetCase("Asia/Tokyo", "2026-07-01T00:00:00Z", 32_400),
        OffsetCase("UTC", "2026-07-01T00:00:00Z", 0),
        // History.
        OffsetCase("America/New_York", "1970-01-01T00:00:00Z", -18_000),
        OffsetCase("America/New_York", "1974-02-01T00:00:00Z", -14_400),
        // Past the explicit transitions: the POSIX rule.
        OffsetCase("America/New_York", "2040-03-11T06:59:59Z", -18_000),
        OffsetCase("America/New_York", "2040-03-11T07:00:00Z", -14_400),
        OffsetCase("America/New_York", "2040-11-04T05:59:59Z", -14_400),
        OffsetCase("America/New_York", "2040-11-04T06:00:00Z", -18_000),
        OffsetCase("America/New_York", "2100-01-15T00:00:00Z", -18_000),
        OffsetCase("America/New_York", "2100-07-15T00:00:00Z", -14_400),
        OffsetCase("Europe/London", "2045-01-15T00:00:00Z", 0),
        OffsetCase("Europe/London", "2045-07-15T00:00:00Z", 3600),
        OffsetCase("Australia/Lord_Howe", "2038-01-19T03:14:08Z", 39_600),
        OffsetCase("Australia/Lord_Howe", "2038-04-03T14:59:59Z", 39_600),
        OffsetCase("Australia/Lord_Howe", "2038-04-03T15:00:00Z", 37_800),
        OffsetCase("Australia/Lord_Howe", "2040-01-15T00:00:00Z", 39_600),
        OffsetCase("Australia/Lord_Howe", "2040-07-15T00:00:00Z", 37_800),
        // Negative DST in the rule (IST in summer, GMT in winter).
        OffsetCase("Europe/Dublin", "2026-01-15T00:00:00Z", 0),
        OffsetCase("Europe/Dublin", "2026-07-15T00:00:00Z", 3600),
        OffsetCase("Europe/Dublin", "2045-01-15T00:00:00Z", 0),
        OffsetCase("Europe/Dublin", "2045-07-15T00:00:00Z", 3600),
        // Zones east of UTC with DST, half-hour and 45-minute offsets, and rules with unusual change times
        // (Nuuk "/-1", Jerusalem "M3.4.4/26", Santiago "/24"); 2045 is past the explicit transitions.
        OffsetCase("Pacific/Auckland", "2026-04-04T13:59:59Z", 46_800),
        OffsetCase("Pacific/Auckland", "2026-04-04T14:00:00Z", 43_200),
        OffsetCase("Pacific/Auckland", "2026-09-26T13:59:59Z", 43_200),
        OffsetCase("Pacific/Auckland", "2026-09-26T14:00:00Z", 46_800),
        OffsetCase("Pacific/Auckland", "2045-04-01T13:59:59Z", 46_800),
        OffsetCase("Pacific/Auckland", "2045-04-01T14:00:00Z", 43_200),
        OffsetCase("America/St_Johns", "2026-03-08T05:29:59Z", -12_600),
        OffsetCase("America/St_Johns", "2026-03-08T05:30:00Z", -9000),
        OffsetCase("America/St_Johns", "2045-11-05T04:29:59Z", -9000),
        OffsetCase("America/St_Johns", "2045-11-05T04:30:00Z", -12_600),
        OffsetCase("Pacific/Chatham", "2045-09-23T13:59:59Z", 45_900),
        OffsetCase("Pacific/Chatham", "2045-09-23T14:00:00Z", 49_500),
        OffsetCase("America/Nuuk", "2045-03-26T00:59:59Z", -7200),
        OffsetCase("America/Nuuk", "2045-03-26T01:00:00Z", -3600),
        OffsetCase("America/Nuuk", "2045-10-29T00:59:59Z", -3600),
        OffsetCase("America/Nuuk", "2045-10-29T01:00:00Z", -7200),
        OffsetCase("Asia/Jerusalem", "2045-03-23T23:59:59Z", 7200),
        OffsetCase("Asia/Jerusalem", "2045-03-24T00:00:00Z", 10_800),
        OffsetCase("Asia/Jerusalem", "2045-10-28T22:59:59Z", 10_800),
        OffsetCase("Asia/Jerusalem", "2045-10-28T23:00:00Z", 7200),
        OffsetCase("America/Santiago", "2045-04-02T02:59:59Z", -10_800),
        OffsetCase("America/Santiago", "2045-04-02T03:00:00Z", -14_400),
        OffsetCase("America/Santiago", "2045-09-03T03:59:59Z", -14_400),
        OffsetCase("America/Santiago", "2045-09-03T04:00:00Z", -10_800),
    ]

    @Test(arguments: offsets)
    func offsetAt(_ c: OffsetCase) throws {
        let zone = try Zone.named(c.zone)
        #expect(zone.offset(atUTCSeconds: epochMillis(c.utc) / 1000) == c.offset)
    }

    struct ResolveCase: Sendable, CustomTestStringConvertible {
        let zone: String
        let wall: String
        let utc: String
        var testDescription: String { "\(wall) in \(zone)" }
        init(_ zone: String, _ wall: String, _ utc: String) {
            self.zone = zone
            self.wall = wall
            self.utc = utc
        }
    }

    // From Python: datetime(wall, tzinfo=ZoneInfo(zone), fold=0) in UTC — a time in a gap moves forward by
    // the gap, a repeated time resolves to its first pass.
    static let resolutions: [ResolveCase] = [
        ResolveCase("America/New_York", "2026-03-08T01:59:59", "2026-03-08T06:59:59Z"),
        ResolveCase("America/New_York", "2026-03-08T02:00:00", "2026-03-08T07:00:00Z"),
        ResolveCase("America/New_York", "2026-03-08T02:30:00", "2026-03-08T07:30:00Z"),
        ResolveCase("America/New_York", "2026-03-08T03:00:00", "2026-03-08T07:00:00Z"),
        ResolveCase("America/New_York", "2026-11-01T00:59:59", "2026-11-01T04:59:59Z"),
        ResolveCase("America/New_York", "2026-11-01T01:00:00", "2026-11-01T05:00:00Z"),
        ResolveCase("America/New_York", "2026-11-01T01:59:59", "2026-11-01T05:59:59Z"),
        ResolveCase("America/New_York", "2026-11-01T02:00:00", "2026-11-01T07:00:00Z"),
        ResolveCase("America/New_York", "2026-07-04T12:00:00", "2026-07-04T16:00:00Z"),
        ResolveCase("Europe/London", "2026-03-29T01:30:00", "2026-03-29T01:30:00Z"),
        ResolveCase("Europe/London", "2026-10-25T01:30:00", "2026-10-25T00:30:00Z"),
        ResolveCase("Europe/London", "2026-10-25T02:00:00", "2026-10-25T02:00:00Z"),
        ResolveCase("Australia/Lord_Howe", "2026-04-05T01:29:59", "2026-04-04T14:29:59Z"),
        ResolveCase("Australia/Lord_Howe", "2026-04-05T01:30:00", "2026-04-04T14:30:00Z"),
        ResolveCase("Australia/Lord_Howe", "2026-04-05T01:59:00", "2026-04-04T14:59:00Z"),
        ResolveCase("Australia/Lord_Howe", "2026-04-05T02:00:00", "2026-04-04T15:30:00Z"),
        ResolveCase("Australia/Lord_Howe", "2026-10-04T01:59:00", "2026-10-03T15:29:00Z"),
        ResolveCase("Australia/Lord_Howe", "2026-10-04T02:00:00", "2026-10-03T15:30:00Z"),
        ResolveCase("Australia/Lord_Howe", "2026-10-04T02:15:00", "2026-10-03T15:45:00Z"),
        ResolveCase("Australia/Lord_Howe", "2026-10-04T02:30:00", "2026-10-03T15:30:00Z"),
        ResolveCase("Asia/Kolkata", "2026-03-08T02:30:00", "2026-03-07T21:00:00Z"),
        ResolveCase("America/New_York", "2040-03-11T02:30:00", "2040-03-11T07:30:00Z"),
        ResolveCase("America/New_York", "2040-11-04T01:30:00", "2040-11-04T05:30:00Z"),
        ResolveCase("Australia/Lord_Howe", "2038-04-04T01:45:00", "2038-04-03T14:45:00Z"),
        ResolveCase("Australia/Lord_Howe", "2040-10-07T02:10:00", "2040-10-06T15:40:00Z"),
        ResolveCase("Europe/Dublin", "2026-03-29T01:30:00", "2026-03-29T01:30:00Z"),
        ResolveCase("Europe/Dublin", "2026-10-25T01:30:00", "2026-10-25T00:30:00Z"),
        ResolveCase("Pacific/Auckland", "2026-04-05T02:30:00", "2026-04-04T13:30:00Z"),
        ResolveCase("Pacific/Auckland", "2026-09-27T02:30:00", "2026-09-26T14:30:00Z"),
        ResolveCase("America/St_Johns", "2026-03-08T02:30:00", "2026-03-08T06:00:00Z"),
        ResolveCase("America/St_Johns", "2026-11-01T01:30:00", "2026-11-01T04:00:00Z"),
        ResolveCase("Pacific/Chatham", "2045-09-24T02:50:00", "2045-09-23T14:05:00Z"),
        ResolveCase("America/Santiago", "2045-09-03T00:30:00", "2045-09-03T04:30:00Z"),
        ResolveCase("America/Santiago", "2045-04-01T23:30:00", "2045-04-02T02:30:00Z"),
        ResolveCase("Asia/Jerusalem", "2045-03-24T02:30:00", "2045-03-24T00:30:00Z"),
        ResolveCase("America/Nuuk", "2045-03-25T23:30:00", "2045-03-26T01:30:00Z"),
        ResolveCase("America/Nuuk", "2045-10-28T23:30:00", "2045-10-29T00:30:00Z"),
    ]

    @Test(arguments: resolutions)
    func resolve(_ c: ResolveCase) throws {
        let zone = try Zone.named(c.zone)
        #expect(zone.resolve(localMillis: epochMillis(c.wall)) == epochMillis(c.utc))
    }

    @Test func resolveKeepsMilliseconds() throws {
        let zone = try Zone.named("America/New_York")
        #expect(zone.resolve(localMillis: epochMillis("2026-03-08T02:30:00.250")) == epochMillis("2026-03-08T07:30:00.250Z"))
        #expect(zone.resolve(localMillis: epochMillis("2026-11-01T01:30:00.999")) == epochMillis("2026-11-01T05:30:00.999Z"))
    }

    struct FormatCase: Sendable, CustomTestStringConvertible {
        let millis: Int64
        let zone: String
        let text: String
        var testDescription: String { "\(millis) in \(zone)" }
        init(_ millis: Int64, _ zone: String, _ text: String) {
            self.millis = millis
            self.zone = zone
            self.text = text
        }
    }

    // Epoch milliseconds and texts from Python (zoneinfo). Zones named "+hh:mm…" are Zone.fixed.
    static let formats: [FormatCase] = [
        FormatCase(0, "UTC", "1970-01-01T00:00:00Z"),
        FormatCase(-1, "UTC", "1969-12-31T23:59:59.999Z"),
        FormatCase(1_772_937_000_250, "UTC", "2026-03-08T02:30:00.250Z"),
        FormatCase(1_772_937_000_250, "America/New_York", "2026-03-07T21:30:00.250-05:00"),
        FormatCase(1_772_937_000_250, "Europe/London", "2026-03-08T02:30:00.250+00:00"),
        FormatCase(1_772_937_000_250, "Asia/Kathmandu", "2026-03-08T08:15:00.250+05:45"),
        FormatCase(1_772_953_199_999, "America/New_York", "2026-03-08T01:59:59.999-05:00"),
        FormatCase(1_772_953_200_000, "America/New_York", "2026-03-08T03:00:00-04:00"),
        FormatCase(1_772_953_200_000, "Australia/Lord_Howe", "2026-03-08T18:00:00+11:00"),
        FormatCase(1_793_511_000_000, "America/New_York", "2026-11-01T01:30:00-04:00"),
        FormatCase(1_793_514_600_000, "America/New_York", "2026-11-01T01:30:00-05:00"),
        FormatCase(-2_840_140_800_000, "America/New_York", "1879-12-31T19:03:58-04:56:02"),
        FormatCase(1_768_478_400_000, "+05:30", "2026-01-15T17:30:00+05:30"),
        FormatCase(1_768_478_400_000, "-04:00", "2026-01-15T08:00:00-04:00"),
        FormatCase(1_768_478_400_000, "-04:56:02", "2026-01-15T07:03:58-04:56:02"),
        FormatCase(1_768_478_400_000, "+00:00", "2026-01-15T12:00:00Z"),
    ]

    static func fixedOffset(_ text: String) -> Int32 {
        let sign: Int32 = text.hasPrefix("-") ? -1 : 1
        let parts = text.dropFirst().split(separator: ":").map { Int32($0)! }
        return sign * (parts[0] * 3600 + parts[1] * 60 + (parts.count > 2 ? parts[2] : 0))
    }

    @Test(arguments: formats)
    func format(_ c: FormatCase) throws {
        let zone = c.zone.hasPrefix("+") || c.zone.hasPrefix("-") ? Zone.fixed(offsetSeconds: Self.fixedOffset(c.zone)) : try Zone.named(c.zone)
        #expect(Instant(millis: c.millis).format(in: zone) == c.text)
    }

    @Test func descriptionIsUTC() {
        #expect(Instant(millis: 1_772_953_200_000).description == "2026-03-08T07:00:00Z")
    }

    @Test func utcAndFixedZones() throws {
        #expect(Zone.utc.isUTC)
        #expect(try Zone.named("UTC") === Zone.utc)
        #expect(Zone.fixed(offsetSeconds: 0) === Zone.utc)
        #expect(Zone.fixed(offsetSeconds: 19_800).identifier == "+05:30")
        #expect(Zone.fixed(offsetSeconds: -14_400).identifier == "-04:00")
        #expect(!Zone.fixed(offsetSeconds: 19_800).isUTC)
        #expect(Zone.fixed(offsetSeconds: 19_800).offset(atUTCSeconds: 1_800_000_000) == 19_800)
        #expect(try Zone.named("Etc/UTC").offset(atUTCSeconds: 1_800_000_000) == 0)
        #expect(Zone.fixed(offsetSeconds: 19_800) == Zone.fixed(offsetSeconds: 19_800))
        #expect(try Zone.named("America/New_York").identifier == "America/New_York")
        #expect(try Zone.named("America/New_York") == Zone.named("America/New_York"))
        #expect(try Zone.named("Asia/Tokyo") != Zone.named("Asia/Seoul"))
    }

    @Test func unknownZones() {
        let typo = #expect(throws: ZoneError.self) { try Zone.named("America/New_Yrok") }
        #expect(typo?.message.contains("America/New_York") == true, "message: \(typo?.message ?? "none")")
        #expect(typo?.name == "America/New_Yrok")
        #expect(throws: ZoneError.self) { try Zone.named("") }
        #expect(throws: ZoneError.self) { try Zone.named("../../etc/passwd") }
        #expect(throws: ZoneError.self) { try Zone.named("/usr/share/zoneinfo/UTC") }
        #expect(throws: ZoneError.self) { try Zone.named("Mars/Olympus_Mons") }
    }
}
