import JobSpec

/// A command that names a job the scheduler does not have.
package struct UnknownJobError: Error, Sendable, CustomStringConvertible {
    package var name: String
    package var description: String { "no job named \"\(name)\"" }
}

extension SchedulerCore {
    /// Runs a job now (Chronos's `PUT /v1/scheduler/job/{name}`), with extra arguments: words, or the text
    /// of Chronos's `?arguments=` (see `ShellCommand`).
    package mutating func runNow(_ name: String, arguments: [String] = [], argumentText: String? = nil,
                                 now: Int64) throws(UnknownJobError) -> (TaskID, SchedulerStep) {
        guard entries[name] != nil else { throw UnknownJobError(name: name) }
        var step = SchedulerStep()
        var id = TaskID(due: now, attempt: 0, job: name)
        while active[id] != nil { id.due += 1 }
        enqueue(id, trigger: .manual, readyAt: now, now: now, arguments: arguments, argumentText: argumentText, step: &step)
        dispatch(now: now, step: &step)
        return (id, step)
    }

    /// Marks a job successful by hand (`PUT /v1/scheduler/job/success/{name}`): counts a success and
    /// lets its children advance.
    package mutating func markSuccess(_ name: String, now: Int64) throws(UnknownJobError) -> SchedulerStep {
        guard var state = entries[name]?.state else { throw UnknownJobError(name: name) }
        var step = SchedulerStep()
        state.successCount += 1
        state.errorsSinceLastSuccess = 0
        state.lastSuccess = now
        entries[name]?.state = state
        step.save(name, state)
        completed(name, now: now, step: &step)
        dispatch(now: now, step: &step)
        return step
    }

    /// Kills a job's running runs and drops its queued ones.
    package mutating func kill(_ name: String, now: Int64) throws(UnknownJobError) -> SchedulerStep {
        guard entries[name] != nil else { throw UnknownJobError(name: name) }
        var step = SchedulerStep()
        for run in activeRuns(of: name) {
            if run.state == .running {
                step.kills.append(.init(taskID: run.taskID, reason: "killed by request"))
            } else {
                finish(run.taskID, outcome: .killed("killed by request before it started"), now: now, step: &step)
            }
        }
        waiting[name] = nil
        return step
    }

    /// Disables or enables a job by hand; an enabled job owes no runs from while it was disabled.
    package mutating func setDisabled(_ name: String, _ disabled: Bool, now: Int64) throws(UnknownJobError) -> SchedulerStep {
        guard var state = entries[name]?.state else { throw UnknownJobError(name: name) }
        var step = SchedulerStep()
        state.disabledOverride = disabled
        if !disabled { state.errorsSinceLastSuccess = 0 }
        entries[name]?.state = state
        step.save(name, state)
        if disabled {
            // Queued runs (prepared slots, retries) of a disabled job do not run.
            for run in activeRuns(of: name) where run.state == .queued {
                finish(run.taskID, outcome: .killed("the job was disabled"), now: now, step: &step)
            }
            waiting[name] = nil
        }
        if !disabled {
            armSchedule(name, now: now, fromNow: true, step: &step)
        }
        return step
    }
}

extension SchedulerCore {
    /// Adds to the elements a run reported processed (Chronos's `…/task/{taskId}/progress`); nil when the
    /// run is not queued or running (an ended run's record is history, not rewritten).
    package mutating func progress(_ id: TaskID, elements: Int64) -> SchedulerStep? {
        guard var run = active[id] else { return nil }
        let (sum, overflow) = (run.elementsProcessed ?? 0).addingReportingOverflow(elements)
        run.elementsProcessed = overflow ? .max : sum
        active[id] = run
        var step = SchedulerStep()
        step.save(run)
        return step
    }

    /// Drops every run not yet started, of every job, as Chronos 2.x's `DELETE /scheduler/task/all` cleared
    /// its queues and its stored pending tasks: queued runs (retries waiting for their delay included) and
    /// runs a launcher holds for want of resources end as killed. Running runs go on, and schedules are
    /// untouched. Returns how many runs were dropped.
    package mutating func purgeQueued(now: Int64) -> (Int, SchedulerStep) {
        var step = SchedulerStep()
        let reason = "purged by DELETE task/all before it started"
        let queued = active.values.filter { $0.state == .queued }.map(\.taskID).sorted()
        for id in queued { finish(id, outcome: .killed(reason), now: now, step: &step) }
        for id in held.sorted() { step.kills.append(.init(taskID: id, reason: reason)) }
        waiting = [:]
        return (queued.count + held.count, step)
    }
}
