extension Job {
    /// A job's schedule that cannot be used: a bad time zone or expression.
    public struct ScheduleProblem: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The job's `schedule` or `cron` in its zone; nil for a one-shot or a dependent job.
    public func parsedSchedule() throws(ScheduleProblem) -> Schedule? {
        var zone: Zone?
        if !scheduleTimeZone.isEmpty {
            do { zone = try Zone.named(scheduleTimeZone) } catch { throw ScheduleProblem(description: error.message) }
        }
        do {
            if let cron { return Schedule(try CronExpression.parse(cron), timeZone: zone) }
            if let schedule, !schedule.isEmpty { return Schedule(try RepeatingInterval.parse(schedule), timeZone: zone) }
        } catch {
            throw ScheduleProblem(description: "invalid schedule \"\(schedule ?? cron ?? "")\": \(error.message)")
        }
        return nil
    }
}

extension JobLoader {
    /// Loads the jobs in one text (YAML or JSON) as if it were the file `file`, checking each job alone
    /// (names, parents and cycles across jobs are not checked).
    public static func parse(_ text: String, file: String, defaults: JobDefaults = JobDefaults(), options: LoadOptions = LoadOptions()) -> (jobs: [JobDefinition], diagnostics: [Diagnostic]) {
        let reader = SpecReader(file: file)
        var jobs = SpecFileLoader.jobs(in: Array(text.utf8), file: file, defaults: defaults, limits: options.limits, reader: reader)
        for i in jobs.indices {
            JobValidator.check(&jobs[i], now: options.now, reader)
        }
        return (jobs, reader.diagnostics)
    }
}
