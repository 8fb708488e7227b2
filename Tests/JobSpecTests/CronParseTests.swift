import Testing
@testable import JobSpec

/// `CronExpression.parse`: fields, ranges, steps, lists, names, `7` as Sunday, macros, and errors with offsets.
@Suite struct CronParseTests {
    struct Fields: Sendable, CustomTestStringConvertible {
        let text: String
        let minutes: [Int]
        let hours: [Int]
        let days: [Int]
        let months: [Int]
        let weekdays: [Int]
        let dayStar: Bool
        let weekdayStar: Bool
        var testDescription: String { text }
    }

    static let allMinutes = Array(0...59)
    static let allHours = Array(0...23)
    static let allDays = Array(1...31)
    static let allMonths = Array(1...12)
    static let allWeekdays = Array(0...6)

    static func f(
        _ text: String, m: [Int] = allMinutes, h: [Int] = allHours, d: [Int] = allDays, mo: [Int] = allMonths,
        w: [Int] = allWeekdays, dayStar: Bool = true, weekdayStar: Bool = true
    ) -> Fields {
        Fields(text: text, minutes: m, hours: h, days: d, months: mo, weekdays: w, dayStar: dayStar, weekdayStar: weekdayStar)
    }

    // Expected sets written out by hand from the Vixie cron rules.
    static let fields: [Fields] = [
        f("* * * * *"),
        f("*/15 * * * *", m: [0, 15, 30, 45]),
        f("0 9-17/2 * * *", m: [0], h: [9, 11, 13, 15, 17]),
        f("5,10-12,50-59/5 * * * *", m: [5, 10, 11, 12, 50, 55]),
        f("10-50/20 0 * * *", m: [10, 30, 50], h: [0]),
        f("0 21/1 * * *", m: [0], h: [21, 22, 23]),
        f("0 21/2 * * *", m: [0], h: [21, 23]),
        f("*/60 */24 * * *", m: [0], h: [0]),
        f("59 23 31 12 6", m: [59], h: [23], d: [31], mo: [12], w: [6], dayStar: false, weekdayStar: false),
        f("0 0 * JAN,jul,Dec *", m: [0], h: [0], mo: [1, 7, 12]),
        f("0 0 * FEB-APR *", m: [0], h: [0], mo: [2, 3, 4]),
        f("0 0 * JAN-DEC/3 *", m: [0], h: [0], mo: [1, 4, 7, 10]),
        f("05 09 01 01 *", m: [5], h: [9], d: [1], mo: [1], dayStar: false),
        f("0 0 * */3 *", m: [0], h: [0], mo: [1, 4, 7, 10]),
        f("0 0 * * MON-FRI", m: [0], h: [0], w: [1, 2, 3, 4, 5], weekdayStar: false),
        f("0 0 * * mon,Wed,FRI", m: [0], h: [0], w: [1, 3, 5], weekdayStar: false),
        f("0 0 * * 7", m: [0], h: [0], w: [0], weekdayStar: false),
        f("0 0 * * 0,7", m: [0], h: [0], w: [0], weekdayStar: false),
        f("0 0 * * 5-7", m: [0], h: [0], w: [0, 5, 6], weekdayStar: false),
        f("0 0 * * 0-7", m: [0], h: [0], weekdayStar: false),
        f("0 0 * * sun,SAT", m: [0], h: [0], w: [0, 6], weekdayStar: false),
        f("0 0 * * */2", m: [0], h: [0], w: [0, 2, 4, 6]),
        f("0 0 * * 1-5/2", m: [0], h: [0], w: [1, 3, 5], weekdayStar: false),
        f("0 0 */10 * *", m: [0], h: [0], d: [1, 11, 21, 31]),
        f("0 0 1-31/10 * *", m: [0], h: [0], d: [1, 11, 21, 31], dayStar: false),
        f("0 0 1,15 * *", m: [0], h: [0], d: [1, 15], dayStar: false),
        f("0 0 */2 * MON", m: [0], h: [0], d: Array(stride(from: 1, through: 31, by: 2)), w: [1], weekdayStar: false),
        f("0 0 29 2 *", m: [0], h: [0], d: [29], mo: [2], dayStar: false),
        f("  0\t9   *  * 1 ", m: [0], h: [9], w: [1], weekdayStar: false),
        // Macros.
        f("@hourly", m: [0]),
        f("@daily", m: [0], h: [0]),
        f("@midnight", m: [0], h: [0]),
        f("@DAILY", m: [0], h: [0]),
        f("@weekly", m: [0], h: [0], w: [0], weekdayStar: false),
        f("@monthly", m: [0], h: [0], d: [1], dayStar: false),
        f("@yearly", m: [0], h: [0], d: [1], mo: [1], dayStar: false),
        f("@annually", m: [0], h: [0], d: [1], mo: [1], dayStar: false),
        f("  @hourly  ", m: [0]),
    ]

    @Test(arguments: fields)
    func parsesFields(_ c: Fields) throws {
        let cron = try CronExpression.parse(c.text)
        #expect(cron.minuteValues == c.minutes)
        #expect(cron.hourValues == c.hours)
        #expect(cron.dayOfMonthValues == c.days)
        #expect(cron.monthValues == c.months)
        #expect(cron.dayOfWeekValues == c.weekdays)
        #expect(cron.dayOfMonthIsStar == c.dayStar)
        #expect(cron.dayOfWeekIsStar == c.weekdayStar)
        #expect(cron.text == c.text)
    }

    @Test func orEdDayFieldsThatCannotMeetOnTheirOwnStillParse() throws {
        // Both restricted: OR-ed, so February 30 does not matter as long as the weekday can run.
        _ = try CronExpression.parse("0 0 30 2 MON")
        // Day-of-week that starts with "*" is AND-ed, like "*".
        #expect(throws: ScheduleError.self) { try CronExpression.parse("0 0 30 2 */2") }
    }

    typealias Invalid = InvalidExpression

    // Offsets are 0-based character indexes into the text as written, counted by hand.
    static let invalid: [Invalid] = [
        Invalid("60 * * * *", at: 0, "out of range for the minute field"),
        Invalid("* 24 * * *", at: 2, "out of range for the hour field"),
        Invalid("* * 0 * *", at: 4, "out of range for the day-of-month field"),
        Invalid("* * 32 * *", at: 4, "out of range for the day-of-month field"),
        Invalid("* * * 13 *", at: 6, "out of range for the month field"),
        Invalid("* * * * 8", at: 8, "out of range for the day-of-week field"),
        Invalid("0 0 * * 1,8", at: 10, "out of range"),
        Invalid("0 0 1-40 * *", at: 6, "40 is out of range"),
        Invalid("0 0 * * MÖN", at: 8, "\"MÖN\" is not a day-of-week"),
        Invalid("  60 * * * *", at: 2, "out of range"),
        Invalid("0\t0\t*\t*\t9", at: 8, "out of range"),
        Invalid("*/0 * * * *", at: 2, "step"),
        Invalid("*/61 * * * *", at: 2, "step"),
        Invalid("0 */x * * *", at: 4, "step"),
        Invalid("5-1 * * * *", at: 0, "goes backwards"),
        Invalid("0 0 * * FRI-MON", at: 8, "goes backwards"),
        Invalid("* * * *", at: 7, "5 fields"),
        Invalid("", at: 0, "5 fields"),
        Invalid("* * * * * *", at: 10, "no seconds field"),
        Invalid("0 0 * * * /bin/true", at: 10, "5 fields"),
        Invalid("@reboot", at: 0, "@reboot"),
        Invalid("@dayly", at: 0, "did you mean @daily?"),
        Invalid("  @dayly", at: 2, "did you mean @daily?"),
        Invalid("@daily 5", at: 7, "@daily takes nothing after it"),
        Invalid("0 0 30 2 *", at: 4, "never runs"),
        Invalid("0 0 31 4,6,9,11 *", at: 4, "never runs"),
        Invalid("0 0 ? * MON", at: 4, "Quartz"),
        Invalid("0 0 L * *", at: 4, "Quartz"),
        Invalid("0 0 15W * *", at: 4, "Quartz"),
        Invalid("0 0 * * MON#2", at: 8, "Quartz"),
        Invalid("1,,2 * * * *", at: 2, "empty item"),
        Invalid("1, * * * *", at: 2, "empty item"),
        Invalid("0 0 * FOO *", at: 6, "is not a month"),
        Invalid("0 0 1 * MOM", at: 8, "did you mean MON?"),
        Invalid("0 0 * * 1-FOO", at: 10, "is not a day-of-week"),
        Invalid("x * * * *", at: 0, "not a number in the minute field"),
        Invalid("0 MON * * *", at: 2, "not a number in the hour field"),
        Invalid("0 -1 * * *", at: 2, "not a number"),
        Invalid("0 0 * * 1-", at: 10, "is not a day-of-week"),
        Invalid("0 0 1-5/0 * *", at: 8, "step"),
    ]

    @Test(arguments: invalid)
    func rejectsWithOffset(_ c: Invalid) {
        let error = #expect(throws: ScheduleError.self) { try CronExpression.parse(c.text) }
        #expect(error?.offset == c.offset)
        #expect(error?.message.contains(c.phrase) == true, "message: \(error?.message ?? "none")")
    }

    @Test func scheduleParseReportsCronErrors() {
        let error = #expect(throws: ScheduleError.self) { try Schedule.parse("0 0 * * 8", timeZone: nil) }
        #expect(error?.offset == 8)
        #expect(error?.message == "8 is out of range for the day-of-week field (0–7)")
    }
}

/// The byte-level reading of a cron field gives the mask the general one gives, and is taken for every
/// field made of numbers, `*`, `,`, `-` and `/`.
@Suite struct CronQuickFieldTests {
    @Test func quickAndGeneralReadingsAgree() throws {
        var texts = ["*", "*/5", "*/7", "0", "7", "59", "60", "1-5", "5-1", "1-7", "0-7", "3/2", "6/3", "1,2,3", "1-3,5/10",
                     ",1", "1,", "1,,2", "*/0", "*/60", "*/61", "007", "0007", "1-", "-1", "*-5", "5-*", "1/2/3", "MON", "?", "L", "2#1", "15W"]
        var generator = SystemRandomNumberGenerator()
        let atoms = ["*", "0", "1", "5", "6", "7", "12", "23", "24", "31", "32", "59", "60"]
        for _ in 0..<3000 {
            var text = atoms.randomElement(using: &generator)!
            if Bool.random(using: &generator) { text += "-" + atoms.randomElement(using: &generator)! }
            if Bool.random(using: &generator) { text += "/" + ["1", "2", "3", "7", "8", "0", "13"].randomElement(using: &generator)! }
            if Bool.random(using: &generator) { text += "," + atoms.randomElement(using: &generator)! }
            texts.append(text)
        }
        for text in texts {
            for (index, field) in CronExpression.fields.enumerated() {
                let general = try? CronExpression.parseField(Substring(text), field, at: 0)
                let quick = CronExpression.quickMask(Substring(text).utf8, field, dayOfWeek: index == 4)
                if let quick { #expect(quick == general, "\(text) in field \(index)") }
                if general != nil && text.allSatisfy({ "0123456789*,-/".contains($0) }) && text != "0007" {  // four digits: the general way
                    #expect(quick != nil, "\(text) in field \(index) takes the general way")
                }
            }
        }
    }
}
