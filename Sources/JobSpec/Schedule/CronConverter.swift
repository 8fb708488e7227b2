/// Turns a cron expression into equivalent ISO 8601 repeating intervals, when they exist.
///
/// A cron is equivalent to one schedule when its runs have a fixed period (`*/5 * * * *` → `PT5M`,
/// `0 2 * * *` → `P1D`, `0 9 * * 1` → `P1W`), and to several when it is a union of fixed periods
/// (`0 9 * * 1-5` → five weekly schedules). Every conversion is checked against the cron's own runs
/// over the next two years, DST changes included, before it is offered.
public enum CronConverter {
    /// The outcome of a conversion.
    public enum Result: Hashable, Sendable {
        /// The schedules, to be used with `scheduleTimeZone` set to the zone (unless it is UTC).
        case schedules([String])
        /// Why no ISO 8601 schedule is equivalent.
        case none(reason: String)
    }

    /// Most schedules a union may have before the conversion is refused as impractical.
    static let maxSchedules = 64

    /// Converts `cron` (in `zone`), with starts at its first runs after `after`.
    public static func convert(_ cron: CronExpression, zone: Zone, after: Instant) -> Result {
        let times = cron.hourValues.flatMap { h in cron.minuteValues.map { m in h * 60 + m } }
        let allDays = cron.dayOfMonthValues.count == 31
        let allWeekdays = cron.dayOfWeekValues.count == 7
        let allMonths = cron.monthValues.count == 12
        let andDays = cron.dayOfMonthIsStar || cron.dayOfWeekIsStar
        let everyDay = andDays ? (allDays && allWeekdays) : (allDays || allWeekdays)
        let afterLocal = Civil.floorDiv(after.millis, 1000) + Int64(zone.offset(atUTCSeconds: Civil.floorDiv(after.millis, 1000)))

        // Candidate sets of components, each (sub-expression whose first local match is the start, period),
        // tried in order: one fixed period if the times of day allow it, else one daily schedule per time.
        var candidates: [[(CronExpression, String)]] = []
        var parts: [(CronExpression, String)] = []
        if everyDay && allMonths {
            if let step = progressionStep(times), step < 1440 {
                candidates.append([(cron, step % 60 == 0 ? "PT\(step / 60)H" : "PT\(step)M")])
            }
            parts = times.map { (cron.restricted(time: $0), "P1D") }
        } else if andDays && allDays && !allWeekdays && allMonths {
            for weekday in cron.dayOfWeekValues {
                for time in times { parts.append((cron.restricted(time: time, weekday: weekday), "P1W")) }
            }
        } else if andDays && allWeekdays && !allDays {
            if let late = cron.dayOfMonthValues.first(where: { $0 > 28 }) {
                return .none(reason: "day \(late) is missing from some months: cron skips those months, while a monthly ISO 8601 period moves the run to the month's last day")
            }
            let months = cron.monthValues
            let monthStep = allMonths ? 1 : progressionStep(months.map { $0 - 1 }, cycle: 12)
            for day in cron.dayOfMonthValues {
                for time in times {
                    if let monthStep {
                        parts.append((cron.restricted(time: time, day: day, months: months), monthStep == 12 ? "P1Y" : "P\(monthStep)M"))
                    } else {
                        for month in months { parts.append((cron.restricted(time: time, day: day, months: [month]), "P1Y")) }
                    }
                }
            }
        } else if !andDays {
            return .none(reason: "day-of-month and day-of-week are both restricted, so cron runs on either; the two sets of days overlap, which separate ISO 8601 schedules would run twice")
        } else {
            return .none(reason: "the days it runs on (\(cron.text)) do not repeat with a fixed period")
        }
        if parts.count <= maxSchedules {
            candidates.append(parts)
        } else if candidates.isEmpty {
            return .none(reason: "it would take \(parts.count) ISO 8601 schedules, more than \(maxSchedules)")
        }
        var reason = ""
        for candidate in candidates {
            var schedules: [String] = []
            for (part, period) in candidate {
                guard let start = part.nextLocalMatch(from: afterLocal + 1, before: afterLocal + 40 * 366 * Civil.secondsPerDay) else {
                    return .none(reason: "it has no run in the next 40 years")
                }
                let wall = LocalDateTime(localMillis: start * 1000)
                schedules.append("R/\(wall)\(zone.isUTC ? "Z" : "")/\(period)")
            }
            guard let difference = firstDifference(cron, schedules, zone: zone, after: after) else {
                return .schedules(schedules)
            }
            reason = difference
        }
        return .none(reason: reason)
    }

    /// The step of `values` when they are `a, a+s, a+2s, …` covering a cycle of `cycle` evenly.
    static func progressionStep(_ values: [Int], cycle: Int = 1440) -> Int? {
        guard let first = values.first else { return nil }
        let step = values.count > 1 ? values[1] - first : cycle
        guard step > 0, cycle % step == 0, first < step, values.count == cycle / step else { return nil }
        for (i, v) in values.enumerated() where v != first + i * step { return nil }
        return step
    }

    /// Compares the cron's runs with the schedules' merged runs over two years.
    static func firstDifference(_ cron: CronExpression, _ schedules: [String], zone: Zone, after: Instant) -> String? {
        let parsed = schedules.compactMap { try? Schedule(RepeatingInterval.parse($0), timeZone: zone) }
        guard parsed.count == schedules.count else { return "the schedules it would produce do not parse" }
        let horizon = Instant(millis: after.millis + 2 * 366 * Civil.millisPerDay)
        var nexts = parsed.map { $0.next(after: after) }
        var t = after
        var count = 0
        while count < 300_000, let expected = cron.next(after: t, in: zone), expected < horizon {
            // The earliest of the schedules' next runs; equal instants collapse into one run.
            guard let got = nexts.compactMap({ $0 }).min() else { return "the schedules stop before the cron does" }
            if got != expected {
                let first = min(got, expected)
                return "around \(first.format(in: zone)) cron runs at \(expected.format(in: zone)) but the ISO 8601 schedule\(schedules.count > 1 ? "s run" : " runs") at \(got.format(in: zone)) (the DST change in \(zone.identifier) breaks the fixed period)"
            }
            for i in nexts.indices where nexts[i] == got { nexts[i] = parsed[i].next(after: got) }
            t = expected
            count += 1
        }
        return nil
    }
}

extension CronExpression {
    /// The same expression narrowed to one time of day, and optionally one weekday, one day of the
    /// month and some months.
    func restricted(time: Int, weekday: Int? = nil, day: Int? = nil, months: [Int]? = nil) -> CronExpression {
        CronExpression(
            text: text,
            minutes: 1 << UInt64(time % 60), hours: 1 << UInt64(time / 60),
            daysOfMonth: day.map { 1 << UInt64($0) } ?? daysOfMonth,
            months: months.map { $0.reduce(0) { $0 | 1 << UInt64($1) } } ?? self.months,
            daysOfWeek: weekday.map { 1 << UInt64($0) } ?? daysOfWeek,
            domStar: day == nil ? domStar : true, dowStar: weekday == nil ? dowStar : true
        )
    }
}
