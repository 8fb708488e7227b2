/// A schedule, duration or cron expression that cannot be parsed or can never run.
public struct ScheduleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong and how to fix it.
    public var message: String
    /// Zero-based character offset into the expression where the problem starts.
    public var offset: Int

    public init(_ message: String, at offset: Int = 0) {
        self.message = message
        self.offset = offset
    }

    public var description: String { message }
}

/// A cursor over the ASCII bytes of an expression, shared by the ISO 8601 and cron parsers.
struct ExpressionScanner {
    let bytes: [UInt8]
    var position: Int
    /// Added to `position` in errors, when the scanned text is a slice of a longer expression.
    let base: Int

    init(_ text: some StringProtocol, base: Int = 0) {
        self.bytes = Array(text.utf8)
        self.position = 0
        self.base = base
    }

    var atEnd: Bool { position >= bytes.count }
    var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    func peekIs(_ c: Character) -> Bool { peek == c.asciiValue }

    var peekIsDigit: Bool { peek.map { $0 >= 48 && $0 <= 57 } ?? false }

    mutating func eat(_ c: Character) -> Bool {
        guard peekIs(c) else { return false }
        position += 1
        return true
    }

    /// Exactly `count` digits.
    mutating func digits(_ count: Int) -> Int? {
        guard position + count <= bytes.count else { return nil }
        var value = 0
        for i in 0..<count {
            let c = bytes[position + i]
            guard c >= 48 && c <= 57 else { return nil }
            value = value * 10 + Int(c - 48)
        }
        position += count
        return value
    }

    /// The run of digits here, or nil when there is none.
    mutating func digitRun() -> Substring? {
        let start = position
        while let c = peek, c >= 48 && c <= 57 { position += 1 }
        return start == position ? nil : Substring(String(decoding: bytes[start..<position], as: UTF8.self))
    }

    func error(_ message: String, at offset: Int? = nil) -> ScheduleError {
        ScheduleError(message, at: base + (offset ?? position))
    }
}
