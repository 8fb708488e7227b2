import JobSpec

/// The scheduler as a pure state machine: jobs, their runtime state, the runs in flight, a timer heap
/// and two ready queues. Every transition takes the current time and returns the `SchedulerStep`
/// to perform; nothing here does I/O or reads a clock, so it is tested with plain numbers.
package struct SchedulerCore: Sendable {
    /// A job's row in the jobs table: its spec (one reference, shared with whoever else holds the
    /// job), its parsed schedule (whose expression is shared by every job written the same way), where
    /// it came from, its runtime state and its next slot.
    struct Entry: Sendable {
        var job: Job
        var schedule: Schedule?
        var source: JobSource
        var state: JobState
        /// The next schedule slot with a timer set, if any.
        var nextDue: Int64?

        init(job: Job, schedule: Schedule?, source: JobSource, state: JobState, nextDue: Int64? = nil) {
            self.job = job
            self.schedule = schedule
            self.source = source
            self.state = state
            self.nextDue = nextDue
        }
    }

    enum TimerEvent: Hashable, Sendable {
        /// The queued runs of `readyAt[time]` become ready.
        case ready(Int64)
        case timeout(TaskID)
    }

    package let options: SchedulerOptions
    /// The jobs, with their runtime state.
    var entries = JobTable()
    /// Runs that are queued or running.
    package internal(set) var active: [TaskID: RunRecord] = [:]
    var children: [String: [String]] = [:]
    /// Schedule slots (a job's name at its slot's time), handled `lookahead` before they are due.
    var slotTimers = TimerHeap<String>()
    /// Retry delays, prepared runs and timeouts, handled when due.
    var timers = TimerHeap<TimerEvent>()
    /// Queued runs waiting for a time to become ready, by that time, with their priority.
    var readyAt: [Int64: [(id: TaskID, high: Bool)]] = [:]
    var readyHigh = FIFO<TaskID>()
    var readyNormal = FIFO<TaskID>()
    /// Runs held back behind a running run of the same job (`forbid`), in order.
    var waiting: [String: [TaskID]] = [:]
    var running: [String: RunIDs] = [:]
    /// Runs being killed because they ran past their timeout.
    var timedOut: Set<TaskID> = []
    /// Runs handed to a launcher that holds them until it can start them (no Mesos offer fits yet).
    var held: Set<TaskID> = []
    /// Run times (ms) of recent successful runs per job, at most `maxDurations` each.
    var durations: [String: [Int64]] = [:]
    static let maxDurations = 100

    package init(options: SchedulerOptions = SchedulerOptions()) {
        self.options = options
    }

    /// The jobs, by name.
    package var jobs: [String: Job] {
        Dictionary(uniqueKeysWithValues: entries.all.lazy.map { ($0.job.name, $0.job) })
    }

    /// A job's runtime state.
    package func state(of name: String) -> JobState? { entries[name]?.state }

    /// Every job with its source, in name order: what a sync compares with git.
    package var sourcedJobs: [(job: Job, source: JobSource)] {
        entries.all.sorted { $0.job.name < $1.job.name }.map { ($0.job, $0.source) }
    }

    /// When the next timer is due, if any.
    package var nextWakeup: Int64? {
        let slot = slotTimers.nextTime.map { $0 - options.lookahead }
        switch (slot, timers.nextTime) {
        case (let a?, let b?): return min(a, b)
        case (let a?, nil): return a
        case (nil, let b): return b
        }
    }

    /// Runs of a job that are queued or running.
    package func activeRuns(of job: String) -> [RunRecord] {
        active.values.filter { $0.job == job }.sorted { $0.taskID < $1.taskID }
    }

    /// True when the job is disabled by its spec or by hand (or by `--disable-after-failures`).
    package func isDisabled(_ name: String) -> Bool {
        guard let entry = entries[name] else { return true }
        return entry.state.disabledOverride ?? entry.job.disabled
    }
}

// MARK: - Jobs

extension SchedulerCore {
    /// Restores stored jobs, states and in-flight runs after a start. Runs that were running are lost
    /// (the server stopped while they ran): their processes are killed and they are retried by policy.
    /// Runs in `adopted` were taken back by the launcher, which reports their end: they stay running.
    package mutating func restore(_ stored: StoredState, now: Int64, adopted: Set<TaskID> = []) -> SchedulerStep {
        var step = SchedulerStep()
        entries.reserveCapacity(stored.jobs.count)
        for applied in stored.jobs {
            let name = applied.job.name
            let kept = stored.states[name]
            let state = kept ?? JobState(firstApplied: now)
            if kept == nil { step.save(name, state) }
            entries[name] = Entry(job: applied.job, schedule: applied.schedule, source: applied.source, state: state)
        }
        rebuildChildren()
        // A prepared or running scheduled run holds its slot: the schedule goes on after it.
        for run in stored.activeRuns where run.trigger == .schedule && run.taskID.attempt == 0 {
            entries.update(run.job) { $0.state.lastScheduledDue = max($0.state.lastScheduledDue ?? .min, run.taskID.due) }
        }
        for run in stored.activeRuns where entries[run.job] == nil {
            // A run of a job that is gone: it ends here (its process, if any, was killed as an orphan).
            var ended = run
            ended.state = .killed
            ended.endedAt = now
            ended.reason = "its job no longer exists"
            step.save(ended)
        }
        for run in stored.activeRuns where entries[run.job] != nil {
            if run.state == .running && adopted.contains(run.taskID) {
                active[run.taskID] = run
                running[run.job, default: []].insert(run.taskID)
                if let limit = timeout(of: run.job) { timers.insert(.timeout(run.taskID), at: (run.startedAt ?? now) + limit) }
            } else if run.state == .running {
                if run.pid != nil { step.kills.append(.init(taskID: run.taskID, reason: "lost")) }
                active[run.taskID] = run
                running[run.job, default: []].insert(run.taskID)
                finish(run.taskID, outcome: .lost("the server stopped while the run was in flight"), now: now, step: &step)
            } else if run.trigger == .schedule && now - run.readyAt > epsilon(of: run.job) && entries[run.job]?.job.trigger != .once {
                // Prepared before the server stopped, and now too late to start.
                var skipped = run
                skipped.state = .skipped
                skipped.skippedCount = 1
                skipped.endedAt = now
                skipped.reason = "could not start within epsilon (\(epsilon(of: run.job) / 1000) s) of the due time"
                step.save(skipped)
            } else {
                active[run.taskID] = run
                schedule(run.taskID, readyAt: run.readyAt, now: now)
            }
        }
        for name in entries.names.sorted() { armSchedule(name, now: now, step: &step) }
        // Slots missed while the server was down are due now.
        step.append(advance(now: now))
        return step
    }

    /// Makes `jobs` the set of jobs: creates new ones, updates changed ones, deletes the rest.
    package mutating func apply(_ jobs: [AppliedJob], now: Int64) -> SchedulerStep {
        var step = SchedulerStep()
        let names = Set(jobs.map(\.job.name))
        // Room for the whole set at once rather than a rehash at each doubling.
        entries.reserveCapacity(max(entries.count, jobs.count))
        step.batch.upsertJobs.reserveCapacity(jobs.count)
        step.batch.states.reserveCapacity(jobs.count)
        // Jobs made through the API are not the source's to delete.
        for name in entries.names.sorted() where !names.contains(name) && entries[name]?.source != .api {
            remove(name, now: now, step: &step)
        }
        for applied in jobs {
            upsert(applied, now: now, step: &step)
        }
        rebuildChildren()
        step.append(advance(now: now))
        return step
    }

    /// Applies a sync: deletes (children first), then creates and updates, in one step.
    package mutating func applyChanges(upserts: [AppliedJob], deletes: [String], now: Int64) -> SchedulerStep {
        var step = SchedulerStep()
        // The children table changes only with someone's parents: a sync of one job need not walk them all.
        var parentsChanged = false
        for name in deletes {
            if entries[name]?.job.parents != nil { parentsChanged = true }
            remove(name, now: now, step: &step)
        }
        for applied in upserts {
            if entries[applied.job.name]?.job.parents != applied.job.parents { parentsChanged = true }
            upsert(applied, now: now, step: &step)
        }
        if parentsChanged { rebuildChildren() }
        step.append(advance(now: now))
        return step
    }

    /// Creates or updates one job.
    package mutating func upsert(_ applied: AppliedJob, now: Int64) -> SchedulerStep {
        var step = SchedulerStep()
        upsert(applied, now: now, step: &step)
        rebuildChildren()
        step.append(advance(now: now))
        return step
    }

    /// Deletes one job, killing its running runs and dropping its queued ones.
    package mutating func delete(_ name: String, now: Int64) -> SchedulerStep {
        var step = SchedulerStep()
        remove(name, now: now, step: &step)
        rebuildChildren()
        dispatch(now: now, step: &step)
        return step
    }

    mutating func upsert(_ applied: AppliedJob, now: Int64, step: inout SchedulerStep) {
        let name = applied.job.name
        let old = entries[name]
        let reenabled = takePostedDisabled(applied, step: &step)
        if let old, old.job == applied.job && old.source == applied.source {
            // Unchanged: the job is held once, as the caller holds it (a restored job and the same job
            // loaded from git are otherwise two copies).
            if !old.job.sharesFields(with: applied.job) { entries.update(name) { $0.job = applied.job } }
            if reenabled { armSchedule(name, now: now, fromNow: true, step: &step) }
            return
        }
        step.batch.upsertJobs.append(applied)
        // The state as `takePostedDisabled` left it, or a new one.
        let kept = entries[name]?.state
        let state = kept ?? JobState(firstApplied: now)
        entries[name] = Entry(job: applied.job, schedule: applied.schedule, source: applied.source, state: state)
        if kept == nil {
            step.save(name, state)
            step.events.append("created job \(name)")
        } else {
            step.events.append("updated job \(name)")
        }
        if let old, var state = entries[name]?.state {
            var changed = false
            if old.job.disabled != applied.job.disabled && state.disabledOverride != nil {
                // A change of `disabled` in the spec wins over a disable or enable made by hand.
                state.disabledOverride = nil
                changed = true
            }
            let parents = Set(applied.job.parents ?? [])
            if state.completedParents.contains(where: { !parents.contains($0) }) {
                state.completedParents.removeAll { !parents.contains($0) }
                changed = true
            }
            if changed {
                entries[name]?.state = state
                step.save(name, state)
            }
        }
        if old?.job.schedule != applied.job.schedule || old?.job.cron != applied.job.cron
            || old?.job.scheduleTimeZone != applied.job.scheduleTimeZone || old == nil {
            // A changed schedule starts from now: it owes no runs from before the change, and runs
            // prepared for the old one do not happen.
            if old != nil { dropPrepared(name, now: now, reason: "the schedule changed before it was due", step: &step) }
            armSchedule(name, now: now, fromNow: old != nil, step: &step)
        } else if reenabled {
            armSchedule(name, now: now, fromNow: true, step: &step)
        } else {
            entries[name]?.nextDue = old?.nextDue
        }
    }

    /// Ends the queued scheduled runs of a job that are not yet due.
    mutating func dropPrepared(_ name: String, now: Int64, reason: String, step: inout SchedulerStep) {
        for run in activeRuns(of: name) where run.state == .queued && run.trigger == .schedule && run.readyAt > now {
            var dropped = run
            dropped.state = .skipped
            dropped.skippedCount = 1
            dropped.endedAt = now
            dropped.reason = reason
            active[run.taskID] = nil
            step.save(dropped)
        }
    }

    mutating func remove(_ name: String, now: Int64, step: inout SchedulerStep) {
        guard entries.removeValue(forKey: name) != nil else { return }
        for run in activeRuns(of: name) {
            if run.state == .running {
                step.kills.append(.init(taskID: run.taskID, reason: "job \(name) was deleted"))
            } else {
                var dropped = run
                dropped.state = .killed
                dropped.reason = "job \(name) was deleted"
                dropped.endedAt = now
                active[run.taskID] = nil
                step.save(dropped)
            }
        }
        waiting[name] = nil
        durations[name] = nil
        step.batch.deleteJobs.append(name)
        step.events.append("deleted job \(name)")
    }

    mutating func rebuildChildren() {
        var map: [String: [String]] = [:]
        for entry in entries.all {
            for parent in entry.job.parents ?? [] { map[parent, default: []].append(entry.job.name) }
        }
        for key in map.keys { map[key]!.sort() }
        children = map
    }

    /// Sets the timer for a job's next schedule slot (or its one-shot run).
    mutating func armSchedule(_ name: String, now: Int64, fromNow: Bool = false, step: inout SchedulerStep) {
        guard let entry = entries[name] else { return }
        var state = entry.state
        switch entry.job.trigger {
        case .once:
            if !state.onceDone && entry.nextDue == nil {
                entries[name]?.nextDue = state.firstApplied
                slotTimers.insert(name, at: state.firstApplied)
            }
        case .schedule, .cron:
            guard let schedule = entry.schedule else { return }
            var cursor = state.lastScheduledDue ?? (state.firstApplied - 1)
            if fromNow { cursor = max(cursor, now - 1) }
            let next = schedule.next(after: Instant(millis: cursor), firstApplied: Instant(millis: state.firstApplied))
            entries[name]?.nextDue = next?.millis
            if let next {
                slotTimers.insert(name, at: next.millis)
            } else if state.lastScheduledDue == nil {
                state.lastScheduledDue = cursor
                entries[name]?.state = state
            }
        default:
            entries[name]?.nextDue = nil
        }
    }
}
