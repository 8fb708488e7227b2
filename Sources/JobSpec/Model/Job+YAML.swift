import Foundation

extension Job {
    /// The job as a YAML spec: `name` and `command`, then every field that differs from its default, with
    /// Chronos's names, in the order of `JobField.all`; loading it back gives the same job.
    public func yaml() -> String {
        var text = ""
        for field in JobField.all {
            guard let lines = field.yaml(self) else { continue }
            text += lines
            text += "\n"
        }
        return text
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
