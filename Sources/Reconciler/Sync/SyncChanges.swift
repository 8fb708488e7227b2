import ChronosEngine
import JobSpec

/// The apply step's decision: the jobs to create or update and to delete for a plan, and the applied
/// record after them. Made without I/O; the controller hands it to the scheduler and the store.
package struct SyncChanges: Sendable {
    package var upserts: [AppliedJob]
    package var deletes: [String]
    /// What the record says once the changes are applied.
    package var record: AppliedRecord

    /// True when the scheduler has nothing to do.
    package var isEmpty: Bool { upserts.isEmpty && deletes.isEmpty }

    /// The changes that apply `plan` (the sync's own, or a saved one checked against it) to the jobs
    /// of `snapshot`, plus the jobs git adopts.
    package static func make(applying plan: Plan, _ planned: SyncPlan, snapshot: Snapshot, previous: AppliedRecord,
                             now: Int64, hashes: inout SpecHashes) -> SyncChanges {
        let desired = snapshot.repository.jobs
        let desiredAt = planned.positions.desired
        let changed = Set(plan.changes.map(\.name))
        let adopt = planned.assessment.adopt
        let upserts = (plan.changes.filter { $0.action != .delete }.map(\.name) + adopt.filter { !changed.contains($0) })
            .compactMap { name -> AppliedJob? in
                guard let d = desiredAt[name] else { return nil }
                return AppliedJob(desired[d], source: .spec(location: desired[d].location()), appliedAt: now)
            }
        let deletes = plan.changes.filter { $0.action == .delete }.map(\.name)
        // The record: every desired job as it now runs, except drift left in place (which keeps its old
        // entry). It starts from the previous record, so only the jobs that changed, were adopted or are
        // new to it are hashed and written.
        let leftAlone = planned.assessment.drifted.subtracting(changed)
        var jobs = previous.jobs
        for name in previous.jobs.keys where desiredAt[name] == nil { jobs[name] = nil }
        for name in changed.union(adopt) where !leftAlone.contains(name) {
            if let d = desiredAt[name] { jobs[name] = hashes.hash(desired[d].job) }
        }
        if jobs.count < desired.count {
            for d in desired.indices where jobs[desired[d].job.name] == nil && !leftAlone.contains(desired[d].job.name) {
                jobs[desired[d].job.name] = hashes.hash(desired[d].job)
            }
        }
        return SyncChanges(upserts: upserts, deletes: deletes, record: AppliedRecord(revision: snapshot.commit, jobs: jobs))
    }
}
