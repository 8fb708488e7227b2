import Foundation

/// A point in time, in whole milliseconds since 1970-01-01T00:00:00Z (Chronos's resolution: task ids
/// carry the due time in epoch milliseconds).
public struct Instant: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Milliseconds since the Unix epoch.
    public var millis: Int64

    public init(millis: Int64) { self.millis = millis }

    /// The instant of a `Date`, rounded down to the millisecond.
    public init(_ date: Date) {
        self.millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// The current time.
    public static var now: Instant { Instant(Date()) }

    public var date: Date { Date(timeIntervalSince1970: Double(millis) / 1000) }

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.millis < rhs.millis }

    /// ISO 8601 in UTC, e.g. `2026-03-08T07:00:00Z`.
    public var description: String { format(in: .utc) }

    /// ISO 8601 with the offset `zone` has at this instant, e.g. `2026-03-08T03:00:00-04:00`.
    public func format(in zone: Zone) -> String {
        let offset = zone.offset(atUTCSeconds: Civil.floorDiv(millis, 1000))
        let local = LocalDateTime(localMillis: millis + Int64(offset) * 1000)
        return local.description + Zone.formatOffset(offset, utcAsZ: zone.isUTC)
    }
}
