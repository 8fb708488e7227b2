import Foundation

/// How the values of one Swift type are read from a spec and written out: as canonical JSON text (what
/// plans compare and the spec hash covers), as YAML (`import`), and as JSON through `Encodable`.
struct FieldCodec<Value: Hashable & Sendable & Encodable>: Sendable {
    let kind: JobField.Kind
    /// Reads a value of field `field`, reporting problems to the reader; nil after an error.
    let read: @Sendable (_ node: YAMLNode, _ field: String, _ reader: SpecReader) -> Value?
    /// Compact JSON text. Its bytes are hashed, so it must not change for a value that did not.
    let canonical: @Sendable (Value) -> String
    /// What follows `key:` in YAML: a value on the same line (with its leading space), or block lines.
    let yaml: @Sendable (Value) -> String
    /// The raw values of an enumeration; empty for other kinds.
    var choices: [String] = []
}

extension FieldCodec where Value == String {
    static var string: Self {
        Self(kind: .string, read: { n, f, r in r.string(n, f) }, canonical: JSONText.string, yaml: { " " + Job.scalar($0) })
    }
}

extension FieldCodec where Value == Bool {
    static var boolean: Self {
        Self(kind: .boolean, read: { n, f, r in r.bool(n, f) }, canonical: { $0 ? "true" : "false" }, yaml: { $0 ? " true" : " false" })
    }
}

extension FieldCodec where Value == Int {
    static var integer: Self {
        Self(kind: .integer, read: { n, f, r in r.int(n, f) }, canonical: { String($0) }, yaml: { " " + String($0) })
    }
}

extension FieldCodec where Value == Double {
    static var number: Self {
        Self(kind: .number, read: { n, f, r in r.double(n, f) }, canonical: JSONText.number, yaml: { " " + JSONText.number($0) })
    }
}

extension FieldCodec where Value == [String] {
    static var strings: Self {
        Self(kind: .strings, read: { n, f, r in r.strings(n, f) }, canonical: { list in
            "[" + list.map(JSONText.string).joined(separator: ",") + "]"
        }, yaml: { list in
            list.isEmpty ? " []" : list.map { "\n  - " + Job.scalar($0) }.joined()
        })
    }
}

extension FieldCodec where Value == FixedDuration {
    static var duration: Self {
        Self(kind: .duration, read: JobDecoder.duration, canonical: { JSONText.string($0.text) }, yaml: { " " + Job.scalar($0.text) })
    }
}

extension FieldCodec where Value: RawRepresentable & CaseIterable, Value.RawValue == String {
    static var choice: Self {
        Self(kind: .choice, read: { n, f, r in r.choice(n, f, as: Value.self) }, canonical: { JSONText.string($0.rawValue) },
             yaml: { " " + Job.scalar($0.rawValue) }, choices: Value.allCases.map(\.rawValue))
    }
}

extension FieldCodec {
    /// A structured value written as one line of JSON (sorted keys), in YAML as in the hash.
    static func json(_ kind: JobField.Kind, _ read: @escaping @Sendable (YAMLNode, SpecReader) -> Value?) -> Self {
        Self(kind: kind, read: { n, _, r in read(n, r) }, canonical: JSONText.encoded, yaml: { " " + JSONText.encoded($0) })
    }

    /// A list of structured values; an empty list is `[]` without going through the encoder. `encoded`
    /// writes a list as `JSONText.encoded` does.
    static func jsonList<Element>(_ kind: JobField.Kind, _ read: @escaping @Sendable (YAMLNode, SpecReader) -> Value?,
                                  encoded: @escaping @Sendable (Value) -> String = JSONText.encoded) -> Self where Value == [Element] {
        Self(kind: kind, read: { n, _, r in read(n, r) }, canonical: { $0.isEmpty ? "[]" : encoded($0) },
             yaml: { " " + ($0.isEmpty ? "[]" : encoded($0)) })
    }
}

/// JSON text of simple values, written by hand: a sync hashes tens of thousands of jobs.
package enum JSONText {
    static func string(_ s: String) -> String {
        // Most values need no escape: quoted as they are, without rebuilding them scalar by scalar.
        if !s.utf8.contains(where: { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 }) { return "\"" + s + "\"" }
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

    /// A whole number without a fraction, as specs write resources; other numbers as Swift prints them.
    static func number(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
    }

    /// Compact JSON with sorted keys, for structured values (containers, fetch entries, …).
    static func encoded(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    /// Environment variables as `encoded` writes them, `[{"name":…,"value":…},…]`, without the encoder:
    /// most jobs have some, and the encoder was half the cost of a job's canonical fields.
    static func environment(_ list: [EnvironmentVariable]) -> String {
        var bytes: [UInt8] = [0x5B]  // [
        for (i, variable) in list.enumerated() {
            if i > 0 { bytes.append(0x2C) }
            bytes.append(contentsOf: #"{"name":"#.utf8)
            appendEncoded(variable.name, to: &bytes)
            bytes.append(contentsOf: #","value":"#.utf8)
            appendEncoded(variable.value, to: &bytes)
            bytes.append(0x7D)  // }
        }
        bytes.append(0x5D)  // ]
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `text` as a quoted JSON string escaped as `JSONEncoder` escapes it (with
    /// `.withoutEscapingSlashes`): `"` and `\`, `\b \f \n \r \t`, other control characters as `\u00xx` in
    /// lowercase hex, everything else as it is.
    package static func appendEncoded(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(0x22)
        for byte in text.utf8 {
            switch byte {
            case 0x22, 0x5C: bytes.append(0x5C); bytes.append(byte)
            case 0x08: bytes.append(0x5C); bytes.append(0x62)
            case 0x0C: bytes.append(0x5C); bytes.append(0x66)
            case 0x0A: bytes.append(0x5C); bytes.append(0x6E)
            case 0x0D: bytes.append(0x5C); bytes.append(0x72)
            case 0x09: bytes.append(0x5C); bytes.append(0x74)
            case 0x00...0x1F: bytes.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hexDigit(byte >> 4), hexDigit(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
        bytes.append(0x22)
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 { value < 10 ? 0x30 + value : 0x61 + value - 10 }
}
