/// A wall-clock date and time with no zone: what a clock on the wall in some zone reads.
public struct LocalDateTime: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int
    public var millisecond: Int

    /// Creates a wall-clock time; fields are taken as given (the parser checks their ranges).
    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, millisecond: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.millisecond = millisecond
    }

    /// The wall-clock time `millis` milliseconds after local midnight of 1970-01-01.
    public init(localMillis millis: Int64) {
        let days = Civil.floorDiv(millis, Civil.millisPerDay)
        let rest = millis - days * Civil.millisPerDay
        let date = Civil.date(days: days)
        self.init(
            year: Int(date.year), month: date.month, day: date.day,
            hour: Int(rest / 3_600_000), minute: Int(rest / 60_000 % 60),
            second: Int(rest / 1000 % 60), millisecond: Int(rest % 1000)
        )
    }

    /// Milliseconds after local midnight of 1970-01-01, as if the wall clock were UTC.
    public var localMillis: Int64 {
        let days = Civil.days(year: Int64(year), month: month, day: day)
        return days * Civil.millisPerDay + Int64(hour) * 3_600_000 + Int64(minute) * 60_000
            + Int64(second) * 1000 + Int64(millisecond)
    }

    public static func < (lhs: LocalDateTime, rhs: LocalDateTime) -> Bool {
        lhs.localMillis < rhs.localMillis
    }

    /// `2026-03-08T02:30:00`, with `.250` when there are milliseconds.
    public var description: String {
        var text = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))"
        if millisecond != 0 { text += ".\(pad(millisecond, 3))" }
        return text
    }
}

@inline(__always)
func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(abs(value))
    let padded = digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    return value < 0 ? "-" + padded : padded
}
