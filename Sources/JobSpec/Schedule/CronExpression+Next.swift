extension CronExpression {
    /// True when the day (given as day number) matches the day-of-month, month and day-of-week fields.
    @inline(__always)
    func matchesDay(day: Int, weekdayOfDay: Int) -> Bool {
        let domMatch = daysOfMonth & (1 << UInt64(day)) != 0
        let dowMatch = daysOfWeek & (1 << UInt64(weekdayOfDay)) != 0
        if domStar || dowStar { return domMatch && dowMatch }
        return domMatch || dowMatch
    }

    @inline(__always)
    static func nextBit(_ mask: UInt64, from: Int) -> Int? {
        guard from < 64 else { return nil }
        let shifted = mask >> UInt64(from)
        return shifted == 0 ? nil : from + shifted.trailingZeroBitCount
    }

    /// The first wall-clock time (seconds since local 1970-01-01) at or after `from` and before `limit`
    /// that the expression matches.
    func nextLocalMatch(from: Int64, before limit: Int64) -> Int64? {
        var t = Civil.floorDiv(from + 59, 60) * 60
        while t < limit {
            let dayNumber = Civil.floorDiv(t, Civil.secondsPerDay)
            let date = Civil.date(days: dayNumber)
            let dayStart = dayNumber * Civil.secondsPerDay
            guard months & (1 << UInt64(date.month)) != 0 else {
                // Jump to the first day of the next month in the field.
                if let m = Self.nextBit(months, from: date.month + 1), m <= 12 {
                    t = Civil.days(year: date.year, month: m, day: 1) * Civil.secondsPerDay
                } else {
                    let m = Self.nextBit(months, from: 1)!
                    t = Civil.days(year: date.year + 1, month: m, day: 1) * Civil.secondsPerDay
                }
                continue
            }
            guard matchesDay(day: date.day, weekdayOfDay: Civil.weekday(days: dayNumber)) else {
                if dowStar && !domStar, let d = Self.nextBit(daysOfMonth, from: date.day + 1),
                   d <= Civil.daysInMonth(year: date.year, month: date.month) {
                    t = dayStart + Int64(d - date.day) * Civil.secondsPerDay
                } else {
                    t = dayStart + Civil.secondsPerDay
                }
                continue
            }
            let secondOfDay = Int(t - dayStart)
            let hour = secondOfDay / 3600
            guard let h = Self.nextBit(hours, from: hour), h < 24 else {
                t = dayStart + Civil.secondsPerDay
                continue
            }
            let minute = h == hour ? secondOfDay / 60 % 60 : 0
            guard let m = Self.nextBit(minutes, from: minute), m < 60 else {
                t = dayStart + Int64(h + 1) * 3600
                continue
            }
            let match = dayStart + Int64(h) * 3600 + Int64(m) * 60
            return match < limit ? match : nil
        }
        return nil
    }

    /// The first run strictly after `instant` in `zone`.
    ///
    /// Wall-clock times that a spring-forward skips run shifted forward by the gap; runs that then land
    /// on the same instant collapse into one. Times that a fall-back repeats run once, at the first
    /// pass, unless the hour field is `*`, in which case they run in both passes.
    public func next(after instant: Instant, in zone: Zone) -> Instant? {
        let afterSeconds = Civil.floorDiv(instant.millis, 1000)
        // Stop looking after 30 years: every accepted expression runs at least once in 8.
        let horizon = afterSeconds + 30 * 366 * Civil.secondsPerDay
        if zone.isFixed {
            let offset = Int64(zone.initialOffset)
            return nextLocalMatch(from: afterSeconds + offset + 1, before: horizon + offset).map { Instant(millis: ($0 - offset) * 1000) }
        }
        let t = afterSeconds
        var cursor = afterSeconds
        while cursor < horizon {
            let p = zone.period(containing: cursor)
            let offset = Int64(p.offset)
            let previous = Int64(p.previousOffset)
            var best: Int64?
            if let start = p.start, previous < offset {
                // Wall times in the gap before this period run shifted forward by the gap.
                if let w = nextLocalMatch(from: max(start + previous, t + previous + 1), before: start + offset) {
                    best = w - previous
                }
            }
            var low = t + offset + 1
            if let start = p.start {
                // After a fall-back, the repeated wall times already ran in the first pass.
                low = max(low, previous > offset && !everyHour ? start + previous : start + offset)
            }
            let high = p.end.map { $0 + offset } ?? horizon + offset
            if let w = nextLocalMatch(from: low, before: high) {
                best = min(best ?? .max, w - offset)
            }
            if let best { return Instant(millis: best * 1000) }
            guard let end = p.end else { return nil }
            cursor = end
        }
        return nil
    }
}
