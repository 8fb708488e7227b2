/// A five-field cron schedule (`minute hour day-of-month month day-of-week`) with ranges, steps,
/// lists, month and day names, and the `@hourly` … `@yearly` macros.
///
/// Semantics are Vixie cron's: when both day fields are restricted (neither starts with `*`), a day
/// matches if either matches; otherwise both must.
public struct CronExpression: Hashable, Sendable, CustomStringConvertible {
    /// The text as written.
    public let text: String
    let minutes: UInt64
    let hours: UInt64
    let daysOfMonth: UInt64
    let months: UInt64
    let daysOfWeek: UInt64
    let domStar: Bool
    let dowStar: Bool

    public var description: String { text }

    static let allHours: UInt64 = (1 << 24) - 1

    /// True when the hour field covers every hour, so the job fires in both passes of a repeated hour.
    var everyHour: Bool { hours == Self.allHours }

    /// The minutes (0–59) the expression fires at.
    public var minuteValues: [Int] { Self.values(minutes, 0...59) }
    /// The hours (0–23).
    public var hourValues: [Int] { Self.values(hours, 0...23) }
    /// The days of the month (1–31).
    public var dayOfMonthValues: [Int] { Self.values(daysOfMonth, 1...31) }
    /// The months (1–12).
    public var monthValues: [Int] { Self.values(months, 1...12) }
    /// The days of the week (0 = Sunday … 6).
    public var dayOfWeekValues: [Int] { Self.values(daysOfWeek, 0...6) }
    /// True when the day-of-month field starts with `*`.
    public var dayOfMonthIsStar: Bool { domStar }
    /// True when the day-of-week field starts with `*`.
    public var dayOfWeekIsStar: Bool { dowStar }

    static func values(_ mask: UInt64, _ range: ClosedRange<Int>) -> [Int] {
        range.filter { mask & (1 << UInt64($0)) != 0 }
    }

    static let macros: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
        "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]

    struct Field {
        let name: String
        let range: ClosedRange<Int>
        let names: [String]
        let namesStart: Int
    }

    static let fields = [
        Field(name: "minute", range: 0...59, names: [], namesStart: 0),
        Field(name: "hour", range: 0...23, names: [], namesStart: 0),
        Field(name: "day-of-month", range: 1...31, names: [], namesStart: 1),
        Field(name: "month", range: 1...12, names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], namesStart: 1),
        Field(name: "day-of-week", range: 0...7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], namesStart: 0),
    ]

    /// Parses a cron line; errors carry the offset of the problem.
    public static func parse(_ text: String) throws(ScheduleError) -> CronExpression {
        let trimmed = text.drop(while: { $0 == " " || $0 == "\t" })
        let lead = text.count - trimmed.count
        if trimmed.hasPrefix("@") {
            let word = trimmed.prefix(while: { $0 != " " && $0 != "\t" }).lowercased()
            if macros[word] != nil, let extra = trimmed.dropFirst(word.count).firstIndex(where: { $0 != " " && $0 != "\t" }) {
                let at = lead + trimmed.distance(from: trimmed.startIndex, to: extra)
                throw ScheduleError("\(word) takes nothing after it; remove \"\(trimmed[extra...])\" or write five fields instead", at: at)
            }
            guard let expansion = macros[word] else {
                if word == "@reboot" {
                    throw ScheduleError("@reboot has no time to schedule; use a one-shot job (schedule: \"\") instead", at: lead)
                }
                let hint = Suggest.closest(to: word, among: macros.keys.sorted()).map { "; did you mean \($0)?" } ?? "; use @hourly, @daily, @weekly, @monthly or @yearly"
                throw ScheduleError("unknown cron macro \"\(word)\"\(hint)", at: lead)
            }
            return try parseFields(expansion, text: text, offsets: nil)
        }
        return try parseFields(text, text: text, offsets: lead)
    }

    private static func parseFields(_ line: String, text: String, offsets: Int?) throws(ScheduleError) -> CronExpression {
        let parts = line.utf8.allSatisfy({ $0 < 0x80 }) ? asciiFields(line) : characterFields(line)
        guard parts.count == 5 else {
            let extra = parts.count == 6 ? " (no seconds field and no command)" : ""
            throw ScheduleError("a cron schedule has 5 fields, minute hour day-of-month month day-of-week, but \"\(text)\" has \(parts.count)\(extra)", at: parts.count > 5 ? parts[5].offset : text.count)
        }
        var masks: [UInt64] = []
        for (index, part) in parts.enumerated() {
            if let mask = quickMask(part.text.utf8, fields[index], dayOfWeek: index == 4) {
                masks.append(mask)
            } else {
                masks.append(try parseField(part.text, fields[index], at: offsets == nil ? 0 : part.offset))
            }
        }
        var dow = masks[4]
        if dow & (1 << 7) != 0 { dow = (dow | 1) & ~(1 << 7) }
        let expression = CronExpression(
            text: text, minutes: masks[0], hours: masks[1], daysOfMonth: masks[2], months: masks[3], daysOfWeek: dow,
            domStar: parts[2].text.hasPrefix("*"), dowStar: parts[4].text.hasPrefix("*")
        )
        try expression.checkCanRun(at: offsets == nil ? 0 : parts[2].offset)
        return expression
    }

    /// The blank-separated fields of a line with their offsets in characters.
    private static func characterFields(_ line: String) -> [(text: Substring, offset: Int)] {
        var parts: [(text: Substring, offset: Int)] = []
        var current = ""
        var start = 0
        for (i, c) in line.enumerated() {
            if c == " " || c == "\t" {
                if !current.isEmpty { parts.append((Substring(current), start)); current = "" }
            } else {
                if current.isEmpty { start = i }
                current.append(c)
            }
        }
        if !current.isEmpty { parts.append((Substring(current), start)) }
        return parts
    }

    /// `characterFields` of an ASCII line, where a character is a byte: walked on the bytes, as every
    /// cron job loaded goes through it.
    private static func asciiFields(_ line: String) -> [(text: Substring, offset: Int)] {
        var parts: [(text: Substring, offset: Int)] = []
        let bytes = line.utf8
        var i = bytes.startIndex
        var offset = 0
        while i < bytes.endIndex {
            guard bytes[i] != 0x20 && bytes[i] != 0x09 else {
                i = bytes.index(after: i)
                offset += 1
                continue
            }
            let start = i
            let startOffset = offset
            while i < bytes.endIndex && bytes[i] != 0x20 && bytes[i] != 0x09 {
                i = bytes.index(after: i)
                offset += 1
            }
            parts.append((line[start..<i], startOffset))
        }
        return parts
    }

    /// The mask of a field made only of numbers, `*`, `,`, `-` and `/`, read on its bytes as `parseField`
    /// reads it; nil for anything else (names, an error), which `parseField` then reads and explains.
    /// Every cron job loaded goes through here.
    static func quickMask(_ text: Substring.UTF8View, _ field: Field, dayOfWeek: Bool) -> UInt64? {
        var mask: UInt64 = 0
        var i = text.startIndex
        func number() -> Int? {
            var n = 0
            var digits = 0
            while i < text.endIndex, text[i] >= 0x30, text[i] <= 0x39, digits < 3 {
                n = n * 10 + Int(text[i] - 0x30)
                digits += 1
                i = text.index(after: i)
            }
            return digits > 0 ? n : nil
        }
        while true {
            var low = field.range.lowerBound
            var high = dayOfWeek ? 6 : field.range.upperBound
            var isRange = false
            if i < text.endIndex, text[i] == UInt8(ascii: "*") {
                i = text.index(after: i)
                isRange = true
            } else {
                guard let a = number(), field.range.contains(a) else { return nil }
                low = a
                if i < text.endIndex, text[i] == UInt8(ascii: "-") {
                    i = text.index(after: i)
                    guard let b = number(), field.range.contains(b), a <= b else { return nil }
                    high = b
                    isRange = true
                }
            }
            var step = 1
            if i < text.endIndex, text[i] == UInt8(ascii: "/") {
                i = text.index(after: i)
                guard let n = number(), n > 0, n <= (dayOfWeek ? 7 : field.range.count) else { return nil }
                step = n
                if !isRange { high = dayOfWeek ? max(low, 6) : field.range.upperBound }
            } else if !isRange {
                high = low
            }
            var v = low
            while v <= high {
                mask |= 1 << UInt64(v)
                v += step
            }
            guard i < text.endIndex else { return mask }
            guard text[i] == UInt8(ascii: ","), text.index(after: i) < text.endIndex else { return nil }
            i = text.index(after: i)
        }
    }

    static func parseField(_ text: Substring, _ field: Field, at offset: Int) throws(ScheduleError) -> UInt64 {
        var mask: UInt64 = 0
        var itemOffset = offset
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            defer { itemOffset += item.count + 1 }
            guard !item.isEmpty else { throw ScheduleError("empty item in the \(field.name) field", at: itemOffset) }
            var rangePart = item
            var step = 1
            var hasStep = false
            if let slash = item.firstIndex(of: "/") {
                rangePart = item[..<slash]
                let stepText = item[item.index(after: slash)...]
                let maxStep = field.name == "day-of-week" ? 7 : field.range.count
                guard let s = Int(stepText), s > 0, s <= maxStep else {
                    throw ScheduleError("step \"\(stepText)\" in the \(field.name) field must be a whole number from 1 to \(maxStep)", at: itemOffset + rangePart.count + 1)
                }
                step = s
                hasStep = true
            }
            var low = field.range.lowerBound
            var high = field.name == "day-of-week" ? 6 : field.range.upperBound
            if rangePart == "*" {
                // The whole range.
            } else if rangePart == "?" || rangePart.utf8.contains(UInt8(ascii: "L")) && field.names.isEmpty || rangePart.utf8.contains(UInt8(ascii: "#")) || rangePart.hasSuffix("W") && field.name == "day-of-month" {
                throw ScheduleError("\"\(rangePart)\" is Quartz syntax; chronos-sync uses standard 5-field cron (use * for any day)", at: itemOffset)
            } else {
                let bounds = rangePart.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
                low = try value(bounds[0], field, at: itemOffset)
                if bounds.count == 2 {
                    high = try value(bounds[1], field, at: itemOffset + bounds[0].count + 1)
                    guard low <= high else {
                        throw ScheduleError("range \(rangePart) in the \(field.name) field goes backwards; write it from low to high", at: itemOffset)
                    }
                } else if !hasStep {
                    high = low
                } else {
                    // `a/n` runs to the end of the range; for day-of-week that is Saturday (6), as in Vixie cron,
                    // croniter and robfig/cron, not the 7 that also names Sunday.
                    high = field.name == "day-of-week" ? max(low, 6) : field.range.upperBound
                }
            }
            var v = low
            while v <= high {
                mask |= 1 << UInt64(v)
                v += step
            }
        }
        return mask
    }

    private static func value(_ text: Substring, _ field: Field, at offset: Int) throws(ScheduleError) -> Int {
        if let n = Int(text), text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            guard field.range.contains(n) else {
                throw ScheduleError("\(n) is out of range for the \(field.name) field (\(field.range.lowerBound)–\(field.range.upperBound))", at: offset)
            }
            return n
        }
        if let index = field.names.firstIndex(of: text.uppercased()) {
            return index + field.namesStart
        }
        if field.names.isEmpty {
            throw ScheduleError("\"\(text)\" is not a number in the \(field.name) field (\(field.range.lowerBound)–\(field.range.upperBound))", at: offset)
        }
        let hint = Suggest.closest(to: text.uppercased(), among: field.names).map { "; did you mean \($0)?" } ?? ""
        throw ScheduleError("\"\(text)\" is not a \(field.name) (\(field.names.first!)–\(field.names.last!) or a number)\(hint)", at: offset)
    }

    /// Refuses a day-of-month and month combination that never happens (`0 0 30 2 *`).
    private func checkCanRun(at offset: Int) throws(ScheduleError) {
        if !(domStar || dowStar) { return }  // OR-ed with a weekday: always some day.
        if !dowStar { return }
        // On the masks: this runs for every cron job loaded.
        for month in 1...12 where months & (1 << UInt64(month)) != 0 {
            let longest = month == 2 ? 29 : Civil.daysInMonth(year: 2001, month: month)
            if daysOfMonth & ((1 << UInt64(longest + 1)) - 1) != 0 { return }
        }
        throw ScheduleError("\"\(text)\" never runs: no month in it has day \(dayOfMonthValues.map(String.init).joined(separator: ","))", at: offset)
    }
}
