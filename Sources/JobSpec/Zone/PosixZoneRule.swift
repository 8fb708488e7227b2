/// The POSIX `TZ` rule at the end of a TZif file (`EST5EDT,M3.2.0,M11.1.0`), which gives the offsets
/// after the file's last transition.
struct PosixZoneRule: Sendable, Hashable {
    /// A day of the year on which a change happens.
    enum Day: Sendable, Hashable {
        /// `Jn`: day 1…365, never counting February 29.
        case julianNoLeap(Int)
        /// `n`: day 0…365, counting February 29.
        case zeroBased(Int)
        /// `Mm.w.d`: weekday `d` (0 = Sunday) of week `w` (5 = last) of month `m`.
        case monthWeekDay(month: Int, week: Int, weekday: Int)
    }

    struct Change: Sendable, Hashable {
        var day: Day
        /// Seconds after local midnight, in the offset in force before the change; may be negative or past 24 h.
        var time: Int64
    }

    /// The standard offset, seconds east of UTC.
    var standardOffset: Int32
    /// The daylight saving offset and the changes into and out of it, when the zone has DST.
    var dst: (offset: Int32, start: Change, end: Change)?

    static func == (lhs: PosixZoneRule, rhs: PosixZoneRule) -> Bool {
        lhs.standardOffset == rhs.standardOffset && lhs.dst?.offset == rhs.dst?.offset
            && lhs.dst?.start == rhs.dst?.start && lhs.dst?.end == rhs.dst?.end
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(standardOffset)
        hasher.combine(dst?.offset)
    }

    /// Parses a POSIX TZ string; nil when it is not one.
    init?(_ text: String) {
        var scanner = RuleScanner(Array(text.utf8))
        guard scanner.name(), let std = scanner.offset() else { return nil }
        standardOffset = -std
        if scanner.atEnd {
            dst = nil
            return
        }
        guard scanner.name() else { return nil }
        var dstOffset = standardOffset + 3600
        if !scanner.atEnd && scanner.peek != UInt8(ascii: ",") {
            guard let o = scanner.offset() else { return nil }
            dstOffset = -o
        }
        let start: Change
        let end: Change
        if scanner.atEnd {
            start = Change(day: .monthWeekDay(month: 3, week: 2, weekday: 0), time: 7200)
            end = Change(day: .monthWeekDay(month: 11, week: 1, weekday: 0), time: 7200)
        } else {
            guard scanner.eat(","), let s = scanner.change(), scanner.eat(","), let e = scanner.change(), scanner.atEnd else { return nil }
            start = s
            end = e
        }
        dst = (dstOffset, start, end)
    }

    /// The two changes of `year`, in UTC seconds, each with the offset in force after it, in time order.
    func transitions(year: Int64) -> [(time: Int64, offset: Int32)] {
        guard let dst else { return [] }
        let into = (time: Self.midnight(of: dst.start.day, year: year) * Civil.secondsPerDay + dst.start.time - Int64(standardOffset), offset: dst.offset)
        let out = (time: Self.midnight(of: dst.end.day, year: year) * Civil.secondsPerDay + dst.end.time - Int64(dst.offset), offset: standardOffset)
        return into.time <= out.time ? [into, out] : [out, into]
    }

    /// The day number of `day` in `year`.
    static func midnight(of day: Day, year: Int64) -> Int64 {
        let jan1 = Civil.days(year: year, month: 1, day: 1)
        switch day {
        case .julianNoLeap(let n):
            let leapShift: Int64 = Civil.isLeap(year) && n >= 60 ? 1 : 0
            return jan1 + Int64(n - 1) + leapShift
        case .zeroBased(let n):
            return jan1 + Int64(n)
        case .monthWeekDay(let month, let week, let weekday):
            let first = Civil.days(year: year, month: month, day: 1)
            var day = 1 + (weekday - Civil.weekday(days: first) + 7) % 7 + (week - 1) * 7
            let length = Civil.daysInMonth(year: year, month: month)
            while day > length { day -= 7 }
            return first + Int64(day - 1)
        }
    }
}

/// Scanner over the bytes of a POSIX TZ string.
private struct RuleScanner {
    let bytes: [UInt8]
    var i = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { i >= bytes.count }
    var peek: UInt8? { atEnd ? nil : bytes[i] }

    mutating func eat(_ c: Character) -> Bool {
        guard let p = peek, p == c.asciiValue! else { return false }
        i += 1
        return true
    }

    /// A zone abbreviation: three or more letters, or anything in angle brackets.
    mutating func name() -> Bool {
        if eat("<") {
            while let p = peek, p != UInt8(ascii: ">") { i += 1 }
            return eat(">")
        }
        let start = i
        while let p = peek, (p >= 65 && p <= 90) || (p >= 97 && p <= 122) { i += 1 }
        return i - start >= 3
    }

    mutating func number() -> Int64? {
        let start = i
        var value: Int64 = 0
        while let p = peek, p >= 48 && p <= 57 {
            value = value * 10 + Int64(p - 48)
            i += 1
        }
        return i > start ? value : nil
    }

    /// `[+-]hh[:mm[:ss]]`, in seconds.
    mutating func hms() -> Int64? {
        var sign: Int64 = 1
        if eat("-") { sign = -1 } else { _ = eat("+") }
        guard let h = number() else { return nil }
        var seconds = h * 3600
        if eat(":") {
            guard let m = number() else { return nil }
            seconds += m * 60
            if eat(":") {
                guard let s = number() else { return nil }
                seconds += s
            }
        }
        return sign * seconds
    }

    /// A POSIX offset (positive west of Greenwich), in seconds.
    mutating func offset() -> Int32? {
        hms().map { Int32($0) }
    }

    mutating func change() -> PosixZoneRule.Change? {
        let day: PosixZoneRule.Day
        if eat("M") {
            guard let m = number(), eat("."), let w = number(), eat("."), let d = number(),
                  (1...12).contains(m), (1...5).contains(w), (0...6).contains(d) else { return nil }
            day = .monthWeekDay(month: Int(m), week: Int(w), weekday: Int(d))
        } else if eat("J") {
            guard let n = number(), (1...365).contains(n) else { return nil }
            day = .julianNoLeap(Int(n))
        } else {
            guard let n = number(), (0...365).contains(n) else { return nil }
            day = .zeroBased(Int(n))
        }
        var time: Int64 = 7200
        if eat("/") {
            guard let t = hms() else { return nil }
            time = t
        }
        return PosixZoneRule.Change(day: day, time: time)
    }
}
