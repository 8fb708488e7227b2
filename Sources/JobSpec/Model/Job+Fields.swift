extension Job {
    /// Every hashed field with its value as compact JSON, in name order: what plans compare and hash.
    /// Absent optional fields are left out.
    public var canonicalFields: [(name: String, json: String)] {
        withFields { job in
            var fields: [(name: String, json: String)] = []
            fields.reserveCapacity(JobField.hashedInNameOrder.count)
            for field in JobField.hashedInNameOrder {
                if let json = field.canonicalAt(job) { fields.append((field.name, json)) }
            }
            return fields
        }
    }

    /// A hash of the spec, stable across runs and machines (FNV-1a over the canonical fields).
    ///
    /// Applied records keep these hashes, so the bytes hashed for a field must never change for an
    /// unchanged value: a changed hash reads as drift after an upgrade.
    public var specHash: String {
        withFields { job in
            var hash: UInt64 = 14_695_981_039_346_656_037
            for (i, slot) in JobField.hashedSlots.enumerated() {
                let field = JobField.hashedInNameOrder[i]
                // A value at its default is hashed as its default's JSON, written once.
                guard let json = slot.holdsDefault(job) ? field.defaultJSON : field.canonicalAt(job) else { continue }
                for byte in field.name.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
                hash = (hash ^ 0x3D) &* 1_099_511_628_211
                for byte in json.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
                hash = (hash ^ 0x0A) &* 1_099_511_628_211
            }
            return String(hash, radix: 16)
        }
    }
}
