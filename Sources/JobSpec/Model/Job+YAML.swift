import Foundation

extension Job {
    /// The job as a YAML spec: every field that differs from its default, Chronos's names, in a stable
    /// order; loading it back gives the same job.
    public func yaml() -> String {
        let defaults = Job(name: name)
        var lines: [String] = []
        func add(_ key: String, _ value: String) { lines.append("\(key): \(value)") }
        func text(_ key: String, _ value: String, _ base: String) { if value != base { add(key, Self.scalar(value)) } }
        func flag(_ key: String, _ value: Bool, _ base: Bool) { if value != base { add(key, value ? "true" : "false") } }
        func number(_ key: String, _ value: Double, _ base: Double) {
            if value != base { add(key, value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)) }
        }
        func list(_ key: String, _ values: [String]) {
            guard !values.isEmpty else { return }
            lines.append("\(key):")
            lines += values.map { "  - \(Self.scalar($0))" }
        }
        func json(_ key: String, _ value: some Encodable) {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            if let data = try? encoder.encode(value) { add(key, String(decoding: data, as: UTF8.self)) }
        }
        add("name", Self.scalar(name))
        text("description", description, defaults.description)
        text("owner", owner, defaults.owner)
        text("ownerName", ownerName, defaults.ownerName)
        text("command", command, "\u{0}")  // always written, even when empty
        flag("shell", shell, defaults.shell)
        list("arguments", arguments)
        if let schedule { add("schedule", Self.scalar(schedule)) }
        if let cron { add("cron", Self.scalar(cron)) }
        text("scheduleTimeZone", scheduleTimeZone, defaults.scheduleTimeZone)
        if let parents { parents.isEmpty ? add("parents", "[]") : list("parents", parents) }
        if dependencyMode != defaults.dependencyMode { add("dependencyMode", dependencyMode.rawValue) }
        if let epsilon { add("epsilon", Self.scalar(epsilon)) }
        if retries != defaults.retries { add("retries", String(retries)) }
        if let retryInterval { add("retryInterval", Self.scalar(retryInterval)) }
        number("retryBackoff", retryBackoff, defaults.retryBackoff)
        if let maxRetryInterval { add("maxRetryInterval", Self.scalar(maxRetryInterval)) }
        if let timeout { add("timeout", Self.scalar(timeout)) }
        if maxCompletionTime != defaults.maxCompletionTime { add("maxCompletionTime", String(maxCompletionTime)) }
        if let concurrencyPolicy { add("concurrencyPolicy", concurrencyPolicy.rawValue) }
        flag("async", async, defaults.async)
        flag("concurrent", concurrent, defaults.concurrent)
        flag("softError", softError, defaults.softError)
        flag("disabled", disabled, defaults.disabled)
        flag("highPriority", highPriority, defaults.highPriority)
        number("cpus", cpus, defaults.cpus)
        number("mem", mem, defaults.mem)
        number("disk", disk, defaults.disk)
        text("runAsUser", runAsUser, defaults.runAsUser)
        if !environmentVariables.isEmpty { json("environmentVariables", environmentVariables) }
        list("uris", uris)
        if !fetch.isEmpty { json("fetch", fetch) }
        if let container { json("container", container) }
        if !constraints.isEmpty { json("constraints", constraints) }
        text("executor", executor, defaults.executor)
        text("executorFlags", executorFlags, defaults.executorFlags)
        text("taskInfoData", taskInfoData, defaults.taskInfoData)
        flag("dataProcessingJobType", dataProcessingJobType, defaults.dataProcessingJobType)
        return lines.joined(separator: "\n") + "\n"
    }

    /// A string as a YAML scalar: plain when that reads back as the same string, else double-quoted.
    static func scalar(_ value: String) -> String {
        let reserved: Set<String> = ["true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"]
        let plainSafe = !value.isEmpty && value.utf8.allSatisfy { c in
            (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || "_./@+-".utf8.contains(c)
        }
        let startsSafely = value.first.map { $0.isLetter || $0 == "/" || $0 == "_" } ?? false
        if plainSafe && startsSafely && !reserved.contains(value.lowercased()) { return value }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
