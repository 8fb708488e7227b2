import JobSpec

/// The assess step: how the live jobs stand against the commit and against what the last sync
/// applied. Drift is a job changed, created or deleted outside git; a job made through the API that
/// git now also defines is a conflict (drift) unless it is identical, in which case git adopts it.
package struct Assessment: Sendable {
    package var drift: [DriftItem]
    /// The jobs whose drift a sync leaves in place unless the policy self-heals.
    package var drifted: Set<String>
    /// Jobs that match git again and go back under its management.
    package var adopt: [String]

    package static func assess(desired: [JobDefinition], live: [LiveJob], record: AppliedRecord, hashes: inout SpecHashes) -> Assessment {
        let liveByName = Dictionary(live.map { ($0.job.name, $0) }, uniquingKeysWith: { a, _ in a })
        let desiredByName = Dictionary(desired.map { ($0.job.name, $0.job) }, uniquingKeysWith: { a, _ in a })
        var result = Assessment(drift: [], drifted: [], adopt: [])
        for (name, hash) in record.jobs.sorted(by: { $0.key < $1.key }) {
            guard let current = liveByName[name] else {
                // Deleted outside git; of no concern once git drops it too.
                if desiredByName[name] != nil { result.add(DriftItem(name: name, kind: .deleted, fields: [])) }
                continue
            }
            if let wanted = desiredByName[name], current.job == wanted {
                // Matches git (or matches it again, re-posted as it is): no drift.
                if current.isUnmanaged { result.adopt.append(name) }
                continue
            }
            if current.isUnmanaged || hashes.hash(current.job) != hash {
                result.add(DriftItem(name: name, kind: .modified, fields: Plan.fields(old: desiredByName[name], new: current.job)))
            }
        }
        for job in live where job.isUnmanaged && record.jobs[job.job.name] == nil {
            guard let wanted = desiredByName[job.job.name] else {
                result.drift.append(DriftItem(name: job.job.name, kind: .created, fields: []))
                continue
            }
            if job.job == wanted {
                result.adopt.append(job.job.name)
            } else {
                // Made through the API under a name git now uses: a conflict, left alone without self-heal.
                result.add(DriftItem(name: job.job.name, kind: .modified, fields: Plan.fields(old: wanted, new: job.job)))
            }
        }
        return result
    }

    private mutating func add(_ item: DriftItem) {
        drift.append(item)
        drifted.insert(item.name)
    }
}
