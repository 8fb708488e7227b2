import ChronosEngine

/// A small JSON writer for the large, hot responses (`jobs/summary` with tens of thousands of jobs),
/// where Foundation's encoder costs more than the rest of the request.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [92, 92])
            case 10: bytes.append(contentsOf: [92, 110])
            case 13: bytes.append(contentsOf: [92, 114])
            case 9: bytes.append(contentsOf: [92, 116])
            case 0..<32:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [92, 117, 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func bool(_ value: Bool) {
        if value { raw("true") } else { raw("false") }
    }

    mutating func number(_ value: Int64) {
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func strings(_ values: [String]) {
        raw("[")
        for (i, v) in values.enumerated() {
            if i > 0 { raw(",") }
            string(v)
        }
        raw("]")
    }
}

extension JobSummary {
    /// `{"jobs":[…]}` for `jobs/summary`.
    static func document(_ statuses: [JobStatus]) -> [UInt8] {
        var w = JSONWriter(capacity: statuses.count * 120 + 16)
        w.raw("{\"jobs\":[")
        for (i, status) in statuses.enumerated() {
            let s = JobSummary(status)
            if i > 0 { w.raw(",") }
            w.raw("{\"name\":")
            w.string(s.name)
            w.raw(",\"status\":")
            w.string(s.status)
            w.raw(",\"state\":")
            w.string(s.state)
            w.raw(",\"schedule\":")
            w.string(s.schedule)
            w.raw(",\"parents\":")
            w.strings(s.parents)
            w.raw(",\"disabled\":")
            w.bool(s.disabled)
            w.raw("}")
        }
        w.raw("]}")
        return w.bytes
    }
}
