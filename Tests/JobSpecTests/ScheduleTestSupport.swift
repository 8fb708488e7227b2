import Foundation
import Testing
@testable import JobSpec

// Helpers shared by the schedule tests. Instants are built here with Foundation's Gregorian calendar,
// not with the code under test, so that expected values stay independent of it.

private let gregorianUTC: Calendar = {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    return calendar
}()

/// Milliseconds since local 1970-01-01T00:00 of a wall-clock time `YYYY-MM-DDTHH:MM:SS[.mmm]`, read as
/// if the wall clock were UTC. Offsets (`Z`, `±HH:MM`) are subtracted when present.
func epochMillis(_ text: String) -> Int64 {
    let chars = Array(text)
    func number(_ from: Int, _ length: Int) -> Int { Int(String(chars[from..<(from + length)]))! }
    var components = DateComponents()
    components.year = number(0, 4)
    components.month = number(5, 2)
    components.day = number(8, 2)
    components.hour = number(11, 2)
    components.minute = number(14, 2)
    components.second = number(17, 2)
    var index = 19
    var millis: Int64 = 0
    if index < chars.count, chars[index] == "." {
        millis = Int64(number(index + 1, 3))
        index += 4
    }
    var offsetSeconds: Int64 = 0
    if index < chars.count, chars[index] == "+" || chars[index] == "-" {
        let sign: Int64 = chars[index] == "-" ? -1 : 1
        offsetSeconds = sign * Int64(number(index + 1, 2) * 3600 + number(index + 4, 2) * 60)
    }
    let date = gregorianUTC.date(from: components)!
    let seconds = Int64(date.timeIntervalSince1970.rounded())
    return (seconds - offsetSeconds) * 1000 + millis
}

/// The instant `2026-03-08T07:00:00Z`, `2026-03-08T03:00:00.250-04:00`, …
func instantAt(_ text: String) -> Instant {
    Instant(millis: epochMillis(text))
}

/// A zone from the IANA database, or nil for none.
func zoneNamed(_ name: String?) throws -> Zone? {
    guard let name else { return nil }
    return try Zone.named(name)
}

/// Every run of `schedule` strictly after `after` and before `before`, in order.
func scheduleRuns(of schedule: Schedule, after: Instant, before: Instant, firstApplied: Instant? = nil) -> [Instant] {
    var result: [Instant] = []
    var t = after
    while let next = schedule.next(after: t, firstApplied: firstApplied), next < before {
        result.append(next)
        t = next
    }
    return result
}

@Test func helperInstantMatchesKnownEpochValues() {
    // Values from Python: int(datetime.fromisoformat(s).timestamp() * 1000).
    #expect(epochMillis("1970-01-01T00:00:00Z") == 0)
    #expect(epochMillis("2026-03-08T02:30:00.250Z") == 1_772_937_000_250)
    #expect(epochMillis("2026-03-08T03:00:00-04:00") == 1_772_953_200_000)
    #expect(epochMillis("2026-11-01T01:30:00-05:00") == 1_793_514_600_000)
}

/// An expression that must be refused, with the 0-based offset of the problem and a phrase of the message.
struct InvalidExpression: Sendable, CustomTestStringConvertible {
    let text: String
    let offset: Int
    let phrase: String
    var testDescription: String { "\(text) → \(offset)" }

    init(_ text: String, at offset: Int, _ phrase: String) {
        self.text = text
        self.offset = offset
        self.phrase = phrase
    }
}
