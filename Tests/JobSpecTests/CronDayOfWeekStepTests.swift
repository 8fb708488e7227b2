import Testing
@testable import JobSpec

/// `a/n` in the day-of-week field stops at Saturday (6), as Vixie cron, croniter and robfig/cron do.
@Suite struct CronDayOfWeekStepTests {
    @Test func aStepAfterASingleDayStopsAtSaturday() throws {
        #expect(try CronExpression.parse("0 0 * * 6/1").dayOfWeekValues == [6])
        #expect(try CronExpression.parse("0 0 * * 1/2").dayOfWeekValues == [1, 3, 5])
        #expect(try CronExpression.parse("0 0 * * 0/3").dayOfWeekValues == [0, 3, 6])
        #expect(try CronExpression.parse("0 0 * * 7/1").dayOfWeekValues == [0], "7 alone is Sunday")
        #expect(try CronExpression.parse("0 0 * * 5-7").dayOfWeekValues == [0, 5, 6], "an explicit range to 7 keeps Sunday")
    }
}
