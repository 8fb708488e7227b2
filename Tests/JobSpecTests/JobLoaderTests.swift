import Foundation
import Testing
@testable import JobSpec

@Suite struct JobLoaderTests {
    @Test func aChronosJobJSONLoadsUnchanged() throws {
        let json = """
            {"name":"sample","command":"echo hi","shell":true,"epsilon":"PT60S","executor":"","executorFlags":"",
             "taskInfoData":"","retries":2,"owner":"ops@example.com","ownerName":"Ops","description":"",
             "successCount":12,"errorCount":1,"lastSuccess":"2026-01-01T00:00:00.000Z","lastError":"",
             "cpus":0.5,"disk":256.0,"mem":128.0,"disabled":false,"softError":false,"dataProcessingJobType":false,
             "errorsSinceLastSuccess":0,"fetch":[{"uri":"https://example.com/a.tgz","executable":false,"cache":false,"extract":true,"output_file":""}],
             "uris":[],"environmentVariables":[{"name":"A","value":"1"}],"arguments":[],"highPriority":false,
             "runAsUser":"root","concurrent":false,"constraints":[["rack","EQUALS","r1"]],
             "container":{"type":"DOCKER","image":"busybox","network":"BRIDGE","volumes":[{"containerPath":"/d","hostPath":"/h","mode":"RO"}],"forcePullImage":true,"parameters":[{"key":"memory-swap","value":"1g"}]},
             "schedule":"R/2026-01-01T00:00:00.000Z/PT1H","scheduleTimeZone":""}
            """
        let folder = try SpecFolder(["sample.yaml": json])
        let repository = folder.load()
        #expect(repository.diagnostics.isEmpty, "\(repository.diagnostics)")
        let job = try #require(repository.job(named: "sample")?.job)
        #expect(job.cpus == 0.5)
        #expect(job.fetch == [FetchURI(uri: "https://example.com/a.tgz")])
        #expect(job.container?.network == .BRIDGE)
        #expect(job.container?.volumes.first?.mode == .RO)
        #expect(job.constraints == [Constraint(attribute: "rack", op: .EQUALS, value: "r1")])
        #expect(job.schedule == "R/2026-01-01T00:00:00.000Z/PT1H")
    }

    @Test func unknownFieldSuggestsTheClosest() throws {
        #expect(try diagnostics(of: "name: a\ncomand: echo\nschedule: \"\"\n") == [
            "a.yaml:1:1: job \"a\" needs a \"command\" (or a \"container\" whose image has one)",
            "a.yaml:2:1: unknown field \"comand\" in a job; did you mean \"command\"?",
        ])
        #expect(try diagnostics(of: "name: a\ncommand: x\nschedule: \"\"\nzzz: 1\n") == [
            "a.yaml:4:1: unknown field \"zzz\" in a job",
        ])
    }

    @Test func wrongTypes() throws {
        let text = "name: a\ncommand: x\nschedule: \"\"\nretries: three\nshell: yes\ncpus: [1]\nparents: x\ndisabled: \"true\"\n"
        #expect(try diagnostics(of: text) == [
            "a.yaml:4:10: \"retries\" must be a whole number, not \"three\"",
            "a.yaml:5:8: \"shell\" must be true or false; write true instead of yes",
            "a.yaml:6:7: \"cpus\" must be a number, not a list",
            "a.yaml:7:10: \"parents\" must be a list of strings, not \"x\"",
            "a.yaml:8:11: \"disabled\" must be true or false, not \"true\"",
        ])
    }

    @Test func resourcesAcceptNumericStringsAsChronosDoes() throws {
        let repository = try SpecFolder(["a.yaml": "name: a\ncommand: x\nschedule: \"\"\nmem: \"512\"\n"]).load()
        #expect(repository.diagnostics.isEmpty)
        #expect(repository.jobs.first?.job.mem == 512)
    }

    @Test func triggers() throws {
        #expect(try diagnostics(of: "name: a\ncommand: x\n") == [
            "a.yaml:1:1: job \"a\" needs one of \"schedule\", \"cron\" or \"parents\" (schedule: \"\" runs it once)",
        ])
        #expect(try diagnostics(of: "name: a\ncommand: x\nschedule: R/2026-01-01T00:00:00Z/P1D\ncron: \"0 0 * * *\"\n") == [
            "a.yaml:4:8: job \"a\" has both \"schedule\" and \"cron\"; keep exactly one of schedule, cron, parents",
        ])
    }

    @Test func scheduleErrorsPointAtTheBadCharacter() throws {
        #expect(try diagnostics(of: "name: a\ncommand: x\nschedule: R/2026-13-01T00:00:00Z/PT1H\n") == [
            "a.yaml:3:18: invalid schedule: month 13 is not between 01 and 12",
        ])
        #expect(try diagnostics(of: "name: a\ncommand: x\nschedule: \"R/2026-01-01T00:00:00Z/P1H\"\n") == [
            "a.yaml:3:37: invalid schedule: \"H\" is not a duration unit here; hours, minutes and seconds come after \"T\", as in \"PT1H\"",
        ])
        #expect(try diagnostics(of: "name: a\ncommand: x\ncron: \"0 25 * * *\"\n") == [
            "a.yaml:3:10: invalid cron: 25 is out of range for the hour field (0–23)",
        ])
    }

    @Test func errorsInBlockScalarsPointAtTheContent() throws {
        #expect(try diagnostics(of: "name: a\ncommand: x\nschedule: >-\n    R/2026-13-01T00:00:00Z/P1D\n") == [
            "a.yaml:4:12: invalid schedule: month 13 is not between 01 and 12",
        ])
    }

    @Test func timeZones() throws {
        #expect(try diagnostics(of: "name: a\ncommand: x\ncron: \"0 2 * * *\"\nscheduleTimeZone: America/NewYork\n") == [
            "a.yaml:4:19: unknown time zone \"America/NewYork\"; did you mean \"America/New_York\"?",
        ])
        #expect(try diagnostics(of: "name: a\ncommand: x\nschedule: R/2026-01-01T02:00:00+05:00/P1D\nscheduleTimeZone: Europe/Paris\n") == [
            "a.yaml:3:11: warning: the offset written in the schedule's start is ignored because scheduleTimeZone is set: the start is 2026-01-01T02:00:00 in Europe/Paris",
        ])
    }

    @Test func javaShortZoneIDsStillLoad() throws {
        let folder = try SpecFolder(["a.yaml": "name: a\ncommand: x\ncron: \"0 9 * * *\"\nscheduleTimeZone: PST\n"])
        #expect(folder.diagnostics() == [
            "a.yaml:4:19: warning: \"PST\" is a Java short zone ID, read as America/Los_Angeles; write the IANA name",
        ])
        #expect(folder.load().jobs.first?.schedule?.zone.identifier == "America/Los_Angeles")
    }

    @Test func scheduleWithNoRunLeftWarns() throws {
        #expect(try diagnostics(of: "name: a\ncommand: x\nschedule: R0/2020-01-01T00:00:00Z/PT1H\n") == [
            "a.yaml:3:11: warning: schedule \"R0/2020-01-01T00:00:00Z/PT1H\" has no run left after 2026-06-01T00:00:00Z; the job will never run",
        ])
    }

    @Test func aFiniteScheduleWhoseStartHasPassedSaysItRunsAtOnce() throws {
        #expect(try diagnostics(of: "name: a\ncommand: x\nschedule: R1/2020-01-01T00:00:00Z/PT1S\n") == [
            "a.yaml:3:11: warning: the start of schedule \"R1/2020-01-01T00:00:00Z/PT1S\" has passed: as in Chronos, the job runs once at once when it is first applied (its first run)",
        ])
        #expect(try diagnostics(of: "name: a\ncommand: x\nschedule: R1//P\n") == [])
    }

    @Test func namesAcrossFiles() throws {
        let folder = try SpecFolder([
            "a.yaml": "name: load\ncommand: x\nschedule: \"\"\n",
            "b.yaml": "name: load\ncommand: y\nschedule: \"\"\n---\nname: \"bad name\"\ncommand: z\nschedule: \"\"\n",
        ])
        #expect(folder.diagnostics() == [
            "b.yaml:1:7: job name \"load\" is already used at a.yaml:1:7",
            "b.yaml:5:8: job name \"bad name\" may hold only letters, digits, \"_\", \".\" and \"-\"",
        ])
    }

    @Test func parentsMustExistAndFormNoCycle() throws {
        let folder = try SpecFolder([
            "a.yaml": "name: extract\ncommand: x\nschedule: \"\"\n---\nname: report\ncommand: x\nparents: [extrakt, publish]\n",
            "b.yaml": "name: publish\ncommand: x\nparents:\n  - notify\n---\nname: notify\ncommand: x\nparents:\n  - publish\n",
        ])
        #expect(folder.diagnostics() == [
            "a.yaml:7:11: parent \"extrakt\" of job \"report\" does not exist; did you mean \"extract\"?",
            "b.yaml:4:3: dependency cycle: publish → notify → publish; each job waits for the one before it, so none can run",
        ])
    }

    @Test func defaultsApplyAndCannotNameAJob() throws {
        let folder = try SpecFolder([
            "_defaults.yaml": "defaults:\n  owner: team@example.com\n  cpus: 2\n  environmentVariables:\n    - {name: A, value: one}\n    - {name: B, value: two}\nsync:\n  prune: true\n",
            "a.yaml": "name: a\ncommand: x\nschedule: \"\"\ncpus: 0.5\nenvironmentVariables:\n  - {name: B, value: mine}\n",
        ])
        let repository = folder.load()
        #expect(repository.diagnostics.isEmpty)
        let job = try #require(repository.jobs.first?.job)
        #expect(job.owner == "team@example.com")
        #expect(job.cpus == 0.5)
        #expect(job.environmentVariables == [EnvironmentVariable(name: "A", value: "one"), EnvironmentVariable(name: "B", value: "mine")])
        #expect(repository.defaults.policy.prune)
        #expect(repository.files.count == 1)

        let bad = try SpecFolder(["_defaults.yaml": "defaults:\n  name: x\n  cpu: 1\nsink: {}\n", "a.yaml": "name: a\ncommand: x\nschedule: \"\"\n"])
        #expect(bad.diagnostics() == [
            "_defaults.yaml:2:9: \"name\" cannot have a default; set it in each job",
            "_defaults.yaml:3:3: unknown field \"cpu\" in \"defaults\"; did you mean \"cpus\"?",
            "_defaults.yaml:4:1: unknown field \"sink\" in the defaults file; did you mean \"sync\"?",
        ])
    }

    @Test func everyErrorOfAFolderIsReportedTogether() throws {
        let folder = try SpecFolder([
            "a.yaml": "name: a\ncommand: x\nschedule: \"\"\nretries: -1\n",
            "b.yaml": "name: b\n  command: x\n",
            "c.yaml": "- just\n- a list\n",
        ])
        let found = folder.diagnostics()
        #expect(found.count == 3)
        #expect(found[0] == "a.yaml:4:10: \"retries\" must be from 0 to 100, not -1")
        #expect(found[1].hasPrefix("b.yaml:2:10: YAML syntax error: "))
        #expect(found[2] == "c.yaml:1:1: a job is a mapping of fields (name, command, schedule, …), not a list")
    }

    @Test func runtimeFields() throws {
        let text = """
            name: a
            command: x
            schedule: ""
            uris: [a]
            fetch: [{uri: b}]
            retryInterval: PT5M
            maxRetryInterval: PT1M
            timeout: P1M
            concurrent: true
            concurrencyPolicy: forbid
            environmentVariables: [{name: CHRONOS_JOB_NAME, value: x}]
            constraints: [[host, LIKE, "a("]]
            """
        #expect(try diagnostics(of: text) == [
            "a.yaml:5:8: use either \"uris\" or \"fetch\", not both; \"fetch\" is the newer form",
            "a.yaml:7:19: \"maxRetryInterval\" (PT1M) is shorter than \"retryInterval\" (PT5M)",
            "a.yaml:8:10: \"timeout\" must not use years or months, which have no fixed length; write days or hours, as in P30D",
            "a.yaml:10:20: \"concurrent: true\" allows overlapping runs, but \"concurrencyPolicy\" is forbid; keep one of them",
            "a.yaml:11:23: environment variable CHRONOS_JOB_NAME is set by the scheduler and cannot be overridden",
            "a.yaml:12:14: constraint LIKE value \"a(\" is not a valid regular expression",
        ])
    }

    @Test func aFileOverTheSizeLimitIsRefused() throws {
        let big = "name: a\ncommand: x\nschedule: \"\"\ndescription: \"" + String(repeating: "x", count: 1 << 20) + "\"\n"
        let found = try diagnostics(of: big)
        #expect(found == ["a.yaml:1:1: the file is \(big.utf8.count) bytes, over the limit of 1048576"])
    }

    @Test func theRepositorysOwnJobsAreValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let repository = JobLoader.load(root.appendingPathComponent("jobs").path)
        #expect(repository.diagnostics.isEmpty, "\(repository.diagnostics)")
        #expect(repository.jobs.count >= 7)
    }
}
