import Foundation
import Testing
import ChronosEngine
import JobSpec
@testable import ChronosAPI

func status(_ name: String, state: JobState = JobState(firstApplied: 0), running: Int = 0, queued: Int = 0, _ fields: (inout Job) -> Void = { _ in }) -> JobStatus {
    var job = Job(name: name)
    job.command = "echo \(name)"
    fields(&job)
    return JobStatus(job: job, source: .spec(location: "test"), state: state, disabled: job.disabled, queued: queued, running: running, nextDue: nil)
}

@Suite struct ChronosJSONTests {
    @Test func aJobCarriesChronosCountersAndItsScheduleAsWritten() throws {
        var state = JobState(firstApplied: 0)
        state.successCount = 3
        state.errorCount = 1
        state.lastSuccess = 1_767_225_600_250  // 2026-01-01T00:00:00.250Z
        let s = status("etl", state: state) { $0.schedule = "R/2026-01-01T02:00:00/P1D"; $0.scheduleTimeZone = "Europe/Paris" }
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(ChronosJobJSON(status: s))) as! [String: Any]
        #expect(object["name"] as? String == "etl")
        #expect(object["schedule"] as? String == "R/2026-01-01T02:00:00/P1D")
        #expect(object["scheduleTimeZone"] as? String == "Europe/Paris")
        #expect(object["successCount"] as? Int == 3)
        #expect(object["errorCount"] as? Int == 1)
        #expect(object["lastSuccess"] as? String == "2026-01-01T00:00:00.250Z")
        #expect(object["lastError"] as? String == "")
        #expect(object["parents"] == nil)
        #expect(object["shell"] as? Bool == true)
    }

    @Test func summaryStatusAndState() {
        var failedLast = JobState(firstApplied: 0)
        failedLast.lastSuccess = 10
        failedLast.lastError = 20
        #expect(JobSummary(status("a")).status == "fresh")
        #expect(JobSummary(status("a", state: failedLast)).status == "failure")
        #expect(JobSummary(status("a", running: 2)).state == "2 running")
        #expect(JobSummary(status("a", queued: 1)).state == "queued")
        #expect(JobSummary(status("a")).state == "idle")
        #expect(JobSummary(status("c") { $0.parents = ["a"] }).schedule == "")
        #expect(JobSummary(status("c") { $0.cron = "0 2 * * *" }).schedule == "0 2 * * *")
    }

    @Test func graphs() {
        let jobs = [status("a") { $0.schedule = "" }, status("b") { $0.parents = ["a"] }]
        #expect(Graph.csv(jobs) == "node,a,fresh,idle\nnode,b,fresh,idle\nlink,a,b\n")
        #expect(Graph.dot(jobs) == "digraph G {\n  1 [label=\"a\"];\n  2 [label=\"b\"];\n  1 -> 2;\n}\n")
    }

    @Test func histogramUsesNearestRank() {
        let h = Routes.Histogram([400, 100, 300, 200])
        #expect(h.median == 200)
        #expect(h.p75 == 300)
        #expect(h.p99 == 400)
        #expect(h.mean == 250)
        #expect(h.count == 4)
        #expect(Routes.Histogram([]).p99 == 0)
    }

    @Test func credentialsCompareWholly() {
        let right = Array("ops:secret".utf8)
        #expect(Digest.constantTimeEqual(right, right))
        #expect(!Digest.constantTimeEqual(Array("ops:secreT".utf8), right))
        #expect(!Digest.constantTimeEqual(Array("ops:secret!".utf8), right))
        #expect(!Digest.constantTimeEqual([], right))
        #expect(!Digest.constantTimeEqual(right + [UInt8](repeating: 0, count: 256), right))
    }

    @Test func digestsMatchKnownAnswers() {
        #expect(Digest.hex(Digest.sha256(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // RFC 4231, test case 2.
        let mac = Digest.hmacSHA256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(Digest.hex(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func chronosTimesAreUTC() {
        #expect(Routes.chronosTime(1_767_225_600_000) == "01/01/26 00:00:00")
    }
}

import Hummingbird
typealias BasicRequestContextStub = BasicRequestContext
