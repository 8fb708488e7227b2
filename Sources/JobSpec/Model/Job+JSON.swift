extension Job: Encodable {
    /// The job as JSON with its spec names: how a state store keeps it, loadable again as a spec.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: FieldKey.self)
        for field in JobField.all {
            try field.encode(self, &container, FieldKey(field.name))
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
