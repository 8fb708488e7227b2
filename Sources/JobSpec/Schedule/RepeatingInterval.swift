/// An ISO 8601 repeating interval, `R[n]/<start>/<period>`: Chronos's `schedule`.
///
/// `R` repeats forever, `Rn` runs n times, `R0` never. An empty start (`R//PT1H`) means the moment the
/// job is first applied.
public struct RepeatingInterval: Hashable, Sendable, CustomStringConvertible {
    /// How many runs in all; nil for `R` (forever).
    public var repetitions: Int?
    /// The first run; nil for an empty start.
    public var start: ISODateTime?
    /// The time between runs.
    public var period: ISODuration
    /// The text as written.
    public var text: String

    public var description: String { text }

    /// Parses `R[n]/<start>/<period>`.
    public static func parse(_ text: String) throws(ScheduleError) -> RepeatingInterval {
        let bytes = Array(text.utf8)
        guard bytes.first == UInt8(ascii: "R") else {
            throw ScheduleError("a schedule has the form R[n]/<start>/<period>, as in \"R/2026-01-01T02:00:00Z/P1D\"", at: 0)
        }
        let slashes = bytes.indices.filter { bytes[$0] == UInt8(ascii: "/") }
        guard slashes.count == 2 else {
            let at = slashes.count > 2 ? slashes[2] : bytes.count
            throw ScheduleError("a schedule has three parts separated by \"/\": R[n]/<start>/<period>, as in \"R5/2026-01-01T02:00:00Z/PT1H\"", at: at)
        }
        let countText = String(decoding: bytes[1..<slashes[0]], as: UTF8.self)
        var repetitions: Int?
        if !countText.isEmpty {
            guard countText.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), countText.count <= 9, let n = Int(countText) else {
                throw ScheduleError("the repetition count \"\(countText)\" must be a whole number, as in R5, or nothing (R) to repeat forever", at: 1)
            }
            repetitions = n
        }
        let startText = String(decoding: bytes[(slashes[0] + 1)..<slashes[1]], as: UTF8.self)
        let periodText = String(decoding: bytes[(slashes[1] + 1)...], as: UTF8.self)
        if periodText.first != "P" && startText.first == "P" {
            throw ScheduleError("write the start before the period: R[n]/<start>/<period>", at: slashes[0] + 1)
        }
        let start = startText.isEmpty ? nil : try ISODateTime.parse(startText, base: slashes[0] + 1)
        if periodText.isEmpty {
            throw ScheduleError("the period is missing after the last \"/\"; write one such as \"PT1H\" or \"P1D\"", at: bytes.count)
        }
        // A bare "P" is a zero period, as Chronos reads it (its tests pin "R1//P" as a run-once job).
        let period = periodText == "P" ? ISODuration(text: "P") : try ISODuration.parse(periodText, base: slashes[1] + 1)
        if period.isZero && (repetitions ?? 2) > 1 {
            throw ScheduleError("the period must be longer than zero when the schedule repeats", at: slashes[1] + 1)
        }
        return RepeatingInterval(repetitions: repetitions, start: start, period: period, text: text)
    }
}
