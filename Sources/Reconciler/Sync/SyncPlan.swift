import JobSpec

/// The plan step: what a sync of a commit does to the live jobs. The sync, the `/v1/sync/plan` route
/// and `plan --data` all make their plan here, so a plan never shows a change a sync would not make.
package struct SyncPlan: Sendable {
    /// What the sync applies: every difference, less the drift it leaves alone (unless self-heal).
    package var plan: Plan
    /// Every difference between the commit and the live jobs, drift included.
    package var full: Plan
    package var assessment: Assessment
    /// Where each job is in the commit's and the live lists.
    package var positions: Positions

    /// Assesses the live jobs against `snapshot` and `record`, then plans. `fingerprinted` plans carry
    /// the live jobs' fingerprint, for a saved plan's staleness check.
    package static func make(_ snapshot: Snapshot, live: [LiveJob], record: AppliedRecord, hashes: inout SpecHashes,
                             fingerprinted: Bool) -> SyncPlan {
        let policy = snapshot.repository.defaults.policy
        let desired = snapshot.repository.jobs
        let positions = Positions(desired: desired, live: live)
        let assessment = Assessment.assess(desired: desired, live: live, record: record, hashes: &hashes, positions: positions)
        let full = Plan.make(desired: desired, live: live, policy: policy, revision: snapshot.commit, fingerprinted: fingerprinted,
                             positions: positions)
        var plan = full
        if !policy.selfHeal {
            // Drift is reported, not reverted: a drifted job changes only when git changes it.
            let desiredAt = positions.desired
            var kept: [Plan.Change] = []
            for change in plan.changes {
                guard assessment.drifted.contains(change.name) else {
                    kept.append(change)
                    continue
                }
                // An API job git now claims stays as it is; a recorded job changes only when git changed it.
                guard let recorded = record.jobs[change.name] else { continue }
                if desiredAt[change.name].map({ hashes.hash(desired[$0].job) }) != recorded { kept.append(change) }
            }
            plan.changes = kept
        }
        return SyncPlan(plan: plan, full: full, assessment: assessment, positions: positions)
    }
}
