import ChronosEngine
import Foundation
import JobSpec
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

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
    /// Set by `trigger()` from any thread; the loop takes it.
    private let triggered = Mutex(false)

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
        status.source = source.displayName
        status.ref = source.options.ref ?? "HEAD"
        status.folder = source.options.folder
    }

    /// Asks for a sync now (the webhook, `POST /v1/sync/trigger`).
    public nonisolated func trigger() { triggered.withLock { $0 = true } }

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

    /// Sleeps for the interval with up to 10 % jitter, or until triggered (checked every 20 ms).
    private func wait() async throws {
        let jitter = Double.random(in: 0...0.1)
        let deadline = ContinuousClock.now + interval + interval * jitter
        while ContinuousClock.now < deadline {
            if triggered.withLock({ flag in defer { flag = false }; return flag }) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        triggered.withLock { $0 = false }
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
        let snapshot = try await source.load(revision: saved.revision)
        guard snapshot.repository.isValid else {
            throw StalePlan(description: "revision \(saved.revision.prefix(12)) does not load: \(snapshot.repository.diagnostics.errors.first?.description ?? "")")
        }
        // Checked and applied without a suspension in between that another change could use.
        let live = await liveJobs()
        guard Plan.fingerprint(live) == saved.liveFingerprint else {
            throw StalePlan(description: "the live jobs changed since the plan was made; make a new plan")
        }
        let current = assess(snapshot, live: live, record: await appliedRecord())
        guard current.plan.changes == saved.changes, current.plan.refused == nil else {
            throw StalePlan(description: "revision \(saved.revision.prefix(12)) no longer gives the saved changes; make a new plan")
        }
        let now = Instant.now.millis
        status.lastAttempt = now
        status.revision = snapshot.commit
        status.errors = []
        try await apply(snapshot, now: now, exactly: saved)
        await record()
        return status
    }

    /// The plan for the commit the source has now, as a sync would apply it, without applying it.
    public func plan() async throws -> (Plan, [Diagnostic]) {
        let snapshot = try await source.load()
        let assessment = assess(snapshot, live: await liveJobs(), record: await appliedRecord(), fingerprinted: true)
        return (assessment.plan, snapshot.repository.diagnostics)
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

    /// What a sync of `snapshot` would do: the plan (without the drift it leaves alone, unless self-heal),
    /// the full plan, the drift, and the jobs that match git again and go back under its management.
    struct Assessment {
        var plan: Plan
        var full: Plan
        var drift: [DriftItem]
        var drifted: Set<String>
        var adopt: [String]
    }

    func assess(_ snapshot: Snapshot, live: [LiveJob], record: AppliedRecord, fingerprinted: Bool = false) -> Assessment {
        let policy = snapshot.repository.defaults.policy
        let desired = snapshot.repository.jobs
        let liveByName = Dictionary(live.map { ($0.job.name, $0) }, uniquingKeysWith: { a, _ in a })
        let desiredByName = Dictionary(desired.map { ($0.job.name, $0.job) }, uniquingKeysWith: { a, _ in a })
        var drift: [DriftItem] = []
        var drifted: Set<String> = []
        var adopt: [String] = []
        for (name, hash) in record.jobs.sorted(by: { $0.key < $1.key }) {
            guard let current = liveByName[name] else {
                // Deleted outside git; of no concern once git drops it too.
                if desiredByName[name] != nil {
                    drift.append(DriftItem(name: name, kind: .deleted, fields: []))
                    drifted.insert(name)
                }
                continue
            }
            if let wanted = desiredByName[name], current.job == wanted {
                // Matches git (or matches it again, re-posted as it is): no drift.
                if current.isUnmanaged { adopt.append(name) }
                continue
            }
            if current.isUnmanaged || self.hash(current.job) != hash {
                drift.append(DriftItem(name: name, kind: .modified, fields: Plan.fields(old: desiredByName[name], new: current.job)))
                drifted.insert(name)
            }
        }
        for job in live where job.isUnmanaged && record.jobs[job.job.name] == nil {
            if let wanted = desiredByName[job.job.name] {
                if job.job == wanted {
                    adopt.append(job.job.name)
                } else {
                    // Made through the API under a name git now uses: a conflict, left alone without self-heal.
                    drift.append(DriftItem(name: job.job.name, kind: .modified, fields: Plan.fields(old: wanted, new: job.job)))
                    drifted.insert(job.job.name)
                }
            } else {
                drift.append(DriftItem(name: job.job.name, kind: .created, fields: []))
            }
        }
        let full = Plan.make(desired: desired, live: live, policy: policy, revision: snapshot.commit, fingerprinted: fingerprinted)
        var plan = full
        if !policy.selfHeal {
            // Drift is reported, not reverted: a drifted job changes only when git changes it.
            plan.changes.removeAll { change in
                guard drifted.contains(change.name) else { return false }
                guard let recorded = record.jobs[change.name] else { return true }  // an API job git now claims
                return desiredByName[change.name].map(hash) == recorded
            }
        }
        return Assessment(plan: plan, full: full, drift: drift, drifted: drifted, adopt: adopt)
    }

    private func apply(_ snapshot: Snapshot, now: Int64, exactly saved: Plan? = nil) async throws {
        let desired = snapshot.repository.jobs
        let live = await liveJobs()
        let record = await appliedRecord()
        let assessment = assess(snapshot, live: live, record: record)
        // A saved plan is applied as it was shown (it was checked against this assessment by the caller).
        let plan = saved ?? assessment.plan
        let drift = assessment.drift
        if let refused = plan.refused {
            status.state = .OutOfSync
            status.message = "not applied: \(refused)"
            status.plan = plan
            status.drift = drift
            return
        }
        let definitions = Dictionary(desired.map { ($0.job.name, $0) }, uniquingKeysWith: { a, _ in a })
        let changed = Set(plan.changes.map(\.name))
        let upserts = (plan.changes.filter { $0.action != .delete }.map(\.name) + assessment.adopt.filter { !changed.contains($0) })
            .compactMap { name -> AppliedJob? in
                guard let definition = definitions[name] else { return nil }
                return AppliedJob(definition, source: .spec(location: definition.location()), appliedAt: now)
            }
        let deletes = plan.changes.filter { $0.action == .delete }.map(\.name)
        if !upserts.isEmpty || !deletes.isEmpty {
            try await scheduler.sync(upserts: upserts, deletes: deletes)
            logger.info("applied revision \(snapshot.commit.prefix(12)): \(plan.count(.create)) created, \(plan.count(.update) + plan.count(.replace)) updated, \(deletes.count) deleted")
        }
        // The record: every desired job as it now runs, except drift left in place (which keeps its old entry).
        // Jobs that neither changed nor drifted keep their recorded hash; only the others are hashed.
        let leftAlone = assessment.drifted.subtracting(changed)
        var jobs: [String: String] = [:]
        jobs.reserveCapacity(desired.count)
        for job in desired {
            let name = job.job.name
            if leftAlone.contains(name) {
                if let recorded = record.jobs[name] { jobs[name] = recorded }
            } else if !changed.contains(name), !assessment.adopt.contains(name), let recorded = record.jobs[name] {
                jobs[name] = recorded
            } else {
                jobs[name] = hash(job.job)
            }
        }
        let updated = AppliedRecord(revision: snapshot.commit, jobs: jobs)
        if updated.revision != record.revision || updated.jobs != record.jobs {
            let encoded = String(decoding: try JSONEncoder().encode(updated), as: UTF8.self)
            try await store.setValue(encoded, for: Self.appliedKey)
            applied = updated
        }
        status.appliedRevision = snapshot.commit
        status.lastApplied = now
        // What is left different after this sync: the drift left in place, and jobs not pruned.
        var remaining = assessment.full
        remaining.changes = assessment.full.changes.filter { !changed.contains($0.name) }
        status.plan = remaining
        let stillDrifted = drift.filter { !changed.contains($0.name) }
        status.drift = stillDrifted
        Gauge(label: "chronos_sync_drift_jobs").record(stillDrifted.count)
        if !drift.isEmpty { Counter(label: "chronos_sync_drift_detected_total").increment(by: drift.count) }
        let inSync = remaining.changes.isEmpty && remaining.notPruned.isEmpty && stillDrifted.isEmpty
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
