import ArgumentParser

/// A duration given on the command line with units, as Flux and Argo CD take them: `30s`, `5m`, `1h30m`,
/// `250ms`, `2d`; a bare number is in the flag's own unit (seconds, unless the flag says otherwise).
struct DurationFlag: Sendable, Equatable, CustomStringConvertible {
    var milliseconds: Int64

    init(milliseconds: Int64) { self.milliseconds = milliseconds }

    /// Parses `text`; a bare number counts `bareUnit` milliseconds. Nil when it is not a duration.
    init?(_ text: String, bareUnit: Int64 = 1000) {
        let text = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let bare = Double(text) {
            guard bare >= 0, bare * Double(bareUnit) < 1e15 else { return nil }
            milliseconds = Int64((bare * Double(bareUnit)).rounded())
            return
        }
        var total = 0.0
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unit.count)
            guard let value = Double(number), let scale = Self.units[String(unit)] else { return nil }
            total += value * scale
        }
        guard total < 1e15 else { return nil }
        milliseconds = Int64(total.rounded())
    }

    static let units: [String: Double] = ["ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000]

    var duration: Duration { .milliseconds(milliseconds) }

    var description: String {
        if milliseconds % 1000 != 0 { return "\(milliseconds)ms" }
        let s = milliseconds / 1000
        if s % 3600 == 0 && s > 0 { return "\(s / 3600)h" }
        if s % 60 == 0 && s > 0 { return "\(s / 60)m" }
        return "\(s)s"
    }
}

extension DurationFlag: ExpressibleByArgument {
    /// Bare numbers are seconds.
    init?(argument: String) { self.init(argument) }
}

/// A duration flag whose bare numbers are milliseconds, as Chronos's `--failure_retry` takes them.
struct MillisecondsFlag: ExpressibleByArgument, Sendable {
    var value: DurationFlag
    init?(argument: String) {
        guard let value = DurationFlag(argument, bareUnit: 1) else { return nil }
        self.value = value
    }

    var defaultValueDescription: String { value.description }
}
