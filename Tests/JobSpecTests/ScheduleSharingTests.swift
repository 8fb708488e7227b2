import Testing
@testable import JobSpec

@Suite struct ScheduleSharingTests {
    @Test func schedulesWrittenTheSameWayShareOneParsedExpression() throws {
        let a = try Schedule.parse("0 * * * *", timeZone: nil)
        let b = try Schedule.parse("0 * * * *", timeZone: Zone.named("Europe/London"))
        let c = try Schedule.parse("5 * * * *", timeZone: nil)
        #expect(a.sharesExpression(with: b), "the zone is the schedule's own, the expression is shared")
        #expect(!a.sharesExpression(with: c))
        #expect(a != b && a.expression == b.expression)
        let i = try Schedule.parse("R/2026-01-01T00:00:00Z/PT1H", timeZone: nil)
        let j = try Schedule.parse("R/2026-01-01T00:00:00Z/PT1H", timeZone: nil)
        #expect(i.sharesExpression(with: j) && i == j)
        #expect(i.next(after: Instant(millis: 0)) == j.next(after: Instant(millis: 0)))
    }
}
