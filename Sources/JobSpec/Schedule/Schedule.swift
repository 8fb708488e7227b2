import Synchronization

/// A parsed schedule in its zone: an ISO 8601 repeating interval or a cron expression, and the
/// next-run math for it.
public struct Schedule: Hashable, Sendable, CustomStringConvertible {
    /// What the schedule was written as.
    public enum Expression: Hashable, Sendable {
        case repeating(RepeatingInterval)
        case cron(CronExpression)
    }

    /// The parsed expression, in one allocation shared by every schedule written the same way: ten
    /// thousand jobs at `0 * * * *` hold one, and a job's schedule costs three words.
    final class Parsed: Hashable, Sendable {
        let expression: Expression

        init(_ expression: Expression) { self.expression = expression }

        static func == (a: Parsed, b: Parsed) -> Bool { a === b || a.expression == b.expression }

        func hash(into hasher: inout Hasher) { hasher.combine(expression) }
    }

    /// Expressions already parsed, by the text they were parsed from (a text reads as one expression, and
    /// no text is both cron and ISO 8601), in 16 tables chosen by the text, so that the threads loading a
    /// folder seldom wait for one another; at most `sharedLimit` in all, after which a new one is kept
    /// alone.
    private final class SharedTable: Sendable {
        let table = Mutex<[String: Parsed]>([:])
    }

    private static let shared = (0..<16).map { _ in SharedTable() }
    static let sharedLimit = 10_000

    private static func parsed(_ expression: Expression, text: String) -> Parsed {
        var h: UInt32 = 2_166_136_261
        for byte in text.utf8 { h = (h ^ UInt32(byte)) &* 16_777_619 }
        return shared[Int(h >> 28)].table.withLock { table in
            if let found = table[text], found.expression == expression { return found }
            let made = Parsed(expression)
            if table.count < sharedLimit / 16 { table[text] = made }
            return made
        }
    }

    private let parsed: Parsed
    public var expression: Expression { parsed.expression }

    /// True when both hold one parsed expression (not only equal ones).
    func sharesExpression(with other: Schedule) -> Bool { parsed === other.parsed }
    /// The zone whose wall clock the schedule follows.
    public let zone: Zone
    /// True when the start's written offset is ignored because a time zone was given.
    public let ignoresWrittenOffset: Bool

    public var description: String {
        switch expression {
        case .repeating(let r): return r.text
        case .cron(let c): return c.text
        }
    }

    /// A repeating interval. With `timeZone`, the start's wall-clock fields are read in that zone and
    /// any offset written in the start is ignored; without it, the start's own offset applies, and a
    /// start with no offset is UTC.
    public init(_ interval: RepeatingInterval, timeZone: Zone?) {
        parsed = Self.parsed(.repeating(interval), text: interval.text)
        if let timeZone {
            zone = timeZone
            ignoresWrittenOffset = interval.start?.offsetSeconds != nil
        } else {
            zone = .fixed(offsetSeconds: interval.start?.offsetSeconds ?? 0)
            ignoresWrittenOffset = false
        }
    }

    /// A cron expression on the wall clock of `timeZone` (UTC when nil).
    public init(_ cron: CronExpression, timeZone: Zone?) {
        parsed = Self.parsed(.cron(cron), text: cron.text)
        zone = timeZone ?? .utc
        ignoresWrittenOffset = false
    }

    /// True when `text` looks like an ISO 8601 repeating interval rather than a cron line.
    public static func isRepeatingInterval(_ text: String) -> Bool {
        let bytes = Array(text.utf8.prefix(2))
        return bytes.first == UInt8(ascii: "R") && (bytes.count == 1 || bytes[1] == UInt8(ascii: "/") || (bytes[1] >= 48 && bytes[1] <= 57))
    }

    /// Parses an ISO 8601 repeating interval or a cron line, whichever `text` is.
    public static func parse(_ text: String, timeZone: Zone?) throws(ScheduleError) -> Schedule {
        if isRepeatingInterval(text) {
            return Schedule(try RepeatingInterval.parse(text), timeZone: timeZone)
        }
        return Schedule(try CronExpression.parse(text), timeZone: timeZone)
    }

    /// The first run strictly after `instant`, or nil when no run is left.
    ///
    /// - Parameter firstApplied: the moment the job was first applied, which an empty start
    ///   (`R//PT1H`) stands for; `instant` is used when it is nil.
    public func next(after instant: Instant, firstApplied: Instant? = nil) -> Instant? {
        switch expression {
        case .cron(let cron):
            return cron.next(after: instant, in: zone)
        case .repeating(let interval):
            return RepeatingRuns(interval, zone: zone, anchor: firstApplied ?? instant, firstApplied: firstApplied).next(after: instant)
        }
    }

    /// Up to `count` runs strictly after `instant`, in order.
    public func runs(after instant: Instant, count: Int, firstApplied: Instant? = nil) -> [Instant] {
        let next: (Instant) -> Instant?
        switch expression {
        case .cron(let cron):
            next = { cron.next(after: $0, in: zone) }
        case .repeating(let interval):
            let runs = RepeatingRuns(interval, zone: zone, anchor: firstApplied ?? instant, firstApplied: firstApplied)
            next = { runs.next(after: $0) }
        }
        var result: [Instant] = []
        result.reserveCapacity(count)
        var t = instant
        while result.count < count, let n = next(t) {
            result.append(n)
            t = n
        }
        return result
    }
}

/// The run times of a repeating interval: run k is `start + k × period`, computed from the start each
/// time, never accumulated. The calendar part is added on the zone's wall clock with month ends
/// clamped, then the exact part as elapsed time.
struct RepeatingRuns {
    let period: ISODuration
    /// How many runs there are on the grid `start + k × period`: k is below this.
    private(set) var repetitions: Int64
    let zone: Zone
    let startLocal: Int64
    let startInstant: Int64
    let monthsPerRun: Int64
    /// For a finite schedule whose start had passed when it was first applied: that moment, when it runs
    /// once at once (counting as its first run), as in Chronos; its other runs follow on the grid.
    private(set) var catchUp: Int64?

    /// `anchor` stands for an empty start; `firstApplied`, when known, is when a passed start is caught up.
    init(_ interval: RepeatingInterval, zone: Zone, anchor: Instant, firstApplied: Instant? = nil) {
        period = interval.period
        self.zone = zone
        if let start = interval.start {
            startLocal = start.local.localMillis
            startInstant = zone.resolve(localMillis: startLocal)
        } else {
            startInstant = anchor.millis
            startLocal = anchor.millis + Int64(zone.offset(atUTCSeconds: Civil.floorDiv(anchor.millis, 1000))) * 1000
        }
        monthsPerRun = Int64(period.years) * 12 + Int64(period.months)
        repetitions = interval.repetitions.map(Int64.init) ?? .max
        catchUp = nil
        if let count = interval.repetitions, let applied = firstApplied?.millis, interval.start != nil, startInstant < applied, count > 0 {
            // Chronos launches it now, then skips forward: count - 1 runs left, from the first slot after now.
            catchUp = applied
            repetitions = period.isZero ? 0 : index(after: applied) + Int64(count) - 1
        }
    }

    /// The index k of the first grid slot strictly after `t`, for `t` at or after the start and a
    /// period longer than zero.
    func index(after t: Int64) -> Int64 {
        if !period.hasCalendarPart { return (t - startInstant) / period.exactMillis + 1 }
        let estimate = Double(t - startInstant) / period.approximateMillis
        var k = max(1, Int64(estimate.rounded(.down)) - 1)
        while run(k) <= t { k += 1 }
        while k > 1 && run(k - 1) > t { k -= 1 }
        return k
    }

    /// Run k (k ≥ 0), in UTC milliseconds.
    func run(_ k: Int64) -> Int64 {
        if k == 0 { return startInstant }
        guard period.hasCalendarPart else { return startInstant + k * period.exactMillis }
        var local = startLocal
        if monthsPerRun != 0 {
            let dayNumber = Civil.floorDiv(startLocal, Civil.millisPerDay)
            let timeOfDay = startLocal - dayNumber * Civil.millisPerDay
            let date = Civil.date(days: dayNumber)
            let total = date.year * 12 + Int64(date.month - 1) + k * monthsPerRun
            let year = Civil.floorDiv(total, 12)
            let month = Int(total - year * 12) + 1
            let day = min(date.day, Civil.daysInMonth(year: year, month: month))
            local = Civil.days(year: year, month: month, day: day) * Civil.millisPerDay + timeOfDay
        }
        local += k * Int64(period.days) * Civil.millisPerDay
        return zone.resolve(localMillis: local) + k * period.exactMillis
    }

    /// No run is computed past 9999-12-31T23:59:59.999Z.
    static let lastMillis: Int64 = 253_402_300_799_999

    /// The first run strictly after `instant`; nil when none is left before year 10000.
    func next(after instant: Instant) -> Instant? {
        guard instant.millis < Self.lastMillis else { return nil }
        let t = instant.millis
        if let catchUp, t < catchUp { return Instant(millis: catchUp) }
        guard repetitions > 0 else { return nil }
        if startInstant > t { return startInstant <= Self.lastMillis ? Instant(millis: startInstant) : nil }
        if !period.hasCalendarPart && period.exactMillis <= 0 { return nil }
        let k = index(after: t)
        guard k < repetitions else { return nil }
        let result = run(k)
        return result <= Self.lastMillis ? Instant(millis: result) : nil
    }
}
