import JobSpec

/// A job's runtime state, kept beside its spec (which is never rewritten).
package struct JobState: Sendable, Hashable, Codable {
    /// When the job was first applied: the anchor of an empty start (`R//PT1H`); runs due before it are not owed.
    package var firstApplied: Int64
    /// The last schedule slot handled (run, or skipped), in epoch ms.
    package var lastScheduledDue: Int64?
    /// A one-shot job (`schedule: ""`) has run.
    package var onceDone: Bool = false
    package var successCount: Int = 0
    package var errorCount: Int = 0
    package var errorsSinceLastSuccess: Int = 0
    package var lastSuccess: Int64?
    package var lastError: Int64?
    /// Disabled by `--disable-after-failures`, or by hand; nil follows the spec's `disabled`.
    package var disabledOverride: Bool?
    /// Parents that completed since this job last ran (for `dependencyMode: all`).
    package var completedParents: [String] = []

    package init(firstApplied: Int64) { self.firstApplied = firstApplied }

    /// The state as the JSON its `Codable` conformance reads (sorted keys, nil left out), written without
    /// the encoder: a store writes one for every job applied.
    package var storedJSON: String {
        var bytes: [UInt8] = Array(#"{"completedParents":["#.utf8)
        for (i, parent) in completedParents.enumerated() {
            if i > 0 { bytes.append(0x2C) }
            JSONText.appendEncoded(parent, to: &bytes)
        }
        bytes.append(0x5D)  // ]
        func add(_ key: String, _ value: String?) {
            guard let value else { return }
            bytes.append(contentsOf: ",\"\(key)\":\(value)".utf8)
        }
        add("disabledOverride", disabledOverride.map { $0 ? "true" : "false" })
        add("errorCount", String(errorCount))
        add("errorsSinceLastSuccess", String(errorsSinceLastSuccess))
        add("firstApplied", String(firstApplied))
        add("lastError", lastError.map { String($0) })
        add("lastScheduledDue", lastScheduledDue.map { String($0) })
        add("lastSuccess", lastSuccess.map { String($0) })
        add("onceDone", onceDone ? "true" : "false")
        add("successCount", String(successCount))
        bytes.append(0x7D)  // }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A job as applied to the engine: its spec, resolved (its schedule parsed), and where it came from.
package struct AppliedJob: Sendable, Hashable {
    package var job: Job
    /// The job's `schedule` or `cron` in its zone, parsed once; nil for a one-shot or a dependent job.
    package var schedule: Schedule?
    /// Where the spec came from: a spec file, or the API.
    package var source: JobSource
    package var appliedAt: Int64

    /// A job loaded from a spec, with the schedule its validation parsed.
    package init(_ definition: JobDefinition, source: JobSource, appliedAt: Int64) {
        self.job = definition.job
        self.schedule = definition.schedule
        self.source = source
        self.appliedAt = appliedAt
    }

    /// A job built in code; throws when its schedule or zone cannot be used.
    package init(job: Job, source: JobSource, appliedAt: Int64) throws(Job.ScheduleProblem) {
        self.job = job
        self.schedule = try job.parsedSchedule()
        self.source = source
        self.appliedAt = appliedAt
    }
}
