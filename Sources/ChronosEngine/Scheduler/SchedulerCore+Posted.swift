extension SchedulerCore {
    /// A job posted through the API carries its `disabled`, as Chronos's POST replaces the whole job: the
    /// posted value wins over a disable or enable made by hand or after failures. True when it re-enabled
    /// the job, which then owes no runs from while it was disabled.
    mutating func takePostedDisabled(_ applied: AppliedJob, step: inout SchedulerStep) -> Bool {
        let name = applied.job.name
        guard applied.source == .api, var state = entries[name]?.state,
              let override = state.disabledOverride, override != applied.job.disabled else { return false }
        state.disabledOverride = nil
        if !applied.job.disabled { state.errorsSinceLastSuccess = 0 }
        entries[name]?.state = state
        step.save(name, state)
        step.events.append("job \(name) \(applied.job.disabled ? "disabled" : "enabled") by a POST of the job")
        return !applied.job.disabled
    }
}
