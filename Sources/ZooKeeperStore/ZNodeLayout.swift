/// Where each piece of state lives under the root path (see DESIGN.md §4, "ZooKeeper layout").
///
/// Nodes that grow with the number of jobs or runs sit in 256 buckets (`00`…`ff`, by an FNV-1a hash of
/// the job's name), so no node has more than a few hundred children at 100,000 jobs and every listing
/// stays far under ZooKeeper's 1 MB packet limit.
package struct ZNodeLayout: Sendable {
    package let root: String

    package init(root: String) {
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
    }

    /// The leader's epoch: a number the leader bumps when it wins; every leader write checks its version.
    package var epoch: String { root + "/epoch" }
    /// One ephemeral sequential node per instance; the lowest leads.
    package var election: String { root + "/election" }
    /// Written last when the layout is created: its presence says every bucket exists.
    package var layout: String { root + "/layout" }
    package static let layoutVersion = "1"
    /// Folders split in buckets; `meta` holds a few values and is not.
    package static let bucketed = ["jobs", "state", "active", "history"]

    /// Jobs as applied: `{"spec": <the job as JSON>, "source": …, "appliedAt": …}`.
    package func job(_ name: String) -> String { "\(root)/jobs/\(Self.bucket(name))/\(Self.escape(name))" }
    /// A job's runtime state (next slot, retries, dependency progress) as JSON.
    package func state(_ name: String) -> String { "\(root)/state/\(Self.bucket(name))/\(Self.escape(name))" }
    /// A run that is queued or running, as JSON.
    package func active(_ id: String, job: String) -> String { "\(root)/active/\(Self.bucket(job))/\(Self.escape(id))" }
    /// A job's finished runs, newest first, as a JSON array of at most `--job-history-limit` runs.
    package func history(_ name: String) -> String { "\(root)/history/\(Self.bucket(name))/\(Self.escape(name))" }
    /// A stored value (the sync record, the Mesos framework id).
    package func meta(_ key: String) -> String { "\(root)/meta/\(Self.escape(key))" }

    /// Every bucket folder of `folder`.
    package func buckets(_ folder: String) -> [String] { (0..<256).map { "\(root)/\(folder)/\(Self.hex($0))" } }

    /// The job's bucket: the low byte of the FNV-1a hash of its name, stable across processes and versions.
    package static func bucket(_ name: String) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in name.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return hex(Int(hash & 0xff))
    }

    static func hex(_ value: Int) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[value >> 4], digits[value & 15]])
    }

    /// A name as a node name: bytes outside `[A-Za-z0-9._:@=+-]` as `%XX`, so `/` and `%` never end up in
    /// a node name and `.`/`..` are escaped.
    package static func escape(_ name: String) -> String {
        if name == "." || name == ".." { return name.replacingOccurrences(of: ".", with: "%2E") }
        var out = ""
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + hex(Int(byte)).uppercased()
            }
        }
        return out
    }

    /// The name a node name stands for.
    package static func unescape(_ node: String) -> String {
        guard node.contains("%") else { return node }
        var bytes: [UInt8] = []
        var utf8 = Array(node.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2, let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
