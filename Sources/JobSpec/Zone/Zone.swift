import Foundation
import Synchronization

/// A time zone: the UTC offset in force at every instant, read from the system's IANA database
/// (TZif files under `TZDIR`, default `/usr/share/zoneinfo`), or a fixed offset.
///
/// Offsets are in whole seconds. Instants before the first transition use the zone's first local
/// time type; instants after the last use the POSIX rule from the file's footer, so dates past 2037
/// keep their daylight saving time.
public final class Zone: Sendable, Hashable, CustomStringConvertible {
    /// The IANA name (`America/New_York`), or `UTC`, or the fixed offset (`+05:30`).
    public let identifier: String
    let transitions: [Int64]
    let offsets: [Int32]
    let initialOffset: Int32
    let rule: PosixZoneRule?

    init(identifier: String, transitions: [Int64], offsets: [Int32], initialOffset: Int32, rule: PosixZoneRule?) {
        self.identifier = identifier
        self.transitions = transitions
        self.offsets = offsets
        self.initialOffset = initialOffset
        self.rule = rule
    }

    /// Coordinated Universal Time.
    public static let utc = Zone(identifier: "UTC", transitions: [], offsets: [], initialOffset: 0, rule: nil)

    /// A zone that is always `seconds` east of UTC.
    public static func fixed(offsetSeconds seconds: Int32) -> Zone {
        seconds == 0 ? .utc : Zone(identifier: formatOffset(seconds, utcAsZ: false), transitions: [], offsets: [], initialOffset: seconds, rule: nil)
    }

    /// True for UTC itself (printed as `Z`).
    public var isUTC: Bool { self === Zone.utc }

    /// True when the offset never changes.
    public var isFixed: Bool { transitions.isEmpty && (rule?.dst == nil) }

    public var description: String { identifier }

    public static func == (lhs: Zone, rhs: Zone) -> Bool { lhs.identifier == rhs.identifier }
    public func hash(into hasher: inout Hasher) { hasher.combine(identifier) }

    /// `+05:30`, `-04:00`, `-04:56:02`; `Z` for zero when `utcAsZ`.
    static func formatOffset(_ offset: Int32, utcAsZ: Bool) -> String {
        if offset == 0 && utcAsZ { return "Z" }
        let sign = offset < 0 ? "-" : "+"
        let a = Int(abs(offset))
        var text = "\(sign)\(pad(a / 3600, 2)):\(pad(a / 60 % 60, 2))"
        if a % 60 != 0 { text += ":\(pad(a % 60, 2))" }
        return text
    }
}

// MARK: - Offsets and periods

extension Zone {
    /// A stretch of time `[start, end)` (UTC seconds) during which the offset does not change,
    /// with the offsets of its neighbours, which tell a gap (spring forward) from an overlap (fall back).
    struct Period {
        var start: Int64?
        var end: Int64?
        var offset: Int32
        var previousOffset: Int32
        var nextOffset: Int32
    }

    /// The UTC offset, in seconds, at an instant given in seconds since the epoch.
    public func offset(atUTCSeconds t: Int64) -> Int32 {
        if transitions.isEmpty && rule == nil { return initialOffset }
        return period(containing: t).offset
    }

    /// The period of constant offset that contains `t` (UTC seconds).
    func period(containing t: Int64) -> Period {
        let count = transitions.count
        if rule?.dst == nil || (count > 0 && t < transitions[count - 1]) {
            return explicitPeriod(containing: t)
        }
        // At or after the last explicit transition: the footer rule takes over.
        let lastTime: Int64? = count > 0 ? transitions[count - 1] : nil
        let lastOffset = count > 0 ? offsets[count - 1] : initialOffset
        let beforeLast = count > 1 ? offsets[count - 2] : initialOffset
        let rule = self.rule!
        let year = Civil.date(days: Civil.floorDiv(t, Civil.secondsPerDay)).year
        var points: [(time: Int64, offset: Int32)] = []
        for y in (year - 1)...(year + 1) {
            for point in rule.transitions(year: y) where lastTime == nil || point.time > lastTime! {
                points.append(point)
            }
        }
        var start = lastTime
        var offset = lastOffset
        var previous = beforeLast
        for point in points {
            if point.time > t {
                return Period(start: start, end: point.time, offset: offset, previousOffset: previous, nextOffset: point.offset)
            }
            previous = offset
            start = point.time
            offset = point.offset
        }
        return Period(start: start, end: nil, offset: offset, previousOffset: previous, nextOffset: offset)
    }

    private func explicitPeriod(containing t: Int64) -> Period {
        // Index of the first transition after t.
        var low = 0
        var high = transitions.count
        while low < high {
            let mid = (low + high) / 2
            if transitions[mid] <= t { low = mid + 1 } else { high = mid }
        }
        let i = low - 1
        let offset = i >= 0 ? offsets[i] : initialOffset
        let previous = i >= 1 ? offsets[i - 1] : initialOffset
        if low < transitions.count {
            return Period(start: i >= 0 ? transitions[i] : nil, end: transitions[low], offset: offset, previousOffset: previous, nextOffset: offsets[low])
        }
        return Period(start: i >= 0 ? transitions[i] : nil, end: nil, offset: offset, previousOffset: previous, nextOffset: offset)
    }

    /// The instant (UTC milliseconds) at which the wall clock of this zone reads `local`
    /// (milliseconds since local 1970-01-01T00:00).
    ///
    /// A wall-clock time that does not exist (spring forward) is moved forward by the length of the
    /// gap; one that happens twice (fall back) resolves to the first of the two.
    public func resolve(localMillis local: Int64) -> Int64 {
        if transitions.isEmpty && rule == nil { return local - Int64(initialOffset) * 1000 }
        let localSeconds = Civil.floorDiv(local, 1000)
        let guess = localSeconds - Int64(offset(atUTCSeconds: localSeconds))
        let p = period(containing: guess)
        let here = localSeconds - Int64(p.offset)
        let hereValid = (p.start.map { here >= $0 } ?? true) && (p.end.map { here < $0 } ?? true)
        // The earlier period, if the wall time also exists there (overlap, first pass).
        if let start = p.start {
            let before = localSeconds - Int64(p.previousOffset)
            if before < start && p.previousOffset != p.offset && (!hereValid || before < here) {
                return local - Int64(p.previousOffset) * 1000
            }
        }
        if hereValid {
            return local - Int64(p.offset) * 1000
        }
        if let start = p.start, here < start {
            // In the gap before this period: shift forward by the gap.
            return local - Int64(p.previousOffset) * 1000
        }
        if let end = p.end {
            let after = localSeconds - Int64(p.nextOffset)
            if after >= end { return local - Int64(p.nextOffset) * 1000 }
        }
        // In the gap after this period: the pre-transition offset shifts it forward.
        return local - Int64(p.offset) * 1000
    }
}

// MARK: - Loading

/// A time zone name that is not in the IANA database.
public struct ZoneError: Error, Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var message: String
    public var description: String { message }
}

extension Zone {
    private static let cache = Mutex<[String: Zone]>([:])

    /// Directories searched for TZif files: `$TZDIR`, then the system's.
    static var searchPaths: [String] {
        var paths: [String] = []
        if let dir = ProcessInfo.processInfo.environment["TZDIR"], !dir.isEmpty { paths.append(dir) }
        paths.append("/usr/share/zoneinfo")
        return paths
    }

    /// The zone with an IANA name such as `America/New_York` or `UTC`. Zones are read once and cached.
    public static func named(_ name: String) throws(ZoneError) -> Zone {
        if let zone = cache.withLock({ $0[name] }) { return zone }
        let zone = try load(name)
        cache.withLock { $0[name] = zone }
        return zone
    }

    private static func load(_ name: String) throws(ZoneError) -> Zone {
        let allowed = name.utf8.allSatisfy { c in
            (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 47 || c == 95 || c == 45 || c == 43
        }
        guard !name.isEmpty, allowed, !name.hasPrefix("/"), !name.contains("..") else {
            throw ZoneError(name: name, message: "\"\(name)\" is not a time zone name" + suggestion(for: name))
        }
        for dir in searchPaths {
            if let data = FileManager.default.contents(atPath: dir + "/" + name), let zone = TZif.parse(data, identifier: name) {
                return zone.identifier == "UTC" || (zone.isFixed && zone.initialOffset == 0 && name.hasSuffix("UTC")) ? renamedUTC(name) : zone
            }
        }
        if ["UTC", "Etc/UTC", "GMT", "Etc/GMT", "Zulu", "Etc/Zulu", "UCT", "Etc/UCT", "Universal", "Etc/Universal"].contains(name) {
            return renamedUTC(name)
        }
        if let target = javaShortIDs[name] {
            return try named(target)
        }
        throw ZoneError(name: name, message: "unknown time zone \"\(name)\"" + suggestion(for: name))
    }

    /// Java's three-letter zone IDs that Chronos accepted and the IANA database lacks, with the zones
    /// Java maps them to (`java.time.ZoneId.SHORT_IDS`). A zone loaded this way has the IANA identifier.
    public static let javaShortIDs: [String: String] = [
        "ACT": "Australia/Darwin", "AET": "Australia/Sydney", "AGT": "America/Argentina/Buenos_Aires",
        "ART": "Africa/Cairo", "AST": "America/Anchorage", "BET": "America/Sao_Paulo", "BST": "Asia/Dhaka",
        "CAT": "Africa/Harare", "CNT": "America/St_Johns", "CST": "America/Chicago", "CTT": "Asia/Shanghai",
        "EAT": "Africa/Addis_Ababa", "ECT": "Europe/Paris", "IET": "America/Indiana/Indianapolis",
        "IST": "Asia/Kolkata", "JST": "Asia/Tokyo", "MIT": "Pacific/Apia", "NET": "Asia/Yerevan",
        "NST": "Pacific/Auckland", "PLT": "Asia/Karachi", "PNT": "America/Phoenix", "PRT": "America/Puerto_Rico",
        "PST": "America/Los_Angeles", "SST": "Pacific/Guadalcanal", "VST": "Asia/Ho_Chi_Minh",
    ]

    private static func renamedUTC(_ name: String) -> Zone {
        name == "UTC" ? .utc : Zone(identifier: name, transitions: [], offsets: [], initialOffset: 0, rule: nil)
    }

    /// Every zone name the database holds (read only when an error needs a suggestion).
    static func allNames() -> [String] {
        for dir in searchPaths {
            guard let enumerator = FileManager.default.enumerator(atPath: dir) else { continue }
            var names: [String] = []
            while let path = enumerator.nextObject() as? String {
                if path.hasPrefix("posix") || path.hasPrefix("right") || path.contains(".") { continue }
                if let first = path.first, first.isUppercase { names.append(path) }
            }
            if !names.isEmpty { return names }
        }
        return ["UTC"]
    }

    private static func suggestion(for name: String) -> String {
        if let best = Suggest.closest(to: name, among: allNames(), caseInsensitive: true) {
            return "; did you mean \"\(best)\"?"
        }
        return " (use an IANA name such as \"America/New_York\" or \"UTC\")"
    }
}
