extension Job: Encodable {
    /// The job as JSON with its spec names: how a state store keeps it, loadable again as a spec.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: FieldKey.self)
        for field in JobField.all {
            try field.encode(self, &container, FieldKey(field.name))
        }
    }

    /// The job as one line of JSON with its spec names in name order, each value its canonical JSON: what a
    /// state store keeps, loaded again as a spec. Fields at `Job()`'s value are left out, as in `yaml()`
    /// (a spec that leaves them out reads the same); the name and the command are always written. Written
    /// without the encoder, which was most of the time of storing 100,000 applied jobs.
    public var storedJSON: String {
        withFields { job in
            var bytes: [UInt8] = [0x7B]  // {
            bytes.reserveCapacity(256)
            for (i, slot) in JobField.allSlots.enumerated() where slot.alwaysWritten || !slot.holdsDefault(job) {
                let field = JobField.allInNameOrder[i]
                guard slot.alwaysWritten || !field.isAtDefaultAt(job), let json = field.canonicalAt(job) else { continue }
                if bytes.count > 1 { bytes.append(0x2C) }
                JSONText.appendEncoded(field.name, to: &bytes)
                bytes.append(0x3A)  // :
                bytes.append(contentsOf: json.utf8)
            }
            bytes.append(0x7D)  // }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Adds the job's fields with Chronos's names to `encoder`, as Chronos's API returns a job.
    package func encodeChronosFields(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: FieldKey.self)
        for field in JobField.all {
            try field.encode(self, &container, FieldKey(field.chronosName))
        }
    }
}
