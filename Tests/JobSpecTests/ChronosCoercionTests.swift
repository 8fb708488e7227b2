import Foundation
import Testing
@testable import JobSpec

/// The Chronos API reads a body as Chronos's JobDeserializer does; git specs stay strict.
@Suite struct ChronosCoercionTests {
    func chronos(_ text: String) -> (job: Job?, errors: [String], warnings: [String]) {
        var options = LoadOptions()
        options.now = Instant(millis: 1_780_272_000_000)  // 2026-06-01T00:00:00Z
        let parsed = JobLoader.parseChronos(text, file: "body", options: options)
        return (parsed.jobs.first?.job, parsed.diagnostics.errors.map(\.message), parsed.diagnostics.warnings.map(\.message))
    }

    @Test func quotedNumbersAndBooleansAndWholeFloatsAreCoerced() {
        let body = #"{"name": "a", "command": "x", "schedule": "R/2030-01-01T00:00:00Z/P1D", "cpus": "0.5", "mem": "128", "retries": 3.0, "shell": "false", "async": 1, "disabled": "no", "maxCompletionTime": "60", "description": 7}"#
        let (job, errors, warnings) = chronos(body)
        #expect(errors == [])
        #expect(job?.cpus == 0.5 && job?.mem == 128 && job?.retries == 3 && job?.maxCompletionTime == 60)
        #expect(job?.shell == false && job?.async == true && job?.disabled == false)
        #expect(job?.description == "7")
        #expect(warnings.count == 8)
        #expect(JobLoader.parse(body, file: "body").diagnostics.errors.count >= 3, "the same body as a spec is refused")
    }

    @Test func unknownFieldsAreDroppedWithAWarningNamingTheClosest() {
        let (job, errors, warnings) = chronos(#"{"name": "a", "command": "x", "schedule": "", "comand": "y", "lastHost": "h"}"#)
        #expect(errors == [] && job?.command == "x")
        #expect(warnings == [
            "ignored the field \"comand\", which Chronos does not know either (did you mean \"command\"?)",
            "ignored the field \"lastHost\", which Chronos does not know either",
        ])
    }

    @Test func whatChronosDropsIsDropped() {
        let body = #"""
            {"name": "a", "command": "x", "schedule": "",
             "constraints": [["rack", "EQUALS", "r1"], ["host", "GROUP_BY", "2"], ["n", "LIKE", 5]],
             "environmentVariables": [{"name": "CHRONOS_JOB_NAME", "value": "b"}, {"name": "N", "value": 5}],
             "container": {"type": "docker"}}
            """#
        let (job, errors, warnings) = chronos(body)
        #expect(errors == [])
        #expect(job?.constraints.map(\.value) == ["r1", "5"])
        #expect(job?.environmentVariables == [EnvironmentVariable(name: "N", value: "5")])
        #expect(job?.container == nil)
        #expect(warnings.count == 5)  // GROUP_BY, the built-in variable, the container, and two 5s read as text
    }

    @Test func urisJoinFetchAndContainerFieldsAreCoerced() {
        let body = #"""
            {"name": "a", "command": "x", "schedule": "",
             "fetch": [{"uri": "u1", "extract": "false"}], "uris": ["u1", "u2"],
             "container": {"type": "mesos", "image": "i", "forcePullImage": "TRUE",
                           "volumes": [{"containerPath": "/d", "mode": "ro"}],
                           "networkInfos": [{"name": "n", "portMappings": [{"hostPort": "8080", "containerPort": 80.0}]}]}}
            """#
        let (job, errors, _) = chronos(body)
        #expect(errors == [])
        #expect(job?.fetch.map(\.uri) == ["u1", "u2"] && job?.fetch.first?.extract == false && job?.uris == [])
        #expect(job?.container?.type == .MESOS && job?.container?.forcePullImage == true && job?.container?.volumes.first?.mode == .RO)
        #expect(job?.container?.networkInfos.first?.portMappings.first?.hostPort == 8080)
        #expect(job?.container?.networkInfos.first?.portMappings.first?.containerPort == 80)
    }

    @Test func noScheduleRunsOnceAndParentsWinOverASchedule() {
        #expect(chronos(#"{"name": "a", "command": "x"}"#).job?.schedule == "")
        let dependent = chronos(#"{"name": "a", "command": "x", "parents": ["p"], "schedule": "R/2030-01-01T00:00:00Z/P1D"}"#)
        #expect(dependent.errors == [] && dependent.job?.schedule == nil && dependent.job?.parents == ["p"])
    }

    @Test func emptyPeriodIsARunOnceSchedule() throws {
        let interval = try RepeatingInterval.parse("R1//P")
        #expect(interval.repetitions == 1 && interval.period.isZero && interval.start == nil)
        #expect(throws: ScheduleError.self) { try RepeatingInterval.parse("R//P") }
        let applied = Instant(millis: 1_780_272_000_000)
        let schedule = Schedule(interval, timeZone: nil)
        #expect(schedule.next(after: Instant(millis: applied.millis - 1), firstApplied: applied) == applied)
        #expect(schedule.next(after: applied, firstApplied: applied) == nil)
    }

    @Test func aFiniteScheduleWhoseStartHasPassedRunsOnceWhenApplied() throws {
        let applied = Instant(millis: epochMillis("2026-01-01T05:30:00Z"))
        let once = Schedule(try RepeatingInterval.parse("R1/2026-01-01T05:29:55Z/PT1S"), timeZone: nil)
        #expect(once.runs(after: Instant(millis: applied.millis - 1), count: 5, firstApplied: applied) == [applied])
        let three = Schedule(try RepeatingInterval.parse("R3/2026-01-01T00:00:00Z/PT1H"), timeZone: nil)
        #expect(three.runs(after: Instant(millis: applied.millis - 1), count: 5, firstApplied: applied).map(\.millis)
                == [applied.millis, epochMillis("2026-01-01T06:00:00Z"), epochMillis("2026-01-01T07:00:00Z")])
        let unbounded = Schedule(try RepeatingInterval.parse("R/2026-01-01T00:00:00Z/PT1H"), timeZone: nil)
        #expect(unbounded.next(after: Instant(millis: applied.millis - 1), firstApplied: applied)?.millis == epochMillis("2026-01-01T06:00:00Z"),
                "an unbounded schedule keeps its next slot")
    }
}
