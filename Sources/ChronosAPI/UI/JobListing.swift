import ChronosEngine
import JobSpec

/// The web UI's job list: every job in one compact document, small enough at 10,000 jobs to load at once
/// and to search, sort and filter in the browser.
enum JobListing {
    /// One letter a run state, for the strip of a job's latest runs.
    static func letter(_ state: RunState) -> UInt8 {
        switch state {
        case .succeeded: return UInt8(ascii: "s")
        case .failed: return UInt8(ascii: "f")
        case .killed: return UInt8(ascii: "k")
        case .lost: return UInt8(ascii: "l")
        case .skipped: return UInt8(ascii: "x")
        case .running: return UInt8(ascii: "r")
        case .queued: return UInt8(ascii: "q")
        }
    }

    /// What starts the job: its schedule or cron line, or the parents it waits for.
    static func trigger(_ job: Job) -> String {
        if let parents = job.parents { return "after " + parents.joined(separator: ", ") }
        if let cron = job.cron { return "cron " + cron }
        return job.schedule ?? ""
    }

    /// `{"now": ms, "jobs": [{name, command, owner, status, running, queued, disabled, source, trigger,
    /// parents, tz, next, runs}]}`, where `runs` holds one letter a run, oldest first.
    static func document(_ statuses: [JobStatus], runs: [String: [RunState]], now: Int64) -> [UInt8] {
        var w = JSONWriter(capacity: statuses.count * 260 + 32)
        w.raw("{\"now\":")
        w.number(now)
        w.raw(",\"jobs\":[")
        for (i, status) in statuses.enumerated() {
            let job = status.job
            if i > 0 { w.raw(",") }
            w.raw("{\"name\":")
            w.string(job.name)
            w.raw(",\"command\":")
            w.string(job.command)
            w.raw(",\"owner\":")
            w.string(job.owner)
            w.raw(",\"status\":")
            w.string(JobSummary.result(status.state))
            w.raw(",\"running\":")
            w.number(Int64(status.running))
            w.raw(",\"queued\":")
            w.number(Int64(status.queued))
            w.raw(",\"disabled\":")
            w.bool(status.disabled)
            w.raw(",\"source\":")
            w.string(status.source.stored)
            w.raw(",\"trigger\":")
            w.string(trigger(job))
            w.raw(",\"parents\":")
            w.strings(job.parents ?? [])
            w.raw(",\"tz\":")
            w.string(job.scheduleTimeZone)
            w.raw(",\"next\":")
            if let next = status.nextDue { w.number(next) } else { w.raw("null") }
            w.raw(",\"runs\":")
            let letters = (runs[job.name] ?? []).reversed().map(letter)
            w.string(String(decoding: letters, as: UTF8.self))
            w.raw("}")
        }
        w.raw("]}")
        return w.bytes
    }
}
