import ChronosEngine
import Foundation
import JobSpec
import Logging
import Metrics
import ServiceLifecycle

/// The sync loop: every `interval` (with jitter), or at once when triggered (the webhook), fetch →
/// load → validate → plan → apply → record. A commit that does not load applies nothing: the jobs
/// applied before keep running and the status names the file and the error.
public actor GitSync: Service {
    let source: GitSource
    let scheduler: Scheduler
    let store: any StateStore
    let interval: Duration
    let logger: Logger
    public private(set) var status = SyncStatus()
    private var history: [SyncHistoryEntry] = []
    /// What the last sync applied, as stored.
    private var applied: AppliedRecord?
    /// Spec hashes by job name, with the spec they were computed from, so an unchanged job is not hashed again.
    private var hashes: [String: (job: Job, hash: String)] = [:]
    private let triggers: AsyncStream<Void>
    private let triggerSink: AsyncStream<Void>.Continuation

    static let appliedKey = "sync.applied"
    static let statusKey = "sync.status"
    static let historyKey = "sync.history"

    public init(source: GitSource, scheduler: Scheduler, store: any StateStore, interval: Duration = .seconds(60),
                logger: Logger = Logger(label: "chronos-sync.git")) {
        self.source = source
        self.scheduler = scheduler
        self.store = store
        self.interval = interval
        self.logger = logger
        (triggers, triggerSink) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
        status.source = source.displayName
        status.ref = source.options.ref ?? "HEAD"
        status.folder = source.options.folder
    }

    /// Asks for a sync now (the webhook, `POST /v1/sync/trigger`).
    public nonisolated func trigger() { triggerSink.yield() }

    public func run() async throws {
        if let saved = try? await store.value(for: Self.historyKey), let data = saved.data(using: .utf8),
           let entries = try? JSONDecoder().decode([SyncHistoryEntry].self, from: data) {
            history = entries
        }
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                _ = await self.sync()
                try await self.wait()
            }
        }
    }

    /// Sleeps for the interval with up to 10 % jitter, or until triggered.
    private func wait() async throws {
        let jitter = Double.random(in: 0...0.1)
        let delay = interval + interval * jitter
        let triggers = self.triggers
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await Task.sleep(for: delay) }
            group.addTask { for await _ in triggers { return } }
            try await group.next()
            group.cancelAll()
        }
    }

    /// One sync; returns the status it leaves.
    @discardableResult
    public func sync() async -> SyncStatus {
        let now = Instant.now.millis
        status.lastAttempt = now
        do {
            let clock = ContinuousClock()
            let started = clock.now
            let snapshot = try await source.load()
            logger.debug("sync: loaded \(snapshot.commit.prefix(12)) in \(clock.now - started)")
            status.revision = snapshot.commit
            guard snapshot.repository.isValid else {
                let errors = snapshot.repository.diagnostics.errors
                status.state = .OutOfSync
                status.errors = errors.map(\.description)
                status.message = "revision \(snapshot.commit.prefix(12)) does not load (\(errors.count) error\(errors.count == 1 ? "" : "s"), first \(errors.first.map(\.description) ?? "")); nothing applied, revision \(status.appliedRevision.isEmpty ? "none" : String(status.appliedRevision.prefix(12))) keeps running"
                await record()
                return status
            }
            status.errors = []
            try await apply(snapshot, now: now)
            logger.debug("sync: applied in \(clock.now - started)")
        } catch {
            status.state = .Unknown
            status.message = "\(error)"
        }
        let clock = ContinuousClock()
        let recording = clock.now
        await record()
        Counter(label: "chronos_syncs_total", dimensions: [("state", status.state.rawValue)]).increment()
        logger.debug("sync: recorded in \(clock.now - recording)")
        return status
    }

    /// A plan that cannot be applied as it was saved.
    public struct StalePlan: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Applies a saved plan exactly: refused when the live jobs changed since it was made, or when the
    /// commit's jobs no longer give the same changes.
    public func applySaved(_ saved: Plan) async throws -> SyncStatus {
        let live = await liveJobs()
        guard Plan.fingerprint(live) == saved.liveFingerprint else {
            throw StalePlan(description: "the live jobs changed since the plan was made; make a new plan")
        }
        let snapshot = try await source.load(revision: saved.revision)
        guard snapshot.repository.isValid else {
            throw StalePlan(description: "revision \(saved.revision.prefix(12)) does not load: \(snapshot.repository.diagnostics.errors.first?.description ?? "")")
        }
        let fresh = Plan.make(desired: snapshot.repository.jobs, live: live, policy: snapshot.repository.defaults.policy, revision: snapshot.commit)
        guard fresh.changes == saved.changes, fresh.refused == nil else {
            throw StalePlan(description: "revision \(saved.revision.prefix(12)) no longer gives the saved changes; make a new plan")
        }
        let now = Instant.now.millis
        status.lastAttempt = now
        status.revision = snapshot.commit
        status.errors = []
        try await apply(snapshot, now: now)
        await record()
        return status
    }

    /// The plan for the commit the source has now, without applying it.
    public func plan() async throws -> (Plan, [Diagnostic]) {
        let snapshot = try await source.load()
        let live = await liveJobs()
        let plan = Plan.make(desired: snapshot.repository.jobs, live: live, policy: snapshot.repository.defaults.policy, revision: snapshot.commit)
        return (plan, snapshot.repository.diagnostics)
    }

    func liveJobs() async -> [LiveJob] {
        await scheduler.statuses().map { LiveJob(job: $0.job, source: $0.source) }
    }

    /// The spec hash of a job, remembered while the job does not change.
    private func hash(_ job: Job) -> String {
        if let known = hashes[job.name], known.job == job { return known.hash }
        let hash = job.specHash
        hashes[job.name] = (job, hash)
        return hash
    }

    private func appliedRecord() async -> AppliedRecord {
        if let applied { return applied }
        guard let text = try? await store.value(for: Self.appliedKey), let data = text.data(using: .utf8),
              let record = try? JSONDecoder().decode(AppliedRecord.self, from: data) else { return AppliedRecord() }
        applied = record
        return record
    }

    private func apply(_ snapshot: Snapshot, now: Int64) async throws {
        let policy = snapshot.repository.defaults.policy
        let desired = snapshot.repository.jobs
        let live = await liveJobs()
        let liveByName = Dictionary(live.map { ($0.job.name, $0) }, uniquingKeysWith: { a, _ in a })
        let record = await appliedRecord()
        // Drift: live jobs that differ from what the last sync applied.
        var drift: [DriftItem] = []
        var drifted: Set<String> = []
        let desiredByName = Dictionary(desired.map { ($0.job.name, $0.job) }, uniquingKeysWith: { a, _ in a })
        for (name, hash) in record.jobs.sorted(by: { $0.key < $1.key }) {
            guard let current = liveByName[name] else {
                drift.append(DriftItem(name: name, kind: .deleted, fields: []))
                drifted.insert(name)
                continue
            }
            if current.isUnmanaged || self.hash(current.job) != hash {
                drift.append(DriftItem(name: name, kind: .modified, fields: Plan.fields(old: desiredByName[name], new: current.job)))
                drifted.insert(name)
            }
        }
        for job in live where job.isUnmanaged && record.jobs[job.job.name] == nil && desiredByName[job.job.name] == nil {
            drift.append(DriftItem(name: job.job.name, kind: .created, fields: []))
        }
        var plan = Plan.make(desired: desired, live: live, policy: policy, revision: snapshot.commit, fingerprinted: false)
        if let refused = plan.refused {
            status.state = .OutOfSync
            status.message = "not applied: \(refused)"
            status.plan = plan
            status.drift = drift
            return
        }
        // Without self-heal, drift is reported, not reverted: a drifted job changes only when git changes it.
        let full = plan
        if !policy.selfHeal {
            plan.changes.removeAll { change in
                drifted.contains(change.name) && desiredByName[change.name].map(hash) == record.jobs[change.name]
            }
        }
        let definitions = Dictionary(desired.map { ($0.job.name, $0) }, uniquingKeysWith: { a, _ in a })
        let upserts = plan.changes.filter { $0.action != .delete }.compactMap { change -> AppliedJob? in
            guard let definition = definitions[change.name] else { return nil }
            return AppliedJob(job: definition.job, source: definition.location(), appliedAt: now)
        }
        let deletes = plan.changes.filter { $0.action == .delete }.map(\.name)
        if !plan.changes.isEmpty {
            try await scheduler.sync(upserts: upserts, deletes: deletes)
            logger.info("applied revision \(snapshot.commit.prefix(12)): \(plan.count(.create)) created, \(plan.count(.update) + plan.count(.replace)) updated, \(deletes.count) deleted")
        }
        // The record: every desired job as it now runs, except drift left in place.
        var jobs: [String: String] = [:]
        for job in desired where !(drifted.contains(job.job.name) && !plan.changes.contains { $0.name == job.job.name }) {
            jobs[job.job.name] = hash(job.job)
        }
        for name in drifted where jobs[name] == nil { if let hash = record.jobs[name] { jobs[name] = hash } }
        for name in deletes { jobs[name] = nil }
        let updated = AppliedRecord(revision: snapshot.commit, jobs: jobs)
        if updated.revision != record.revision || updated.jobs != record.jobs {
            let encoded = String(decoding: try JSONEncoder().encode(updated), as: UTF8.self)
            try await store.setValue(encoded, for: Self.appliedKey)
            applied = updated
        }
        status.appliedRevision = snapshot.commit
        status.lastApplied = now
        // What is left different after this sync: the drift left in place, and jobs not pruned.
        var remaining = full
        remaining.changes = full.changes.filter { change in !plan.changes.contains { $0.name == change.name } }
        status.plan = remaining
        let stillDrifted = policy.selfHeal ? drift.filter { $0.kind == .created } : drift
        status.drift = stillDrifted
        Gauge(label: "chronos_sync_drift_jobs").record(stillDrifted.count)
        if !drift.isEmpty { Counter(label: "chronos_sync_drift_detected_total").increment(by: drift.count) }
        let inSync = remaining.changes.isEmpty && remaining.notPruned.isEmpty
        status.state = inSync ? .Synced : .OutOfSync
        var notes: [String] = []
        if !stillDrifted.isEmpty { notes.append("\(stillDrifted.count) job(s) changed outside git") }
        if !remaining.notPruned.isEmpty { notes.append("\(remaining.notPruned.count) job(s) left git but stay (prune is off)") }
        status.message = "revision \(snapshot.commit.prefix(12)) applied" + (notes.isEmpty ? "" : "; " + notes.joined(separator: "; "))
    }

    private func record() async {
        history.insert(SyncHistoryEntry(at: status.lastAttempt ?? 0, revision: status.revision, state: status.state.rawValue, message: status.message), at: 0)
        if history.count > 100 { history.removeLast(history.count - 100) }
        let encoder = JSONEncoder()
        if let data = try? encoder.encode(status) { try? await store.setValue(String(decoding: data, as: UTF8.self), for: Self.statusKey) }
        if let data = try? encoder.encode(history) { try? await store.setValue(String(decoding: data, as: UTF8.self), for: Self.historyKey) }
    }

    /// The latest syncs, newest first.
    public func recentHistory() -> [SyncHistoryEntry] { history }
}
