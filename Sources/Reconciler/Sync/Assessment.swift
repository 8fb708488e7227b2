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

    package static func assess(desired: [JobDefinition], live: [LiveJob], record: AppliedRecord, hashes: inout SpecHashes,
                               positions: Positions? = nil) -> Assessment {
        let positions = positions ?? Positions(desired: desired, live: live)
        let liveAt = positions.live
        let desiredAt = positions.desired
        var result = Assessment(drift: [], drifted: [], adopt: [])
        // The recorded jobs in any order (sorting 10,000 names took longer than the rest), what they
        // give sorted by name after.
        for (name, hash) in record.jobs {
            guard let l = liveAt[name] else {
                // Deleted outside git; of no concern once git drops it too.
                if desiredAt[name] != nil { result.add(DriftItem(name: name, kind: .deleted, fields: [])) }
                continue
            }
            if let d = desiredAt[name], live[l].job == desired[d].job {
                // Matches git (or matches it again, re-posted as it is): no drift.
                if live[l].isUnmanaged { result.adopt.append(name) }
                continue
            }
            if live[l].isUnmanaged || hashes.hash(live[l].job) != hash {
                result.add(DriftItem(name: name, kind: .modified, fields: Plan.fields(old: desiredAt[name].map { desired[$0].job }, new: live[l].job)))
            }
        }
        result.drift.sort { $0.name < $1.name }
        result.adopt.sort()
        for l in live.indices where live[l].isUnmanaged && record.jobs[live[l].job.name] == nil {
            let name = live[l].job.name
            guard let d = desiredAt[name] else {
                result.drift.append(DriftItem(name: name, kind: .created, fields: []))
                continue
            }
            if live[l].job == desired[d].job {
                result.adopt.append(name)
            } else {
                // Made through the API under a name git now uses: a conflict, left alone without self-heal.
                result.add(DriftItem(name: name, kind: .modified, fields: Plan.fields(old: desired[d].job, new: live[l].job)))
            }
        }
        return result
    }

    private mutating func add(_ item: DriftItem) {
        drift.append(item)
        drifted.insert(item.name)
    }
}

/// Where each job is in the desired and the live lists, by name: a plan looks jobs up by position
/// rather than copying them into tables, and a sync finds them once for all its steps.
package struct Positions: Sendable {
    package var desired: [String: Int]
    package var live: [String: Int]

    package init(desired: [JobDefinition], live: [LiveJob]) {
        self.desired = positions(of: desired) { $0.job.name }
        self.live = positions(of: live) { $0.job.name }
    }
}

/// The position of each element by its name (the first, for a name given twice).
func positions<Element>(of list: [Element], name: (Element) -> String) -> [String: Int] {
    var result: [String: Int] = [:]
    result.reserveCapacity(list.count)
    for i in list.indices where result[name(list[i])] == nil { result[name(list[i])] = i }
    return result
}
