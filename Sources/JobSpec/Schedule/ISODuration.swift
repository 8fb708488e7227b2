/// An ISO 8601 duration, `PnYnMnDTnHnMnS` or `PnW`, with an optional fraction on its last part.
///
/// It has a calendar part (years, months, days, counted on the wall clock of a zone) and an exact part
/// (hours, minutes, seconds, counted as elapsed time). So `P1D` keeps 02:00 local across a DST change,
/// while `PT24H` moves by an hour.
public struct ISODuration: Hashable, Sendable, CustomStringConvertible {
    public var years: Int = 0
    public var months: Int = 0
    /// Days, including seven for each week.
    public var days: Int = 0
    /// Hours, minutes, seconds and any fraction of a day or week, in milliseconds.
    public var exactMillis: Int64 = 0
    /// The text it was parsed from.
    public var text: String

    /// True when there is a years, months or days part.
    public var hasCalendarPart: Bool { years != 0 || months != 0 || days != 0 }
    public var isZero: Bool { !hasCalendarPart && exactMillis == 0 }
    public var description: String { text }

    /// The longest duration accepted: 1000 years.
    static let maxMillis = 1000 * 365.25 * 86_400_000

    /// A rough length in milliseconds (a month as 30.44 days), for estimates only.
    var approximateMillis: Double {
        (Double(years) * 365.2425 + Double(months) * 30.436875 + Double(days)) * 86_400_000 + Double(exactMillis)
    }

    /// Milliseconds, for a duration without a calendar part; nil otherwise.
    public var fixedMillis: Int64? {
        years == 0 && months == 0 ? Int64(days) * Civil.millisPerDay + exactMillis : nil
    }

    /// Parses `text`; errors carry the offset of the problem plus `base`.
    public static func parse(_ text: some StringProtocol, base: Int = 0) throws(ScheduleError) -> ISODuration {
        var scanner = ExpressionScanner(text, base: base)
        var duration = ISODuration(text: String(text))
        guard scanner.eat("P") else {
            throw scanner.error("a duration starts with \"P\", as in \"PT1H\", \"P1D\" or \"P1W\"")
        }
        let dateUnits: [(Character, String)] = [("Y", "years"), ("M", "months"), ("W", "weeks"), ("D", "days")]
        let timeUnits: [(Character, String)] = [("H", "hours"), ("M", "minutes"), ("S", "seconds")]
        var inTime = false
        var units = dateUnits
        var nextUnit = 0
        var sawComponent = false
        var sawFraction = false
        while !scanner.atEnd {
            if scanner.peekIs("T") {
                if inTime { throw scanner.error("\"T\" appears twice in the duration") }
                inTime = true
                scanner.position += 1
                units = timeUnits
                nextUnit = 0
                guard !scanner.atEnd else { throw scanner.error("\"T\" must be followed by hours, minutes or seconds, as in \"PT30M\"") }
                continue
            }
            if sawFraction {
                throw scanner.error("only the last part of a duration can have a fraction")
            }
            let numberStart = scanner.position
            guard let whole = scanner.digitRun() else {
                throw scanner.error("expected a number in the duration \"\(text)\"")
            }
            var fraction: Substring?
            if scanner.eat(".") || scanner.eat(",") {
                guard let f = scanner.digitRun() else { throw scanner.error("expected digits after the decimal separator") }
                fraction = f
                sawFraction = true
            }
            guard let unitByte = scanner.peek else {
                throw scanner.error("the number \(whole) needs a unit (\(units.map { String($0.0) }.joined(separator: ", ")))")
            }
            let unit = Character(UnicodeScalar(unitByte))
            guard let index = units.firstIndex(where: { $0.0 == unit }) else {
                let hint = !inTime && (unit == "H" || unit == "S") ? "; hours, minutes and seconds come after \"T\", as in \"PT\(whole)\(unit)\"" : ""
                throw scanner.error("\"\(unit)\" is not a duration unit here\(hint)")
            }
            guard index >= nextUnit else {
                throw scanner.error("duration parts must come in the order \(units.map { String($0.0) }.joined())")
            }
            nextUnit = index + 1
            guard whole.count <= 9, let value = Int(whole) else {
                throw scanner.error("the number \(whole) is too large", at: numberStart)
            }
            let fractionValue = fraction.map { Double("0." + $0)! } ?? 0
            switch (inTime, unit) {
            case (false, "Y"), (false, "M"):
                if fraction != nil {
                    throw scanner.error("a fraction of a \(unit == "Y" ? "year" : "month") has no fixed length; use a smaller unit, as in \"P1M15D\"", at: numberStart)
                }
                if unit == "Y" { duration.years = value } else { duration.months = value }
            case (false, "W"):
                duration.days += value * 7
                duration.exactMillis += Int64((fractionValue * 7 * 86_400_000).rounded())
            case (false, "D"):
                duration.days += value
                duration.exactMillis += Int64((fractionValue * 86_400_000).rounded())
            case (true, "H"):
                duration.exactMillis += Int64(value) * 3_600_000 + Int64((fractionValue * 3_600_000).rounded())
            case (true, "M"):
                duration.exactMillis += Int64(value) * 60_000 + Int64((fractionValue * 60_000).rounded())
            default:
                duration.exactMillis += Int64(value) * 1000 + Int64((fractionValue * 1000).rounded())
            }
            scanner.position += 1
            sawComponent = true
        }
        guard sawComponent else {
            throw scanner.error("the duration \"\(text)\" has no parts; write one such as \"PT1H\" or \"P1D\"")
        }
        guard duration.approximateMillis <= maxMillis else {
            throw ScheduleError("the duration \"\(text)\" is longer than 1000 years", at: base)
        }
        return duration
    }
}
