extension Job {
    /// Every hashed field with its value as compact JSON, in name order: what plans compare and hash.
    /// Absent optional fields are left out.
    public var canonicalFields: [(name: String, json: String)] {
        var fields: [(name: String, json: String)] = []
        fields.reserveCapacity(JobField.hashedInNameOrder.count)
        for field in JobField.hashedInNameOrder {
            if let json = field.canonical(self) { fields.append((field.name, json)) }
        }
        return fields
    }

    /// A hash of the spec, stable across runs and machines (FNV-1a over the canonical fields).
    ///
    /// Applied records keep these hashes, so the bytes hashed for a field must never change for an
    /// unchanged value: a changed hash reads as drift after an upgrade.
    public var specHash: String {
        var hash: UInt64 = 14_695_981_039_346_656_037
        for field in JobField.hashedInNameOrder {
            guard let json = field.canonical(self) else { continue }
            for byte in field.name.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
            hash = (hash ^ 0x3D) &* 1_099_511_628_211
            for byte in json.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
            hash = (hash ^ 0x0A) &* 1_099_511_628_211
        }
        return String(hash, radix: 16)
    }
}
