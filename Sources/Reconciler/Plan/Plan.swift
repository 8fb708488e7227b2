import Foundation
import ChronosEngine
import JobSpec

/// What a sync would change: per job, create, update (with each field's old and new value), delete,
/// or replace (a job whose trigger kind changes: its runtime state starts over).
package struct Plan: Codable, Sendable, Equatable {
    package enum Action: String, Codable, Sendable {
        case create, update, delete, replace
    }

    package struct FieldChange: Codable, Sendable, Equatable {
        package var field: String
        /// The value as JSON, nil when the field is not set.
        package var old: String?
        package var new: String?
    }

    package struct Change: Codable, Sendable, Equatable {
        package var action: Action
        package var name: String
        /// Where the spec is (`jobs/etl.yaml:3:1`); empty for a delete.
        package var source: String
        package var fields: [FieldChange]
    }

    /// The commit the desired jobs come from.
    package var revision: String
    /// A fingerprint of the live jobs the plan was made against; `apply` refuses a plan whose live jobs changed since.
    package var liveFingerprint: String
    /// Changes in the order they are applied: creates and updates parents first, deletes children first.
    package var changes: [Change]
    /// Jobs that left git but stay, because the sync policy does not prune.
    package var notPruned: [String]
    /// Jobs made outside git (through the API), which a sync leaves alone.
    package var unmanaged: [String]
    /// Why the plan may not be applied, when it may not.
    package var refused: String?

    package var isEmpty: Bool { changes.isEmpty }

    package func count(_ action: Action) -> Int { changes.filter { $0.action == action }.count }
}

/// A job as it runs in the engine.
package struct LiveJob: Sendable {
    package var job: Job
    /// The API for a job made or changed through it; its spec otherwise.
    package var source: JobSource

    package init(job: Job, source: JobSource) {
        self.job = job
        self.source = source
    }

    package var isUnmanaged: Bool { source == .api }
}

extension Plan {
    /// The plan that takes `live` to `desired` under `policy`.
    package static func make(desired: [JobDefinition], live: [LiveJob], policy: SyncPolicy, revision: String, fingerprinted: Bool = true,
                             positions: Positions? = nil) -> Plan {
        let positions = positions ?? Positions(desired: desired, live: live)
        let liveAt = positions.live
        let desiredAt = positions.desired
        var upserts: [Change] = []
        // A new job lists the fields it sets, against the defaults: a job with only its name, whose fields
        // are the same for every job but the name, which is never listed.
        let blank = Job().canonicalFields
        for d in desired.indices {
            let name = desired[d].job.name
            guard let l = liveAt[name] else {
                let set = fields(old: blank, new: desired[d].job.canonicalFields).compactMap { change in
                    change.field == "name" ? nil : FieldChange(field: change.field, old: nil, new: change.new)
                }
                upserts.append(Change(action: .create, name: name, source: desired[d].location(), fields: set))
                continue
            }
            if live[l].job == desired[d].job { continue }
            let replace = kind(live[l].job) != kind(desired[d].job)
            upserts.append(Change(action: replace ? .replace : .update, name: name, source: desired[d].location(),
                                  fields: fields(old: live[l].job, new: desired[d].job)))
        }
        var deletes: [Change] = []
        var notPruned: [String] = []
        var unmanaged: [String] = []
        var managedLive = 0
        var gone: [(name: String, unmanaged: Bool)] = []
        for l in live.indices {
            if !live[l].isUnmanaged { managedLive += 1 }
            if desiredAt[live[l].job.name] == nil { gone.append((live[l].job.name, live[l].isUnmanaged)) }
        }
        for job in gone.sorted(by: { $0.name < $1.name }) {
            if job.unmanaged {
                unmanaged.append(job.name)
            } else if policy.prune {
                deletes.append(Change(action: .delete, name: job.name, source: "", fields: []))
            } else {
                notPruned.append(job.name)
            }
        }
        var refused: String?
        if desired.isEmpty && managedLive > 0 && policy.prune && !policy.allowEmpty {
            refused = "the commit has no jobs and would delete all \(managedLive); set sync.allowEmpty: true in the defaults file to allow it"
        }
        // Parents of the jobs that change: as the commit has them, or as they run for a job it drops.
        func parents(_ name: String) -> [String] {
            if let d = desiredAt[name] { return desired[d].job.parents ?? [] }
            if let l = liveAt[name] { return live[l].job.parents ?? [] }
            return []
        }
        let ordered = topological(upserts, parents: parents)
        let deleteOrder = topological(deletes, parents: parents).reversed()
        return Plan(revision: revision, liveFingerprint: fingerprinted ? fingerprint(live) : "", changes: Array(deleteOrder) + ordered,
                    notPruned: notPruned, unmanaged: unmanaged, refused: refused)
    }

    /// The trigger kind, whose change makes an update a replace.
    static func kind(_ job: Job) -> Int {
        switch job.trigger {
        case .parents: return 2
        case .once: return 0
        default: return 1
        }
    }

    /// Parents before children (ties by name).
    static func topological(_ changes: [Change], parents: (String) -> [String]) -> [Change] {
        let byName = Dictionary(changes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var done: Set<String> = []
        var result: [Change] = []
        func visit(_ name: String, _ depth: Int) {
            guard depth < 10_000, !done.contains(name) else { return }
            done.insert(name)
            for parent in parents(name) where byName[parent] != nil { visit(parent, depth + 1) }
            if let change = byName[name] { result.append(change) }
        }
        for name in byName.keys.sorted() { visit(name, 0) }
        return result
    }

    /// Field-by-field differences, values as compact JSON, in field name order.
    static func fields(old: Job?, new: Job?) -> [FieldChange] {
        fields(old: old?.canonicalFields ?? [], new: new?.canonicalFields ?? [])
    }

    /// The differences of two jobs' canonical fields, each list in name order (as `canonicalFields` gives
    /// them), walked side by side.
    static func fields(old a: [(name: String, json: String)], new b: [(name: String, json: String)]) -> [FieldChange] {
        var result: [FieldChange] = []
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i].name < b[j].name) {
                result.append(FieldChange(field: a[i].name, old: a[i].json, new: nil))
                i += 1
            } else if i == a.count || b[j].name < a[i].name {
                result.append(FieldChange(field: b[j].name, old: nil, new: b[j].json))
                j += 1
            } else {
                if a[i].json != b[j].json { result.append(FieldChange(field: a[i].name, old: a[i].json, new: b[j].json)) }
                i += 1
                j += 1
            }
        }
        return result
    }

    /// A fingerprint of a set of live jobs (names, specs and whether they are managed).
    package static func fingerprint(_ live: [LiveJob]) -> String {
        var hash: UInt64 = 14_695_981_039_346_656_037
        for l in live.indices.sorted(by: { live[$0].job.name < live[$1].job.name }) {
            for byte in (specHash(live[l].job) + (live[l].isUnmanaged ? "u" : "m")).utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
        }
        return String(hash, radix: 16)
    }

    /// A hash of one job's spec, stable across runs.
    package static func specHash(_ job: Job) -> String { job.specHash }

}

extension Plan {
    /// A plan that changes nothing: what a commit that does not load gives, since a sync of it applies nothing.
    package static func empty(revision: String) -> Plan {
        Plan(revision: revision, liveFingerprint: "", changes: [], notPruned: [], unmanaged: [])
    }
}
