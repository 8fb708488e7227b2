/// An ISO 8601 duration of fixed length (no years or months), kept with the text it was written as.
///
/// Job durations (`epsilon`, `retryInterval`, `maxRetryInterval`, `timeout`) are parsed once, when the
/// spec loads; the engine reads `millis`, and YAML and JSON output write `text` back unchanged.
public struct FixedDuration: Hashable, Sendable, Encodable, CustomStringConvertible {
    /// Text and length in one shared allocation: a job's four optional durations cost a reference each,
    /// and nothing when not set.
    final class Box: Sendable {
        let text: String
        let millis: Int64

        init(text: String, millis: Int64) {
            self.text = text
            self.millis = millis
        }
    }

    private let box: Box

    /// The duration as the spec wrote it, as in `PT5M`.
    public var text: String { box.text }
    /// Its length in milliseconds.
    public var millis: Int64 { box.millis }

    /// Why a duration that parses cannot be used: years and months have no fixed length.
    static let notFixed = "must not use years or months, which have no fixed length; write days or hours, as in P30D"

    /// Parses `text`; throws for bad syntax, and for years or months.
    public init(parsing text: String) throws(ScheduleError) {
        guard let millis = try ISODuration.parse(text).fixedMillis else { throw ScheduleError(Self.notFixed) }
        self.init(text: text, millis: millis)
    }

    init(text: String, millis: Int64) {
        box = Box(text: text, millis: millis)
    }

    public static func == (a: FixedDuration, b: FixedDuration) -> Bool {
        a.box === b.box || (a.millis == b.millis && a.text == b.text)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(text)
        hasher.combine(millis)
    }

    public var description: String { text }

    /// Encoded as the text it was written as, so stored and returned specs keep the user's spelling.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
