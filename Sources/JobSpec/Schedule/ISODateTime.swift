/// The start of an ISO 8601 repeating interval: a wall-clock date and time, with the offset it was
/// written with, if any.
///
/// Accepted: extended (`2026-03-08T02:30:00.5+05:30`) and basic (`20260308T023000Z`) forms; a time
/// to the hour, minute or second with a fraction on the seconds (`.` or `,`); a date alone (midnight);
/// `Z`, `±hh:mm`, `±hhmm`, `±hh`, or no offset.
public struct ISODateTime: Hashable, Sendable, CustomStringConvertible {
    public var local: LocalDateTime
    /// Seconds east of UTC, or nil when none was written.
    public var offsetSeconds: Int32?

    public var description: String {
        local.description + (offsetSeconds.map { Zone.formatOffset($0, utcAsZ: true) } ?? "")
    }

    /// Parses `text`; errors carry the offset of the problem plus `base`.
    public static func parse(_ text: some StringProtocol, base: Int = 0) throws(ScheduleError) -> ISODateTime {
        var s = ExpressionScanner(text, base: base)
        guard let year = s.digits(4) else {
            throw s.error("expected a four-digit year at the start of \"\(text)\", as in 2026-03-08T02:00:00Z")
        }
        let extended = s.eat("-")
        let monthAt = s.position
        guard let month = s.digits(2) else { throw s.error("expected a two-digit month") }
        guard (1...12).contains(month) else { throw s.error("month \(month) is not between 01 and 12", at: monthAt) }
        if extended && !s.eat("-") { throw s.error("expected \"-\" between month and day") }
        let dayAt = s.position
        guard let day = s.digits(2) else { throw s.error("expected a two-digit day") }
        let length = Civil.daysInMonth(year: Int64(year), month: month)
        guard day >= 1 && day <= length else {
            throw s.error("day \(day) does not exist in \(pad(year, 4))-\(pad(month, 2)), which has \(length) days", at: dayAt)
        }
        var local = LocalDateTime(year: year, month: month, day: day)
        if s.eat("T") {
            let hourAt = s.position
            guard let hour = s.digits(2) else { throw s.error("expected a two-digit hour after \"T\"") }
            guard hour <= 23 else { throw s.error("hour \(hour) is not between 00 and 23", at: hourAt) }
            local.hour = hour
            if extended ? s.eat(":") : s.peekIsDigit {
                let minuteAt = s.position
                guard let minute = s.digits(2) else { throw s.error("expected a two-digit minute") }
                guard minute <= 59 else { throw s.error("minute \(minute) is not between 00 and 59", at: minuteAt) }
                local.minute = minute
                if extended ? s.eat(":") : s.peekIsDigit {
                    let secondAt = s.position
                    guard let second = s.digits(2) else { throw s.error("expected two-digit seconds") }
                    guard second <= 59 else { throw s.error("second \(second) is not between 00 and 59", at: secondAt) }
                    local.second = second
                    if s.eat(".") || s.eat(",") {
                        guard let fraction = s.digitRun() else { throw s.error("expected digits after the decimal separator") }
                        local.millisecond = Int((Double("0." + fraction)! * 1000).rounded(.down))
                    }
                }
            }
        } else if !s.atEnd {
            throw s.error("expected \"T\" between the date and the time")
        }
        var offset: Int32?
        if s.eat("Z") {
            offset = 0
        } else if s.peekIs("+") || s.peekIs("-") {
            let offsetAt = s.position
            let sign: Int32 = s.eat("-") ? -1 : { _ = s.eat("+"); return 1 }()
            guard let hours = s.digits(2) else { throw s.error("expected a UTC offset such as +05:30 or -04:00", at: offsetAt) }
            var minutes = 0
            if !s.atEnd {
                _ = s.eat(":")
                guard let m = s.digits(2) else { throw s.error("expected offset minutes, as in +05:30", at: offsetAt) }
                minutes = m
            }
            guard hours <= 18 && minutes <= 59 else { throw s.error("the UTC offset is out of range", at: offsetAt) }
            offset = sign * Int32(hours * 3600 + minutes * 60)
        }
        guard s.atEnd else {
            throw s.error("unexpected \"\(String(decoding: s.bytes[s.position...], as: UTF8.self))\" after the date and time")
        }
        guard year >= 1970 else { throw s.error("the start must not be before 1970", at: 0) }
        return ISODateTime(local: local, offsetSeconds: offset)
    }
}
