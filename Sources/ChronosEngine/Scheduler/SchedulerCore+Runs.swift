import Foundation
import JobSpec

/// How a run ended.
package enum RunOutcome: Sendable, Hashable {
    /// The process exited with this status. For an async job, 0 only means it started.
    case exited(Int32)
    /// An async job reported its end through the task callback, with this status (0 is success).
    case reported(Int32)
    case killed(String)
    case failedToStart(String)
    case lost(String)
}

extension SchedulerCore {
    /// Handles every timer due at `now`, then starts what is ready.
    package mutating func advance(now: Int64) -> SchedulerStep {
        var step = SchedulerStep()
        // Slots due within the lookahead become queued runs now, stored before they are due.
        while let timer = slotTimers.popDue(at: now + options.lookahead) {
            slot(timer.payload, due: timer.time, now: now, step: &step)
        }
        while let timer = timers.popDue(at: now) {
            switch timer.payload {
            case .ready(let time):
                // Thousands of runs may share the time: they go to the ready queues as they are; the
                // dispatch skips any that ended or started meanwhile.
                for (id, high) in readyAt.removeValue(forKey: time) ?? [] { push(id, high: high) }
            case .timeout(let id):
                if let run = active[id], run.state == .running, let limit = timeout(of: run.job) {
                    timedOut.insert(id)
                    step.kills.append(.init(taskID: id, reason: "timed out after \(limit / 1000) s"))
                }
            }
        }
        dispatch(now: now, step: &step)
        return step
    }

    /// The time at which at least `minimum` queued runs become ready together, when that is the next thing
    /// to do (no other timer and no schedule slot comes first); nil otherwise.
    package func nextBatch(atLeast minimum: Int) -> (time: Int64, count: Int)? {
        guard let first = timers.items.first, case .ready(let time) = first.payload,
              let runs = readyAt[time], runs.count >= minimum else { return nil }
        if let slot = slotTimers.nextTime, slot - options.lookahead <= time { return nil }
        return (time, runs.count)
    }

    /// Starts the runs ready at `time` before that time, as if it had come: they are stored as started at
    /// `time`, and the caller hands their launches over at `time`. The ready timer stays and finds nothing.
    package mutating func startAhead(readyAt time: Int64) -> SchedulerStep {
        var step = SchedulerStep()
        for (id, high) in readyAt.removeValue(forKey: time) ?? [] { push(id, high: high) }
        dispatch(now: time, step: &step)
        return step
    }

    /// A schedule slot's timer fired: run it (coalescing missed slots) or record it skipped. The run
    /// record carries the slot (its due time), so the job state need not be written as well: a restart
    /// reads the last slot back from the runs.
    mutating func slot(_ name: String, due: Int64, now: Int64, step: inout SchedulerStep) {
        guard let entry = entries[name], entry.nextDue == due else { return }
        var state = entry.state
        entries[name]?.nextDue = nil
        if case .once = entry.job.trigger {
            // A disabled one-shot job runs when it is enabled.
            if isDisabled(name) { return }
            state.onceDone = true
            entries[name]?.state = state
            step.save(name, state)
            enqueue(TaskID(due: due, attempt: 0, job: name), trigger: .schedule, readyAt: due, now: now, step: &step)
            return
        }
        guard let schedule = entry.schedule else { return }
        // Every slot up to now: the first is `due`; several missed ones coalesce into one run.
        var latest = due
        var count = 1
        let anchor = Instant(millis: state.firstApplied)
        var upcoming = schedule.next(after: Instant(millis: latest), firstApplied: anchor)
        while count < options.maxMissedCount, let n = upcoming, n.millis <= now {
            latest = n.millis
            count += 1
            upcoming = schedule.next(after: n, firstApplied: anchor)
        }
        state.lastScheduledDue = latest
        entries[name]?.state = state
        if isDisabled(name) {
            // A disabled job's slots are not owed; only the state records that they passed.
            step.save(name, state)
        } else if now - latest <= epsilon(of: name) {
            enqueue(TaskID(due: latest, attempt: 0, job: name), trigger: .schedule, readyAt: latest, now: now, step: &step)
            if count > 1 {
                // The slots folded into the run are recorded, under the first of them, with how many they are.
                var folded = RunRecord(taskID: TaskID(due: due, attempt: 0, job: name), state: .skipped, trigger: .schedule, readyAt: due, queuedAt: now)
                folded.endedAt = now
                folded.skippedCount = count - 1
                folded.reason = "\(count - 1) missed run\(count == 2 ? "" : "s") coalesced into the run due at \(Instant(millis: latest))"
                step.save(folded)
                step.events.append("job \(name): \(count) missed runs coalesced into one")
            }
        } else {
            var skipped = RunRecord(taskID: TaskID(due: latest, attempt: 0, job: name), state: .skipped, trigger: .schedule, readyAt: latest, queuedAt: now)
            skipped.endedAt = now
            skipped.skippedCount = count
            skipped.reason = "\(count) run\(count == 1 ? "" : "s") could not start within epsilon (\(epsilon(of: name) / 1000) s) of the due time"
            step.save(skipped)
            step.events.append("job \(name): skipped \(count) run(s)")
        }
        // The next slot, found by the loop above.
        if let upcoming, upcoming.millis > now {
            entries[name]?.nextDue = upcoming.millis
            slotTimers.insert(name, at: upcoming.millis)
        } else {
            armSchedule(name, now: now, step: &step)
        }
    }

    func epsilon(of name: String) -> Int64 {
        entries[name]?.job.epsilon?.millis ?? options.taskEpsilon
    }

    func timeout(of name: String) -> Int64? {
        entries[name]?.job.timeoutMillis
    }

    /// Records a new queued run and makes it ready at `readyAt`.
    mutating func enqueue(_ proposed: TaskID, trigger: RunTrigger, readyAt: Int64, now: Int64, arguments: [String] = [],
                          argumentText: String? = nil, step: inout SchedulerStep) {
        var id = proposed
        while active[id] != nil { id.due += 1 }  // two triggers in the same millisecond
        var run = RunRecord(taskID: id, state: .queued, trigger: trigger, readyAt: readyAt, queuedAt: now)
        run.arguments = arguments
        run.argumentText = argumentText
        active[id] = run
        step.save(run)
        step.newRuns.insert(id)
        schedule(id, readyAt: readyAt, now: now)
    }

    mutating func schedule(_ id: TaskID, readyAt: Int64, now: Int64) {
        let high = entries[id.job]?.job.highPriority ?? false
        if readyAt <= now {
            push(id, high: high)
        } else {
            // One timer per distinct time: thousands of runs due together cost one heap entry.
            if self.readyAt[readyAt] == nil { timers.insert(.ready(readyAt), at: readyAt) }
            self.readyAt[readyAt, default: []].append((id, high))
        }
    }

    mutating func push(_ id: TaskID, high: Bool) {
        if high { readyHigh.push(id) } else { readyNormal.push(id) }
    }

    /// Starts ready runs, high priority first, following each job's concurrency policy.
    mutating func dispatch(now: Int64, step: inout SchedulerStep) {
        step.launches.reserveCapacity(step.launches.count + readyHigh.count + readyNormal.count)
        // Thousands due at once would otherwise grow the running table a dozen times on the way.
        running.reserveCapacity(running.count + readyHigh.count + readyNormal.count)
        while let id = readyHigh.pop() ?? readyNormal.pop() {
            guard let index = active.index(forKey: id), active.values[index].state == .queued, let entry = entries[id.job] else { continue }
            if let busy = running[id.job], !busy.isEmpty {
                let run = active.values[index]
                switch entry.job.effectiveConcurrencyPolicy {
                case .forbid:
                    // One scheduled run waits at most; later slots are skipped, dependency and manual runs all wait.
                    if run.trigger == .schedule, let queue = waiting[run.job], queue.contains(where: { active[$0]?.trigger == .schedule }) {
                        var skipped = active.removeValue(forKey: id)!
                        skipped.state = .skipped
                        skipped.skippedCount = 1
                        skipped.endedAt = now
                        skipped.reason = "the previous run was still running and another was already waiting"
                        step.save(skipped)
                        continue
                    }
                    waiting[run.job, default: []].append(id)
                    continue
                case .replace:
                    for other in busy.sorted() {
                        step.kills.append(.init(taskID: other, reason: "replaced by \(id)"))
                    }
                case .allow:
                    break
                }
            }
            start(id, at: index, job: entry.job, now: now, step: &step)
        }
        recordStarts(now: now, step: &step)
    }

    /// Writes the starts of runs stored earlier as queued compactly: one statement for all runs ready at
    /// the same time when every queued run of that time starts, else one update each.
    mutating func recordStarts(now: Int64, step: inout SchedulerStep) {
        guard !step.startedStored.isEmpty else { return }
        var byReadyAt: [Int64: [TaskID]] = [:]
        for (id, readyAt) in step.startedStored { byReadyAt[readyAt, default: []].append(id) }
        step.startedStored = []
        // Queued runs left after a dispatch wait behind a running run of their job, or for a later time.
        let held = waiting.values.joined().compactMap { active[$0] }.filter { $0.state == .queued }.map(\.readyAt)
        for (readyAt, ids) in byReadyAt {
            let stillQueued = held.contains(readyAt) || self.readyAt[readyAt] != nil
            if stillQueued {
                step.batch.startedRuns += ids.map { ($0, now) }
            } else {
                step.batch.startedReadyAt.append((readyAt, now))
            }
        }
    }

    mutating func start(_ id: TaskID, at index: [TaskID: RunRecord].Index, job: Job, now: Int64, step: inout SchedulerStep) {
        active.values[index].state = .running
        active.values[index].startedAt = now
        let run = active.values[index]
        running[id.job, default: []].insert(id)
        if !step.newRuns.isEmpty && step.newRuns.contains(id) {
            step.save(run)
        } else {
            step.startedStored.append((id, run.readyAt))
        }
        step.launches.append(.init(run: run, job: job))
        if let limit = job.timeoutMillis { timers.insert(.timeout(id), at: now + limit) }
    }

    /// The launcher started a run: records where it runs.
    package mutating func started(_ id: TaskID, pid: Int32?, processStart: Int64?, sandbox: String, host: String) -> SchedulerStep {
        var step = SchedulerStep()
        guard var run = active[id], run.state == .running else { return step }
        if held.remove(id) != nil { run.reason = "" }
        run.pid = pid
        run.processStart = processStart
        run.sandbox = sandbox
        run.host = host
        active[id] = run
        step.save(run)
        return step
    }

    /// The launcher holds a run before it can start it (no Mesos offer fits yet): the run shows as queued,
    /// with why in its reason.
    package mutating func waiting(_ id: TaskID, reason: String) -> SchedulerStep {
        var step = SchedulerStep()
        guard var run = active[id], run.state == .running, run.reason != reason else { return step }
        run.reason = reason
        active[id] = run
        held.insert(id)
        step.save(run)
        return step
    }

    /// A run ended (its process exited, it was killed, or it could not start).
    package mutating func finished(_ id: TaskID, outcome: RunOutcome, now: Int64) -> SchedulerStep {
        var step = SchedulerStep()
        // An async job's process exiting 0 only means it started; its end comes through the callback.
        if case .exited(0) = outcome, let run = active[id], run.state == .running, entries[run.job]?.job.async == true {
            return step
        }
        finish(id, outcome: outcome, now: now, step: &step)
        dispatch(now: now, step: &step)
        return step
    }

    /// An async job reported its end (Chronos's task callback): 0 is success.
    package mutating func asyncReported(_ id: TaskID, statusCode: Int32, now: Int64) -> SchedulerStep {
        var step = SchedulerStep()
        guard let run = active[id], run.state == .running else { return step }
        finish(id, outcome: .reported(statusCode), now: now, step: &step)
        dispatch(now: now, step: &step)
        return step
    }

    mutating func finish(_ id: TaskID, outcome: RunOutcome, now: Int64, step: inout SchedulerStep) {
        guard var run = active.removeValue(forKey: id) else { return }
        defer { timedOut.remove(id) }
        if held.remove(id) != nil { run.reason = "" }
        let name = run.job
        running[name]?.remove(id)
        if running[name]?.isEmpty == true { running[name] = nil }
        run.endedAt = now
        var succeeded = false
        switch outcome {
        case .exited(let status), .reported(let status):
            run.exitStatus = status
            succeeded = status == 0
            run.state = succeeded ? .succeeded : .failed
            if !succeeded { run.reason = "exited with status \(status)" }
        case .killed(let reason) where timedOut.contains(id):
            // A run stopped by its timeout failed: it is retried and counted like any failure.
            run.state = .failed
            run.reason = reason
        case .killed(let reason):
            run.state = .killed
            run.reason = reason
        case .failedToStart(let reason):
            run.state = .failed
            run.reason = reason
        case .lost(let reason):
            run.state = .lost
            run.reason = reason
        }
        step.save(run)
        step.ended.append(run)
        releaseWaiting(name, now: now)
        guard let entry = entries[name] else { return }
        var state = entry.state
        if succeeded {
            if let started = run.startedAt {
                var recent = durations[name] ?? []
                if recent.count >= Self.maxDurations { recent.removeFirst() }
                recent.append(now - started)
                durations[name] = recent
            }
            state.successCount += 1
            state.errorsSinceLastSuccess = 0
            state.lastSuccess = now
            entries[name]?.state = state
            step.save(name, state)
            step.events.append("\(id) succeeded")
            if entry.job.notifyOnSuccess {
                step.notices.append(Notice(kind: .succeeded, at: now, job: name, owner: entry.job.owner, run: run,
                                           summary: "job \(name) succeeded"))
            }
            completed(name, now: now, step: &step)
            return
        }
        if run.state == .killed {
            // A killed run is neither retried nor counted as an error.
            step.events.append("\(id) killed: \(run.reason)")
            return
        }
        if run.taskID.attempt < entry.job.retries {
            let delay = retryDelay(entry.job, attempt: run.taskID.attempt)
            enqueue(id.retry, trigger: .retry, readyAt: now + delay, now: now, arguments: run.arguments,
                    argumentText: run.argumentText, step: &step)
            step.events.append("\(id) \(run.state.rawValue) (\(run.reason)); retry in \(delay / 1000) s")
            return
        }
        state.errorCount += 1
        state.errorsSinceLastSuccess += 1
        state.lastError = now
        let exhausted = run.taskID.attempt > 0
        step.notices.append(Notice(kind: exhausted ? .retriesExhausted : .failed, at: now, job: name, owner: entry.job.owner, run: run,
                                   summary: exhausted ? "job \(name) failed after \(run.taskID.attempt + 1) attempts: \(run.reason)"
                                                      : "job \(name) failed: \(run.reason)"))
        if options.disableAfterFailures > 0 && state.errorsSinceLastSuccess >= options.disableAfterFailures {
            state.disabledOverride = true
            step.events.append("job \(name) disabled after \(state.errorsSinceLastSuccess) failures in a row")
            step.notices.append(Notice(kind: .disabled, at: now, job: name, owner: entry.job.owner, run: run,
                                       summary: "job \(name) disabled after \(state.errorsSinceLastSuccess) failures in a row"))
        }
        entries[name]?.state = state
        step.save(name, state)
        step.events.append("\(id) failed for good: \(run.reason)")
        if entry.job.softError { completed(name, now: now, step: &step) }
    }

    /// The delay before retry `attempt + 1`: `retryInterval` × `retryBackoff`^attempt, at most `maxRetryInterval`.
    func retryDelay(_ job: Job, attempt: Int) -> Int64 {
        let base = job.retryInterval?.millis ?? options.failureRetry
        var delay = Double(base) * pow(job.retryBackoff, Double(attempt))
        if let cap = job.maxRetryInterval?.millis { delay = min(delay, Double(cap)) }
        return Int64(min(delay, 365 * 86_400_000))
    }

    /// Moves the first run held behind a finished one to the ready queue.
    mutating func releaseWaiting(_ name: String, now: Int64) {
        guard running[name] == nil, var queue = waiting[name], !queue.isEmpty else { return }
        let next = queue.removeFirst()
        waiting[name] = queue.isEmpty ? nil : queue
        push(next, high: entries[name]?.job.highPriority ?? false)
    }

    /// A job completed (success, or final failure with `softError`): its children advance.
    mutating func completed(_ parent: String, now: Int64, step: inout SchedulerStep) {
        for child in children[parent] ?? [] {
            guard let entry = entries[child], !isDisabled(child) else { continue }
            var state = entry.state
            let parents = entry.job.parents ?? []
            if entry.job.dependencyMode == .any {
                enqueue(TaskID(due: now, attempt: 0, job: child), trigger: .dependency, readyAt: now, now: now, step: &step)
                continue
            }
            if !state.completedParents.contains(parent) { state.completedParents.append(parent) }
            if Set(parents).isSubset(of: state.completedParents) {
                state.completedParents = []
                enqueue(TaskID(due: now, attempt: 0, job: child), trigger: .dependency, readyAt: now, now: now, step: &step)
            }
            entries[child]?.state = state
            step.save(child, state)
        }
    }
}

extension Job {
    /// `timeout` (or `maxCompletionTime`) in ms; nil for none.
    var timeoutMillis: Int64? {
        if let ms = timeout?.millis, ms > 0 { return ms }
        return maxCompletionTime > 0 ? Int64(maxCompletionTime) * 1000 : nil
    }
}
