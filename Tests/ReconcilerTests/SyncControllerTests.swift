import ChronosEngine
import Foundation
import JobSpec
import Testing
@testable import Reconciler

/// The sync steps end to end, on the in-memory git source, store and scheduler.
@Suite struct SyncControllerTests {
    /// The record is written without the encoder; it must read back through `Codable` as it was.
    @Test func theAppliedRecordIsStoredAsItsCodableReadsIt() throws {
        let records = [AppliedRecord(), AppliedRecord(revision: "abc", jobs: ["a": "1f", "b.c-d_e": "ffff", "q\"\\\n": "0"])]
        for record in records {
            #expect(try JSONDecoder().decode(AppliedRecord.self, from: Data(record.json.utf8)) == record)
        }
    }

    @Test func appliesACommitAndRecordsWhatItApplied() async throws {
        let h = SyncHarness()
        let commit = h.source.commit(["a.yaml": jobA, "b.yaml": jobB])
        let status = try await h.controller.sync()
        #expect(status.state == .Synced && status.appliedRevision == commit, "\(status.message)")
        #expect(await Set(h.live().keys) == ["a", "b"])
        let record = try await AppliedRecord.load(from: h.store)
        #expect(record.revision == commit && Set(record.jobs.keys) == ["a", "b"])
        #expect(await h.controller.recentHistory().map(\.revision) == [commit])
    }

    @Test func driftIsReportedAndLeftAloneUntilSelfHealRevertsIt() async throws {
        let h = SyncHarness()
        h.source.commit(["a.yaml": jobA])
        try await h.controller.sync()
        try await h.postThroughAPI(jobA.replacingOccurrences(of: "echo a", with: "echo changed-outside"))
        let drifted = try await h.controller.sync()
        #expect(drifted.state == .OutOfSync)
        #expect(drifted.drift.map(\.name) == ["a"] && drifted.drift[0].kind == .modified)
        #expect(drifted.drift[0].fields.contains(Plan.FieldChange(field: "command", old: "\"echo a\"", new: "\"echo changed-outside\"")))
        #expect(await h.live()["a"]?.job.command == "echo changed-outside", "without self-heal drift stays")
        h.source.commit(["a.yaml": jobA, "_defaults.yaml": "sync:\n  selfHeal: true\n"])
        let healed = try await h.controller.sync()
        #expect(await h.live()["a"]?.job.command == "echo a")
        #expect(healed.state == .Synced && healed.drift.isEmpty, "\(healed.message)")
    }

    @Test func anAPIJobThatGitClaimsIsAConflictUntilItIsIdentical() async throws {
        let h = SyncHarness()
        h.source.commit(["a.yaml": jobA])
        try await h.controller.sync()
        let gitX = "name: x\ncommand: echo git\nschedule: R/2030-01-01T00:00:00Z/P1D\n"
        try await h.postThroughAPI(gitX.replacingOccurrences(of: "echo git", with: "echo api"))
        h.source.commit(["a.yaml": jobA, "x.yaml": gitX])
        let conflict = try await h.controller.sync()
        #expect(conflict.drift.map(\.name) == ["x"] && conflict.drift[0].kind == .modified)
        #expect(await h.live()["x"]?.job.command == "echo api", "not overwritten without self-heal")
        let (plan, _) = try await h.controller.plan()
        #expect(!plan.changes.contains { $0.name == "x" }, "the plan shows what a sync does")
        // Re-posted exactly as git has it: git adopts it.
        try await h.postThroughAPI(gitX)
        let adopted = try await h.controller.sync()
        #expect(adopted.state == .Synced && adopted.drift.isEmpty, "\(adopted.message)")
        #expect(await h.live()["x"]?.source == .spec(location: "jobs/x.yaml:1:1"))
        #expect(try await AppliedRecord.load(from: h.store).jobs["x"] != nil)
    }

    @Test func withSelfHealGitWinsAConflictWithAnAPIJob() async throws {
        let h = SyncHarness()
        let gitX = "name: x\ncommand: echo git\nschedule: R/2030-01-01T00:00:00Z/P1D\n"
        try await h.postThroughAPI(gitX.replacingOccurrences(of: "echo git", with: "echo api"))
        h.source.commit(["x.yaml": gitX, "_defaults.yaml": "sync:\n  selfHeal: true\n"])
        let status = try await h.controller.sync()
        #expect(status.state == .Synced && status.drift.isEmpty, "\(status.message)")
        #expect(await h.live()["x"]?.job.command == "echo git")
        #expect(await h.live()["x"]?.source == .spec(location: "jobs/x.yaml:1:1"))
    }

    @Test func aCommitThatDeletesEveryJobIsRefusedUnlessAllowed() async throws {
        let h = SyncHarness()
        let prune = "sync:\n  prune: true\n"
        let kept = h.source.commit(["a.yaml": jobA, "b.yaml": jobB, "_defaults.yaml": prune])
        try await h.controller.sync()
        h.source.commit(["_defaults.yaml": prune])
        let refused = try await h.controller.sync()
        #expect(refused.state == .OutOfSync && refused.message.hasPrefix("not applied"), "\(refused.message)")
        #expect(refused.appliedRevision == kept)
        #expect(await Set(h.live().keys) == ["a", "b"])
        #expect(h.logs.messages(at: .warning).contains { $0.contains("not applied") })
        h.source.commit(["_defaults.yaml": prune + "  allowEmpty: true\n"])
        let emptied = try await h.controller.sync()
        #expect(emptied.state == .Synced, "\(emptied.message)")
        #expect(await h.live().isEmpty)
    }

    @Test func aSavedPlanIsRefusedOnceTheLiveJobsChanged() async throws {
        let h = SyncHarness()
        h.source.commit(["a.yaml": jobA])
        try await h.controller.sync()
        let second = h.source.commit(["a.yaml": jobA, "b.yaml": jobB])
        let (saved, _) = try await h.controller.plan()
        #expect(saved.changes.map(\.name) == ["b"])
        try await h.postThroughAPI("name: made-by-api\ncommand: \"true\"\nschedule: R/2030-01-01T00:00:00Z/P1D\n")
        await #expect(throws: StalePlan.self) { try await h.controller.applySaved(saved) }
        #expect(await h.live()["b"] == nil)
        let (fresh, _) = try await h.controller.plan()
        let status = try await h.controller.applySaved(fresh)
        #expect(status.appliedRevision == second)
        #expect(await h.live()["b"] != nil)
    }

    @Test func aBrokenCommitAppliesNothingAndLogsWhereItIsBroken() async throws {
        let h = SyncHarness()
        let good = h.source.commit(["a.yaml": jobA, "b.yaml": jobB])
        try await h.controller.sync()
        let bad = h.source.commit(["a.yaml": jobA, "b.yaml": "name: b\ncomand: echo b\nparents: [a]\n"])
        let status = try await h.controller.sync()
        #expect(status.state == .OutOfSync && status.revision == bad && status.appliedRevision == good)
        #expect(status.errors.contains { $0.hasPrefix("jobs/b.yaml:2:1: unknown field \"comand\"") }, "\(status.errors)")
        #expect(await h.live()["b"]?.job.command == "echo b")
        let warnings = h.logs.messages(at: .warning)
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains(String(bad.prefix(12))) == true && warnings.first?.contains("\njobs/b.yaml:2:1: unknown field") == true,
                "\(warnings)")
        try await h.controller.sync()
        #expect(h.logs.messages(at: .warning).count == 1, "the same failure is not reported again on every interval")
    }

    @Test func anUnreadableRepositoryIsAFailedSyncNeverACommitWithoutJobs() async throws {
        let h = SyncHarness()
        let good = h.source.commit(["a.yaml": jobA, "_defaults.yaml": "sync:\n  prune: true\n  allowEmpty: true\n"])
        try await h.controller.sync()
        h.source.failing = true
        let status = try await h.controller.sync()
        #expect(status.state == .Unknown && status.appliedRevision == good)
        #expect(status.message.contains("fetch of main failed") && status.message.contains("nothing applied"), "\(status.message)")
        #expect(await h.live()["a"] != nil, "nothing pruned")
        #expect(h.logs.messages(at: .warning).first?.contains("connection refused") == true)
        #expect(await h.controller.recentHistory().first?.state == "Unknown")
    }

    @Test func aRecordThatCannotBeWrittenFailsTheApplyAndTheNextSyncCatchesUp() async throws {
        let h = SyncHarness()
        h.source.commit(["a.yaml": jobA])
        try await h.controller.sync()
        let second = h.source.commit(["a.yaml": jobA, "b.yaml": jobB])
        h.store.failWrites(of: AppliedRecord.key)
        let failed = try await h.controller.sync()
        #expect(failed.state == .Unknown && failed.message.hasPrefix("apply of revision"), "\(failed.message)")
        #expect(failed.appliedRevision != second)
        h.store.failWrites(of: nil)
        let caughtUp = try await h.controller.sync()
        #expect(caughtUp.state == .Synced && caughtUp.appliedRevision == second, "\(caughtUp.message)")
        #expect(try await AppliedRecord.load(from: h.store).jobs.keys.sorted() == ["a", "b"])
    }

    @Test func aStatusThatCannotBeRecordedStopsTheSyncWithTheStoresError() async throws {
        let h = SyncHarness()
        h.source.commit(["a.yaml": jobA])
        h.store.failing = true
        await #expect(throws: SyncFailure.self) { try await h.controller.sync() }
    }

    @Test func planFromTheStoreRunsTheSyncsOwnSteps() async throws {
        let h = SyncHarness()
        h.source.commit(["a.yaml": jobA])
        try await h.controller.sync()
        try await h.postThroughAPI(jobA.replacingOccurrences(of: "echo a", with: "echo changed-outside"))
        h.source.commit(["a.yaml": jobA, "b.yaml": jobB])
        // What `plan --data` does: the stored jobs and the stored record, through the same steps.
        let revision = try await FetchStep.run(h.source)
        let snapshot = try await LoadStep.run(h.source, revision, now: .now)
        let stored = try await h.store.load().jobs.map { LiveJob(job: $0.job, source: $0.source) }
        var hashes = SpecHashes()
        let fromStore = SyncPlan.make(snapshot, live: stored, record: try await AppliedRecord.load(from: h.store), hashes: &hashes, fingerprinted: true)
        let (fromServer, _) = try await h.controller.plan()
        #expect(fromStore.plan == fromServer)
        #expect(fromServer.changes.map(\.name) == ["b"], "the drifted a is left alone, as a sync leaves it")
        #expect(fromStore.full.changes.map(\.name).sorted() == ["a", "b"])
    }
}
