import JobSpec

extension Plan {
    /// The plan as JSON, byte for byte what `JSONEncoder` writes with `[.prettyPrinted, .sortedKeys,
    /// .withoutEscapingSlashes]` (keys in the order of their UTF-8 bytes, two-space indents, `" : "`), written
    /// directly: a plan of 10,000 new jobs is about 10 MB, and the encoder's tree of boxed values took a
    /// fifth of a cold `plan`.
    package func prettyJSON() -> [UInt8] {
        var w = PrettyJSONWriter()
        w.bytes.reserveCapacity(256 + changes.reduce(0) { $0 + 160 + $1.fields.count * 100 })
        w.begin(.object)
        w.key("changes")
        w.begin(.array)
        for change in changes {
            w.item()
            w.begin(.object)
            w.member("action", change.action.rawValue)
            w.key("fields")
            w.begin(.array)
            for field in change.fields {
                w.item()
                w.begin(.object)
                w.member("field", field.field)
                w.member("new", field.new)
                w.member("old", field.old)
                w.end(.object)
            }
            w.end(.array)
            w.member("name", change.name)
            w.member("source", change.source)
            w.end(.object)
        }
        w.end(.array)
        w.member("liveFingerprint", liveFingerprint)
        w.member("notPruned", notPruned)
        w.member("refused", refused)
        w.member("revision", revision)
        w.member("unmanaged", unmanaged)
        w.end(.object)
        return w.bytes
    }
}

/// Writes pretty JSON as Foundation's `JSONWriter` lays it out; the caller writes members in sorted order.
struct PrettyJSONWriter {
    enum Container: UInt8 {
        case object = 0x7B  // {
        case array = 0x5B  // [
    }

    var bytes: [UInt8] = []
    /// For each open container, whether nothing is in it yet.
    private var empty: [Bool] = []

    mutating func begin(_ container: Container) {
        bytes.append(container.rawValue)
        bytes.append(0x0A)
        empty.append(true)
    }

    mutating func end(_ container: Container) {
        empty.removeLast()
        bytes.append(0x0A)
        indent()
        bytes.append(container.rawValue + 2)  // } or ]
    }

    /// Starts the next element of an array (or member of an object): a separator and the indent.
    mutating func item() {
        if empty[empty.count - 1] {
            empty[empty.count - 1] = false
        } else {
            bytes.append(0x2C)  // ,
            bytes.append(0x0A)
        }
        indent()
    }

    mutating func key(_ name: String) {
        item()
        string(name)
        bytes.append(contentsOf: [0x20, 0x3A, 0x20])  // " : "
    }

    /// A string member; nothing when `value` is nil, as `encodeIfPresent` does.
    mutating func member(_ name: String, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    mutating func member(_ name: String, _ values: [String]) {
        key(name)
        begin(.array)
        for value in values {
            item()
            string(value)
        }
        end(.array)
    }

    private mutating func indent() {
        for _ in 0..<empty.count { bytes.append(0x20); bytes.append(0x20) }
    }

    /// A quoted string, escaped as `JSONEncoder` escapes it.
    mutating func string(_ text: String) {
        JSONText.appendEncoded(text, to: &bytes)
    }
}
