import Foundation

extension Job {
    /// Every field with its value as compact JSON, in name order: what plans compare and hash. Built by
    /// hand, not through an encoder, because a sync of tens of thousands of jobs compares them all.
    public var canonicalFields: [(name: String, json: String)] {
        func string(_ s: String) -> String { JSONText.string(s) }
        func strings(_ list: [String]) -> String { "[" + list.map(JSONText.string).joined(separator: ",") + "]" }
        func number(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d) }
        func bool(_ b: Bool) -> String { b ? "true" : "false" }
        func encoded(_ value: some Encodable) -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
        }
        var fields: [(String, String)] = [
            ("arguments", strings(arguments)), ("async", bool(async)), ("command", string(command)),
            ("concurrent", bool(concurrent)), ("constraints", constraints.isEmpty ? "[]" : encoded(constraints)),
            ("cpus", number(cpus)), ("dataProcessingJobType", bool(dataProcessingJobType)),
            ("dependencyMode", string(dependencyMode.rawValue)), ("description", string(description)),
            ("disabled", bool(disabled)), ("disk", number(disk)),
            ("environmentVariables", environmentVariables.isEmpty ? "[]" : encoded(environmentVariables)),
            ("executor", string(executor)), ("executorFlags", string(executorFlags)),
            ("fetch", fetch.isEmpty ? "[]" : encoded(fetch)), ("highPriority", bool(highPriority)),
            ("maxCompletionTime", String(maxCompletionTime)), ("mem", number(mem)), ("name", string(name)),
            ("owner", string(owner)), ("ownerName", string(ownerName)), ("retries", String(retries)),
            ("retryBackoff", number(retryBackoff)), ("runAsUser", string(runAsUser)),
            ("scheduleTimeZone", string(scheduleTimeZone)), ("shell", bool(shell)), ("softError", bool(softError)),
            ("taskInfoData", string(taskInfoData)), ("uris", strings(uris)),
        ]
        if let schedule { fields.append(("schedule", string(schedule))) }
        if let cron { fields.append(("cron", string(cron))) }
        if let parents { fields.append(("parents", strings(parents))) }
        if let epsilon { fields.append(("epsilon", string(epsilon))) }
        if let retryInterval { fields.append(("retryInterval", string(retryInterval))) }
        if let maxRetryInterval { fields.append(("maxRetryInterval", string(maxRetryInterval))) }
        if let timeout { fields.append(("timeout", string(timeout))) }
        if let concurrencyPolicy { fields.append(("concurrencyPolicy", string(concurrencyPolicy.rawValue))) }
        if let container { fields.append(("container", encoded(container))) }
        return fields.sorted { $0.0 < $1.0 }
    }

    /// A hash of the spec, stable across runs and machines (FNV-1a over the canonical fields).
    public var specHash: String {
        var hash: UInt64 = 14_695_981_039_346_656_037
        for (name, json) in canonicalFields {
            for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
            hash = (hash ^ 0x3D) &* 1_099_511_628_211
            for byte in json.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
            hash = (hash ^ 0x0A) &* 1_099_511_628_211
        }
        return String(hash, radix: 16)
    }
}

/// JSON text of simple values.
enum JSONText {
    static func string(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20: out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
