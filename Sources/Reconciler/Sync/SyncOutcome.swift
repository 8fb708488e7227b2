/// How a sync, or a saved plan's apply, ended: what the record step writes into the status.
package enum SyncOutcome: Sendable {
    /// The revision was applied (possibly with no change): `applied` is the plan carried out.
    case applied(revision: String, applied: Plan, planned: SyncPlan)
    /// The plan was refused as a whole by a guard (a commit that would delete every job).
    case refused(revision: String, planned: SyncPlan, reason: String)
    /// A step failed; nothing after it happened.
    case failed(SyncFailure)
}
