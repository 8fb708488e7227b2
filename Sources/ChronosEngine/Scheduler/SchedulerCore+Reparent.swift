extension SchedulerCore {
    /// The children of `name` as Chronos leaves them when it deletes `name`: a dependent job's children
    /// take its parents in its place; a scheduled job's children become scheduled jobs with its schedule.
    package func reparentedChildren(of name: String, now: Int64) -> [AppliedJob] {
        guard let deleted = entries[name]?.job else { return [] }
        return children(of: name).compactMap { childName -> AppliedJob? in
            guard let entry = entries[childName] else { return nil }
            var child = entry.job
            if let parents = deleted.parents {
                var merged = (child.parents ?? []).filter { $0 != name }
                for parent in parents where parent != childName && !merged.contains(parent) { merged.append(parent) }
                child.parents = merged
            } else {
                child.parents = nil
                child.schedule = deleted.schedule
                child.cron = deleted.cron
                child.scheduleTimeZone = deleted.scheduleTimeZone
            }
            // The deleted job's schedule was valid, so the child's is too.
            return try? AppliedJob(job: child, source: entry.source, appliedAt: now)
        }
    }
}

extension Scheduler {
    /// Deletes a job as Chronos's `DELETE job/{name}` does, re-parenting its children in the same step
    /// (`SchedulerCore.reparentedChildren`); returns the children changed.
    package func deleteReparenting(_ name: String) async throws -> [String] {
        try await restore()
        guard core.jobs[name] != nil else { throw UnknownJobError(name: name) }
        let now = clock.now()
        let children = core.reparentedChildren(of: name, now: now)
        await perform(core.applyChanges(upserts: children, deletes: [name], now: now))
        return children.map(\.job.name)
    }
}
