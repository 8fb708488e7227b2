import Foundation

/// Loads the jobs of one spec file: every YAML document in it is a job.
enum SpecFileLoader {
    /// The jobs in `bytes` (the text of `file`), starting from `defaults`; problems go to `reader`.
    static func jobs(in bytes: [UInt8], file: String, defaults: JobDefaults, limits: YAMLLimits, reader r: SpecReader) -> [JobDefinition] {
        let documents: [YAMLDocument]
        do {
            documents = try YAMLParser.parse(bytes, limits: limits)
        } catch {
            r.error(error.message, at: error.mark)
            return []
        }
        r.source = bytes
        var result: [JobDefinition] = []
        for document in documents {
            guard let root = document.root else { continue }
            if let definition = job(root, file: file, defaults: defaults, r) {
                result.append(definition)
            }
        }
        return result
    }

    static func job(_ root: YAMLNode, file: String, defaults: JobDefaults, _ r: SpecReader) -> JobDefinition? {
        guard case .mapping(let pairs, let mark) = root else {
            r.error("a job is a mapping of fields (name, command, schedule, …), not \(root.kindName)", at: root.mark)
            return nil
        }
        var job = defaults.template
        var marks = [String: Mark](minimumCapacity: pairs.count)
        var parentMarks: [Mark] = []
        var ownEnvironment = false
        for pair in pairs {
            let key = pair.key.value
            if case .scalar(let s) = pair.value, s.isNull { continue }
            let before = r.diagnostics.count
            // A field that failed to decode is left out whole, so later checks don't build on a part of it;
            // `whole` does that in place, without a copy of the job for every field.
            if JobDecoder.apply(key, pair.value, to: &job, r, whole: true) {
                guard r.diagnostics.count == before else { continue }
                marks[key] = r.contentMark(pair.value)
                if key == "parents", case .sequence(let items, _) = pair.value {
                    parentMarks = items.map(r.contentMark)
                }
                if key == "environmentVariables" { ownEnvironment = true }
            } else if !JobDecoder.serverManaged.contains(key) {
                // Not a field: an error, unless a Chronos server added it to the job (ignored).
                r.unknownField(pair.key, in: "a job", known: JobField.names)
            }
        }
        if ownEnvironment && !defaults.template.environmentVariables.isEmpty {
            // A job's own variables win over the defaults of the same name.
            let own = Set(job.environmentVariables.map(\.name))
            job.environmentVariables = defaults.template.environmentVariables.filter { !own.contains($0.name) } + job.environmentVariables
        }
        if marks["name"] == nil {
            r.error("a job needs a \"name\"", at: mark)
        }
        return JobDefinition(job: job, file: file, mark: mark, fieldMarks: marks, parentMarks: parentMarks, schedule: nil)
    }

    /// Reads a defaults file: `defaults:` (job fields) and `sync:` (the sync policy).
    static func defaults(in bytes: [UInt8], file: String, limits: YAMLLimits, reader r: SpecReader) -> JobDefaults {
        var result = JobDefaults()
        result.file = file
        let documents: [YAMLDocument]
        do {
            documents = try YAMLParser.parse(bytes, limits: limits)
        } catch {
            r.error(error.message, at: error.mark)
            return result
        }
        r.source = bytes
        let roots = documents.compactMap(\.root)
        if roots.count > 1 {
            r.error("a defaults file holds one document, not \(roots.count)", at: roots[1].mark)
        }
        guard let root = roots.first else { return result }
        r.object(root, "the defaults file", known: ["defaults", "sync"]) { key, node in
            switch key {
            case "defaults":
                let known = JobField.all.filter(\.mayHaveDefault).map(\.name)
                r.object(node, "\"defaults\"", known: known) { field, value in
                    if let perJob = JobField.named[field], !perJob.mayHaveDefault {
                        r.error("\"\(field)\" cannot have a default; set it in each job", at: r.contentMark(value))
                        return true
                    }
                    guard JobDecoder.apply(field, value, to: &result.template, r) else { return false }
                    result.fields.insert(field)
                    return true
                }
            case "sync":
                r.object(node, "\"sync\"", known: ["prune", "selfHeal", "allowEmpty"]) { field, value in
                    switch field {
                    case "prune": r.bool(value, field).map { result.policy.prune = $0 }
                    case "selfHeal": r.bool(value, field).map { result.policy.selfHeal = $0 }
                    case "allowEmpty": r.bool(value, field).map { result.policy.allowEmpty = $0 }
                    default: return false
                    }
                    return true
                }
            default:
                return false
            }
            return true
        }
        return result
    }
}
