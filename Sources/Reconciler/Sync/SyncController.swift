import ChronosEngine
import Foundation
import JobSpec
import Logging
import Metrics

/// Runs the steps of a sync (fetch → load → assess → plan → apply → record), of a `plan` and of a
/// saved plan's apply, one operation at a time through one queue. The steps decide; this actor only
/// carries out their decisions: it reads the source, the live jobs and the store, and writes the
/// scheduler and the store. The status is recorded whatever step a sync stopped at.
package actor SyncController {
    let source: any GitSource
    let scheduler: Scheduler
    let store: any StateStore
    let clock: any SchedulerClock
    let logger: Logger
    /// Takes the notices of failed syncs and new drift; it only queues.
    let notices: (any NoticeSink)?
    /// Sync, plan and saved-plan apply pass through it, so they never interleave.
    package let queue = SyncQueue()
    package private(set) var status = SyncStatus()
    private var history: [SyncHistoryEntry] = []
    /// What the last sync applied, once read from the store.
    private var applied: AppliedRecord?
    private var hashes = SpecHashes()

    static let statusKey = "sync.status"
    static let historyKey = "sync.history"
    static let historyLimit = 100

    package init(source: any GitSource, scheduler: Scheduler, store: any StateStore, clock: any SchedulerClock = WallClock(),
                 logger: Logger = Logger(label: "chronos-sync.git"), notices: (any NoticeSink)? = nil) {
        self.source = source
        self.notices = notices
        self.scheduler = scheduler
        self.store = store
        self.clock = clock
        self.logger = logger
        status.source = source.displayName
        status.ref = source.ref
        status.folder = source.folder
    }

    /// Reads the sync history kept by the store. Throws when the store cannot be read.
    package func restore() async throws {
        guard let text = try await store.value(for: Self.historyKey) else { return }
        do {
            history = try JSONDecoder().decode([SyncHistoryEntry].self, from: Data(text.utf8))
        } catch {
            logger.warning("\(StoredValueError(key: Self.historyKey, cause: error)); the sync history starts over")
        }
    }

    /// The latest syncs, newest first.
    package func recentHistory() -> [SyncHistoryEntry] { history }

    /// One sync of the source's ref. A sync that fails at a step is recorded, logged and returned;
    /// this throws only when the status itself cannot be recorded.
    @discardableResult
    package func sync() async throws -> SyncStatus {
        try await queue.run { try await self.syncNow() }
    }

    /// The plan a sync of the source's ref would apply now, with the errors of a commit that does not
    /// load (then the plan is empty: such a sync applies nothing).
    package func plan() async throws -> (Plan, [Diagnostic]) {
        try await queue.run { try await self.planNow() }
    }

    /// Applies a saved plan exactly: refused (`StalePlan`) when the live jobs changed since it was made,
    /// or when its commit no longer gives the same changes.
    package func applySaved(_ saved: Plan) async throws -> SyncStatus {
        try await queue.run { try await self.applySavedNow(saved) }
    }

    private func syncNow() async throws -> SyncStatus {
        let now = clock.now()
        let outcome: SyncOutcome
        var steps = StepTimes()
        do throws(SyncFailure) {
            let revision = try await FetchStep.run(source)
            steps.end("fetch")
            let snapshot = try await LoadStep.run(source, revision, now: Instant(millis: now))
            steps.end("load")
            let (live, recorded) = try await liveAndRecord(revision: revision.commit)
            let planned = SyncPlan.make(snapshot, live: live, record: recorded, hashes: &hashes, fingerprinted: false)
            steps.end("plan")
            if let reason = planned.plan.refused {
                outcome = .refused(revision: snapshot.commit, planned: planned, reason: reason)
            } else {
                try await apply(planned.plan, planned, snapshot: snapshot, record: recorded, now: now)
                steps.end("apply")
                outcome = .applied(revision: snapshot.commit, applied: planned.plan, planned: planned)
            }
        } catch {
            outcome = .failed(error)
        }
        let status = try await record(outcome, at: now)
        steps.end("record")
        logger.debug("sync took \(steps)")
        return status
    }

    private func planNow() async throws -> (Plan, [Diagnostic]) {
        let revision = try await FetchStep.run(source)
        let snapshot: Snapshot
        do throws(SyncFailure) {
            snapshot = try await LoadStep.run(source, revision, now: Instant(millis: clock.now()))
        } catch {
            guard error.isInvalidCommit else { throw error }
            let empty = Plan.empty(revision: revision.commit)
            return (empty, error.diagnostics)
        }
        let (live, recorded) = try await liveAndRecord(revision: revision.commit)
        let planned = SyncPlan.make(snapshot, live: live, record: recorded, hashes: &hashes, fingerprinted: true)
        return (planned.plan, snapshot.repository.diagnostics)
    }

    private func applySavedNow(_ saved: Plan) async throws -> SyncStatus {
        let now = clock.now()
        let revision = try await FetchStep.run(source, revision: saved.revision)
        let snapshot: Snapshot
        do throws(SyncFailure) {
            snapshot = try await LoadStep.run(source, revision, now: Instant(millis: now))
        } catch {
            guard error.isInvalidCommit else { throw error }
            throw StalePlan(description: "revision \(saved.revision.prefix(12)) does not load: \(error.diagnostics[0])")
        }
        let (live, recorded) = try await liveAndRecord(revision: revision.commit)
        guard Plan.fingerprint(live) == saved.liveFingerprint else {
            throw StalePlan(description: "the live jobs changed since the plan was made; make a new plan")
        }
        let planned = SyncPlan.make(snapshot, live: live, record: recorded, hashes: &hashes, fingerprinted: false)
        guard planned.plan.changes == saved.changes, planned.plan.refused == nil else {
            throw StalePlan(description: "revision \(saved.revision.prefix(12)) no longer gives the saved changes; make a new plan")
        }
        let outcome: SyncOutcome
        do throws(SyncFailure) {
            try await apply(saved, planned, snapshot: snapshot, record: recorded, now: now)
            outcome = .applied(revision: snapshot.commit, applied: saved, planned: planned)
        } catch {
            outcome = .failed(error)
        }
        let status = try await record(outcome, at: now)
        if case .failed(let failure) = outcome { throw failure }
        return status
    }

    /// The live jobs, and what the last sync applied (read from the store once).
    private func liveAndRecord(revision: String) async throws(SyncFailure) -> ([LiveJob], AppliedRecord) {
        let live = await scheduler.sourcedJobs().map { LiveJob(job: $0.job, source: $0.source) }
        if let applied { return (live, applied) }
        do {
            let record = try await AppliedRecord.load(from: store)
            applied = record
            return (live, record)
        } catch {
            throw SyncFailure(step: .assess, revision: revision, cause: error)
        }
    }

    /// The apply step's effects: the scheduler's jobs first, then the record of what now runs.
    private func apply(_ plan: Plan, _ planned: SyncPlan, snapshot: Snapshot, record: AppliedRecord, now: Int64) async throws(SyncFailure) {
        let changes = SyncChanges.make(applying: plan, planned, snapshot: snapshot, previous: record, now: now, hashes: &hashes)
        do {
            if !changes.isEmpty {
                try await scheduler.sync(upserts: changes.upserts, deletes: changes.deletes)
                logger.info("applied revision \(snapshot.commit.prefix(12)): \(plan.count(.create)) created, \(plan.count(.update) + plan.count(.replace)) updated, \(changes.deletes.count) deleted")
            }
            if changes.record != record {
                try await changes.record.save(to: store)
                applied = changes.record
            }
        } catch {
            // The record is read again next time, so it never claims what was not written.
            applied = nil
            throw SyncFailure(step: .apply, revision: snapshot.commit, cause: error)
        }
    }

    /// The record step's effects: the status and the history in the store, the log, the metrics.
    private func record(_ outcome: SyncOutcome, at now: Int64) async throws -> SyncStatus {
        let report = status.record(outcome, at: now)
        history.insert(report.entry, at: 0)
        if history.count > Self.historyLimit { history.removeLast(history.count - Self.historyLimit) }
        logger.log(level: report.level, "\(report.log)")
        if !report.notices.isEmpty { notices?.post(report.notices) }
        Counter(label: "chronos_syncs_total", dimensions: [("state", status.state.rawValue)]).increment()
        Timer(label: "chronos_sync_duration_seconds", dimensions: [("state", status.state.rawValue)]).recordMilliseconds(max(0, clock.now() - now))
        if case .failed = outcome {} else {
            Gauge(label: "chronos_sync_drift_jobs").record(report.driftRemaining)
            if report.driftDetected > 0 { Counter(label: "chronos_sync_drift_detected_total").increment(by: report.driftDetected) }
        }
        do {
            let encoder = JSONEncoder()
            try await store.setValue(String(decoding: try encoder.encode(status), as: UTF8.self), for: Self.statusKey)
            try await store.setValue(String(decoding: try encoder.encode(history), as: UTF8.self), for: Self.historyKey)
        } catch {
            throw SyncFailure(step: .record, revision: status.revision, cause: error)
        }
        return status
    }
}
