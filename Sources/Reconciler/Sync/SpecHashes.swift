import JobSpec

/// Spec hashes by job name, with the spec each was computed from, so an unchanged job is not hashed
/// again on every sync of a large repository.
package struct SpecHashes: Sendable {
    private var known: [String: (job: Job, hash: String)] = [:]

    package init() {}

    package mutating func hash(_ job: Job) -> String {
        // Compared in place: reading the entry out would copy its job.
        if let i = known.index(forKey: job.name), known.values[i].job == job { return known.values[i].hash }
        let hash = job.specHash
        known[job.name] = (job, hash)
        return hash
    }
}
