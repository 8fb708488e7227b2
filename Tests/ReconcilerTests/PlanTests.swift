import Foundation
import Testing
import JobSpec
@testable import Reconciler

func definition(_ name: String, _ fields: (inout Job) -> Void = { _ in }) -> JobDefinition {
    var job = Job(name: name)
    job.command = "echo \(name)"
    job.schedule = "R/2030-01-01T00:00:00Z/P1D"
    fields(&job)
    return JobDefinition(job: job, file: "jobs/\(name).yaml", mark: Mark(line: 1, column: 1), fieldMarks: [:], parentMarks: [], schedule: nil)
}

@Suite struct PlanTests {
    @Test func createsUpdatesAndFieldChanges() {
        let live = [LiveJob(job: definition("a").job, source: .spec(location: "jobs/a.yaml:1:1")), LiveJob(job: definition("b").job, source: .spec(location: "jobs/b.yaml:1:1"))]
        let desired = [definition("a") { $0.command = "echo A"; $0.retries = 5 }, definition("b"), definition("c")]
        let plan = Plan.make(desired: desired, live: live, policy: SyncPolicy(), revision: "abc")
        #expect(plan.changes.map(\.action) == [.update, .create])
        #expect(plan.changes[0].fields == [
            Plan.FieldChange(field: "command", old: "\"echo a\"", new: "\"echo A\""),
            Plan.FieldChange(field: "retries", old: "2", new: "5"),
        ])
        #expect(plan.changes[1].fields.contains(Plan.FieldChange(field: "command", old: nil, new: "\"echo c\"")))
        #expect(!plan.changes[1].fields.contains { $0.field == "retries" }, "a create lists only fields that differ from the defaults")
        #expect(plan.text().hasSuffix("Plan: 1 to create, 1 to update, 0 to replace, 0 to delete (revision abc).\n"))
    }

    @Test func jsonIsWhatJSONEncoderWrites() throws {
        let odd = "quote \" backslash \\ slash / tab \t newline \n controls \u{0}\u{1}\u{8}\u{B}\u{C}\u{D}\u{1F}\u{7F} é 日本 🙂"
        let desired = [definition("a") { $0.command = odd; $0.description = odd }, definition("b")]
        let live = [LiveJob(job: definition("a").job, source: .spec(location: "jobs/a.yaml:1:1")),
                    LiveJob(job: definition("gone").job, source: .spec(location: "jobs/gone.yaml:1:1")),
                    LiveJob(job: definition("api").job, source: .api)]
        var plan = Plan.make(desired: desired, live: live, policy: SyncPolicy(), revision: odd)
        #expect(!plan.notPruned.isEmpty && !plan.unmanaged.isEmpty && plan.changes.count == 2)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        #expect(plan.prettyJSON() == Array(try encoder.encode(plan)))
        plan.refused = odd
        plan.changes = []
        plan.notPruned = []
        #expect(plan.prettyJSON() == Array(try encoder.encode(plan)))
    }

    @Test func parentsFirstOnCreateChildrenFirstOnDelete() {
        var policy = SyncPolicy()
        policy.prune = true
        let desired = [definition("z-child") { $0.schedule = nil; $0.parents = ["a-parent"] }, definition("a-parent")]
        let created = Plan.make(desired: desired, live: [], policy: policy, revision: "r")
        #expect(created.changes.map(\.name) == ["a-parent", "z-child"])
        let live = desired.map { LiveJob(job: $0.job, source: .spec(location: $0.location())) }
        let deleted = Plan.make(desired: [definition("other")], live: live, policy: policy, revision: "r")
        #expect(deleted.changes.filter { $0.action == .delete }.map(\.name) == ["z-child", "a-parent"])
    }

    @Test func pruneOffKeepsJobsAndUnmanagedJobsAreLeftAlone() {
        let live = [LiveJob(job: definition("gone").job, source: .spec(location: "jobs/gone.yaml:1:1")), LiveJob(job: definition("made-by-api").job, source: .api)]
        let plan = Plan.make(desired: [], live: live, policy: SyncPolicy(), revision: "r")
        #expect(plan.changes.isEmpty)
        #expect(plan.notPruned == ["gone"])
        #expect(plan.unmanaged == ["made-by-api"])
        #expect(plan.refused == nil)
    }

    @Test func anEmptyCommitIsRefusedUnlessAllowed() {
        var policy = SyncPolicy()
        policy.prune = true
        let live = [LiveJob(job: definition("a").job, source: .spec(location: "jobs/a.yaml:1:1"))]
        #expect(Plan.make(desired: [], live: live, policy: policy, revision: "r").refused?.contains("allowEmpty") == true)
        policy.allowEmpty = true
        #expect(Plan.make(desired: [], live: live, policy: policy, revision: "r").refused == nil)
    }

    @Test func aTriggerKindChangeIsAReplace() {
        let live = [LiveJob(job: definition("a").job, source: .spec(location: "x"))]
        let plan = Plan.make(desired: [definition("a") { $0.schedule = nil; $0.parents = ["b"] }, definition("b")], live: live, policy: SyncPolicy(), revision: "r")
        #expect(plan.changes.first { $0.name == "a" }?.action == .replace)
    }

    @Test func fingerprintsFollowTheLiveJobs() {
        let one = [LiveJob(job: definition("a").job, source: .spec(location: "x"))]
        let edited = [LiveJob(job: definition("a") { $0.retries = 9 }.job, source: .spec(location: "x"))]
        #expect(Plan.fingerprint(one) == Plan.fingerprint(one))
        #expect(Plan.fingerprint(one) != Plan.fingerprint(edited))
        #expect(Plan.fingerprint(one) != Plan.fingerprint([LiveJob(job: definition("a").job, source: .api)]))
    }

}
