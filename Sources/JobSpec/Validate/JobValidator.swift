import Foundation

/// Checks one job on its own: name, trigger, schedule, zone, durations, resources, container.
enum JobValidator {
    static let builtInVariables: Set<String> = [
        "mesos_task_id", "MESOS_TASK_ID", "CHRONOS_JOB_OWNER", "CHRONOS_JOB_NAME", "HOST", "CHRONOS_RESOURCE_MEM",
        "CHRONOS_RESOURCE_CPU", "CHRONOS_RESOURCE_DISK", "CHRONOS_JOB_RUN_TIME", "CHRONOS_JOB_RUN_ATTEMPT",
    ]

    /// Checks `d`, records problems in `r`, and sets `d.schedule` when the job has a valid schedule.
    static func check(_ d: inout JobDefinition, now: Instant, _ r: SpecReader) {
        let job = d.job
        checkName(d, r)
        let triggers = ["schedule", "cron", "parents"].filter { d.fieldMarks[$0] != nil }
        if triggers.isEmpty {
            r.error("job \"\(job.name)\" needs one of \"schedule\", \"cron\" or \"parents\" (schedule: \"\" runs it once)", at: d.mark)
        } else if triggers.count > 1 {
            r.error("job \"\(job.name)\" has both \"\(triggers[0])\" and \"\(triggers[1])\"; keep exactly one of schedule, cron, parents", at: d.mark(of: triggers[1]))
        }
        var zone: Zone?
        if !job.scheduleTimeZone.isEmpty {
            do {
                zone = try Zone.named(job.scheduleTimeZone)
                if zone!.identifier != job.scheduleTimeZone {
                    r.warning("\"\(job.scheduleTimeZone)\" is a Java short zone ID, read as \(zone!.identifier); write the IANA name", at: d.mark(of: "scheduleTimeZone"))
                }
            } catch {
                r.error(error.message, at: d.mark(of: "scheduleTimeZone"))
            }
        }
        let zoneIsValid = job.scheduleTimeZone.isEmpty || zone != nil
        if let text = job.schedule, !text.isEmpty {
            do {
                let interval = try RepeatingInterval.parse(text)
                if zoneIsValid {
                    let schedule = Schedule(interval, timeZone: zone)
                    d.schedule = schedule
                    if schedule.ignoresWrittenOffset {
                        r.warning("the offset written in the schedule's start is ignored because scheduleTimeZone is set: the start is \(interval.start!.local) in \(zone!.identifier)", at: d.mark(of: "schedule"))
                    }
                    // A run at `now` itself counts: an empty start's first run is the moment the job is applied.
                    if triggers.count == 1, schedule.next(after: Instant(millis: now.millis - 1), firstApplied: now) == nil {
                        r.warning("schedule \"\(text)\" has no run left after \(now.format(in: schedule.zone)); the job will never run", at: d.mark(of: "schedule"))
                    } else if triggers.count == 1, let count = interval.repetitions, count > 0,
                              let start = schedule.next(after: Instant(millis: -62_135_596_800_000)), start.millis < now.millis {
                        let rest = count > 1 ? ", then \(count - 1) more on the schedule's slots after that" : ""
                        r.warning("the start of schedule \"\(text)\" has passed: as in Chronos, the job runs once at once when it is first applied (its first run)\(rest)", at: d.mark(of: "schedule"))
                    }
                }
            } catch {
                r.error("invalid schedule: \(error.message)", at: shifted(d.mark(of: "schedule"), by: error.offset))
            }
        }
        if let text = job.cron {
            do {
                let cron = try CronExpression.parse(text)
                if zoneIsValid { d.schedule = Schedule(cron, timeZone: zone) }
            } catch {
                r.error("invalid cron: \(error.message)", at: shifted(d.mark(of: "cron"), by: error.offset))
            }
        }
        if let parents = job.parents {
            checkParents(parents, d, r)
        } else if d.fieldMarks["dependencyMode"] != nil {
            r.warning("\"dependencyMode\" only matters for a job with \"parents\"", at: d.mark(of: "dependencyMode"))
        }
        checkDurations(d, r)
        checkResources(d, r)
        checkRuntime(d, r)
    }

    static func shifted(_ mark: Mark, by offset: Int) -> Mark {
        Mark(line: mark.line, column: mark.column + offset)
    }

    static func checkName(_ d: JobDefinition, _ r: SpecReader) {
        guard d.fieldMarks["name"] != nil else { return }
        if let problem = JobName.problem(d.job.name) { r.error(problem, at: d.mark(of: "name")) }
    }

    static func checkParents(_ parents: [String], _ d: JobDefinition, _ r: SpecReader) {
        if parents.isEmpty {
            r.error("\"parents\" is empty; list at least one parent job, or use \"schedule\" or \"cron\"", at: d.mark(of: "parents"))
        }
        var seen: Set<String> = []
        for (index, parent) in parents.enumerated() {
            let mark = index < d.parentMarks.count ? d.parentMarks[index] : d.mark(of: "parents")
            if parent == d.job.name {
                r.error("job \"\(parent)\" lists itself as a parent", at: mark)
            } else if !seen.insert(parent).inserted {
                r.error("parent \"\(parent)\" is listed twice", at: mark)
            }
        }
    }

    /// Checks the durations a job's file writes (they were parsed when it loaded): which must be
    /// positive, and how they relate to each other and to `maxCompletionTime`.
    static func checkDurations(_ d: JobDefinition, _ r: SpecReader) {
        let job = d.job
        func written(_ field: String, _ value: FixedDuration?, positive: Bool = false) -> FixedDuration? {
            guard d.fieldMarks[field] != nil, let value else { return nil }
            if positive && value.millis <= 0 {
                r.error("\"\(field)\" must be longer than zero", at: d.mark(of: field))
                return nil
            }
            return value
        }
        let retry = written("retryInterval", job.retryInterval)
        if let maxRetry = written("maxRetryInterval", job.maxRetryInterval, positive: true), let retry, maxRetry.millis < retry.millis {
            r.error("\"maxRetryInterval\" (\(maxRetry)) is shorter than \"retryInterval\" (\(retry))", at: d.mark(of: "maxRetryInterval"))
        }
        let maxCompletion = Int64(job.maxCompletionTime).multipliedReportingOverflow(by: 1000)
        if let timeout = written("timeout", job.timeout, positive: true), job.maxCompletionTime > 0,
           maxCompletion.overflow || timeout.millis != maxCompletion.partialValue {
            r.error("\"timeout\" (\(timeout)) and \"maxCompletionTime\" (\(job.maxCompletionTime) s) disagree; keep one of them", at: d.mark(of: "timeout"))
        }
        if job.retries < 0 || job.retries > 100 {
            r.error("\"retries\" must be from 0 to 100, not \(job.retries)", at: d.mark(of: "retries"))
        }
        if job.retryBackoff < 1 || job.retryBackoff > 100 {
            r.error("\"retryBackoff\" must be from 1 (no backoff) to 100, not \(job.retryBackoff)", at: d.mark(of: "retryBackoff"))
        }
        if job.maxCompletionTime < 0 || job.maxCompletionTime > 315_576_000 {
            r.error("\"maxCompletionTime\" must be 0 (none) or a number of seconds up to 10 years, not \(job.maxCompletionTime)", at: d.mark(of: "maxCompletionTime"))
        }
    }

    static func checkResources(_ d: JobDefinition, _ r: SpecReader) {
        let limits: [(String, Double, Double, String)] = [
            ("cpus", d.job.cpus, 1024, "CPUs"), ("mem", d.job.mem, 16_777_216, "MB"), ("disk", d.job.disk, 1_073_741_824, "MB"),
        ]
        for (field, value, maximum, unit) in limits {
            if value < 0 {
                r.error("\"\(field)\" must not be negative (0 uses the server's default)", at: d.mark(of: field))
            } else if value > maximum {
                r.error("\"\(field)\" is \(value) \(unit), over the limit of \(Int(maximum)) \(unit); is the unit right?", at: d.mark(of: field))
            }
        }
    }

    static func checkRuntime(_ d: JobDefinition, _ r: SpecReader) {
        let job = d.job
        if job.command.isEmpty && job.container == nil {
            r.error("job \"\(job.name)\" needs a \"command\" (or a \"container\" whose image has one)", at: d.mark(of: "command"))
        }
        if !job.uris.isEmpty && !job.fetch.isEmpty {
            r.error("use either \"uris\" or \"fetch\", not both; \"fetch\" is the newer form", at: d.mark(of: "fetch"))
        }
        if let container = job.container, container.image.isEmpty {
            r.error("\"container\" needs an \"image\"", at: d.mark(of: "container"))
        }
        if job.concurrent, let policy = job.concurrencyPolicy, policy != .allow {
            r.error("\"concurrent: true\" allows overlapping runs, but \"concurrencyPolicy\" is \(policy.rawValue); keep one of them", at: d.mark(of: "concurrencyPolicy"))
        }
        for constraint in job.constraints where constraint.op != .EQUALS {
            if (try? NSRegularExpression(pattern: constraint.value)) == nil {
                r.error("constraint \(constraint.op.rawValue) value \"\(constraint.value)\" is not a valid regular expression", at: d.mark(of: "constraints"))
            }
        }
        // A few variables are compared with one another; a long list goes through a set.
        let variables = job.environmentVariables
        var names: Set<String> = []
        for (i, variable) in variables.enumerated() {
            if variable.name.isEmpty || variable.name.utf8.contains(UInt8(ascii: "=")) {
                r.error("environment variable name \"\(variable.name)\" must be non-empty and without \"=\"", at: d.mark(of: "environmentVariables"))
            } else if mayBeBuiltIn(variable.name) && builtInVariables.contains(variable.name) {
                r.error("environment variable \(variable.name) is set by the scheduler and cannot be overridden", at: d.mark(of: "environmentVariables"))
            } else if variables.count > 16 ? !names.insert(variable.name).inserted : variables[..<i].contains(where: { $0.name == variable.name }) {
                r.error("environment variable \(variable.name) is set twice", at: d.mark(of: "environmentVariables"))
            }
        }
        if let bad = firstNonEmail(in: job.owner) {
            r.warning("owner \"\(bad.trimmingCharacters(in: .whitespaces))\" is not an email address; notifications go to owner emails", at: d.mark(of: "owner"))
        }
    }

    /// False for a name no built-in variable has (they start with m, M, C or H): most names are never hashed.
    static func mayBeBuiltIn(_ name: String) -> Bool {
        switch name.utf8.first {
        case UInt8(ascii: "m"), UInt8(ascii: "M"), UInt8(ascii: "C"), UInt8(ascii: "H"): return true
        default: return false
        }
    }

    /// The first comma-separated part of `owner` without an "@", read on its bytes: this runs for every
    /// job of a folder.
    static func firstNonEmail(in owner: String) -> Substring? {
        let bytes = owner.utf8
        var start = bytes.startIndex
        var hasAt = false
        var i = start
        while i < bytes.endIndex {
            let byte = bytes[i]
            if byte == UInt8(ascii: ",") {
                if !hasAt && i > start { return owner[start..<i] }
                start = bytes.index(after: i)
                hasAt = false
            } else if byte == UInt8(ascii: "@") {
                hasAt = true
            }
            i = bytes.index(after: i)
        }
        return !hasAt && start < bytes.endIndex ? owner[start..<bytes.endIndex] : nil
    }
}
