/// Rewrites a job body sent to the Chronos API the way Chronos's own deserializer reads it, so that every
/// body Chronos accepts loads here too: unknown fields dropped, quoted numbers and booleans coerced, `3.0`
/// taken for an integer, `uris` folded into `fetch`, and what Chronos silently drops (a container without an
/// image, an unknown constraint operator, a built-in environment variable) dropped. Each change is a warning
/// at the place it is about. Git specs never go through it: they stay strict.
enum ChronosCoercion {
    /// `root` as Chronos would read it; warnings go to `r`. A root that is not a mapping is left as it is.
    static func coerce(_ root: YAMLNode, _ r: SpecReader) -> YAMLNode {
        guard case .mapping(let pairs, let mark) = root else { return root }
        var result: [YAMLPair] = []
        for pair in pairs {
            let key = pair.key.value
            if JobDecoder.serverManaged.contains(key) { result.append(pair); continue }
            if case .scalar(let s) = pair.value, s.isNull { result.append(pair); continue }
            guard let field = JobField.named[key] else {
                let hint = Suggest.closest(to: key, among: JobField.names, caseInsensitive: true).map { " (did you mean \"\($0)\"?)" } ?? ""
                r.warning("ignored the field \"\(key)\", which Chronos does not know either\(hint)", at: pair.key.mark)
                continue
            }
            if let value = coerce(pair.value, as: field.kind, field: key, r) {
                result.append(YAMLPair(key: pair.key, value: value))
            }
        }
        return .mapping(trigger(mergeURIs(result, r), mark, r), mark)
    }

    /// Chronos makes a job with `parents` a dependent job whatever else it says, and a job with neither
    /// `parents` nor `schedule` a job that runs once now.
    static func trigger(_ pairs: [YAMLPair], _ mark: Mark, _ r: SpecReader) -> [YAMLPair] {
        func given(_ key: String) -> Bool {
            pairs.contains { pair in
                guard pair.key.value == key else { return false }
                if case .scalar(let s) = pair.value, s.isNull { return false }
                return true
            }
        }
        if given("parents") {
            guard let schedule = pairs.first(where: { $0.key.value == "schedule" && given("schedule") }) else { return pairs }
            r.warning("ignored \"schedule\": a job with \"parents\" runs after them, as in Chronos", at: schedule.key.mark)
            return pairs.filter { $0.key.value != "schedule" }
        }
        if given("schedule") || given("cron") { return pairs }
        r.warning("a job without \"schedule\" or \"parents\" runs once now, as in Chronos (schedule: \"\")", at: mark)
        let key = YAMLScalar(value: "schedule", style: .plain, tag: nil, mark: mark)
        return pairs.filter { $0.key.value != "schedule" } + [YAMLPair(key: key, value: scalarNode("", mark, quoted: true))]
    }

    /// One field's value by its kind; nil when Chronos would drop it.
    static func coerce(_ node: YAMLNode, as kind: JobField.Kind, field: String, _ r: SpecReader) -> YAMLNode? {
        switch kind {
        case .string, .duration, .choice: return text(node, field, r)
        case .boolean: return boolean(node, field, r)
        case .integer: return integer(node, field, r)
        case .number: return number(node, field, r)
        case .strings: return strings(node, field, r)
        case .environment: return environment(node, r)
        case .fetch: return fetch(node, r)
        case .container: return container(node, r)
        case .constraints: return constraints(node, r)
        }
    }

    // MARK: Scalars, as Jackson's asText, asBoolean, asInt and asDouble read them

    static func scalarNode(_ value: String, _ mark: Mark, quoted: Bool) -> YAMLNode {
        .scalar(YAMLScalar(value: value, style: quoted ? .doubleQuoted : .plain, tag: nil, mark: mark))
    }

    /// A plain scalar that is a JSON number (not a boolean, null or string).
    static func isNumber(_ s: YAMLScalar) -> Bool {
        s.style == .plain && !s.isNull && Double(s.value) != nil && s.value.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || $0 == 46 || $0 == 45 || $0 == 43 || $0 == 101 || $0 == 69 }
    }

    static func isBoolean(_ s: YAMLScalar) -> Bool {
        s.style == .plain && (s.value == "true" || s.value == "false")
    }

    /// Any scalar as its text; a list or mapping is dropped (Jackson reads it as "").
    static func text(_ node: YAMLNode, _ field: String, _ r: SpecReader) -> YAMLNode? {
        guard case .scalar(let s) = node else {
            r.warning("ignored \"\(field)\": Chronos reads \(node.kindName) as an empty text", at: node.mark)
            return nil
        }
        if s.style == .plain && (isNumber(s) || isBoolean(s)) {
            r.warning("took \"\(field)\" \(s.value) as the text \"\(s.value)\"", at: s.mark)
        }
        return scalarNode(s.value, s.mark, quoted: true)
    }

    /// Chronos's boolean: `"true"`/`"false"` in quotes too, a number is true when not 0, anything else false.
    static func boolean(_ node: YAMLNode, _ field: String, _ r: SpecReader) -> YAMLNode? {
        guard case .scalar(let s) = node else {
            r.warning("took \"\(field)\" (\(node.kindName)) as false, as Chronos does", at: node.mark)
            return scalarNode("false", node.mark, quoted: false)
        }
        if isBoolean(s) { return node }
        let value: Bool
        if isNumber(s) {
            value = (Double(s.value) ?? 0) != 0
        } else {
            value = s.value.trimmingSpaces == "true"
        }
        r.warning("took \"\(field)\" \(s.style == .plain ? s.value : "\"\(s.value)\"") as \(value), as Chronos does", at: s.mark)
        return scalarNode(value ? "true" : "false", s.mark, quoted: false)
    }

    /// Chronos's whole number: a fraction is cut off, a quoted number is read, anything else is 0.
    static func integer(_ node: YAMLNode, _ field: String, _ r: SpecReader) -> YAMLNode? {
        guard case .scalar(let s) = node else {
            r.warning("took \"\(field)\" (\(node.kindName)) as 0, as Chronos does", at: node.mark)
            return scalarNode("0", node.mark, quoted: false)
        }
        if s.style == .plain, Int(s.value) != nil { return node }
        let value: Int
        if isBoolean(s) {
            value = s.value == "true" ? 1 : 0
        } else if let whole = Int(s.value.trimmingSpaces) {
            value = whole
        } else if let double = Double(s.value.trimmingSpaces), double.isFinite, abs(double) < 9e15 {
            value = Int(double.rounded(.towardZero))
        } else {
            value = 0
        }
        r.warning("took \"\(field)\" \(s.style == .plain ? s.value : "\"\(s.value)\"") as \(value), as Chronos does", at: s.mark)
        return scalarNode(String(value), s.mark, quoted: false)
    }

    /// Chronos's number: a quoted number is read, anything else is 0.
    static func number(_ node: YAMLNode, _ field: String, _ r: SpecReader) -> YAMLNode? {
        guard case .scalar(let s) = node else {
            r.warning("took \"\(field)\" (\(node.kindName)) as 0, as Chronos does", at: node.mark)
            return scalarNode("0", node.mark, quoted: false)
        }
        if isNumber(s) { return node }
        let value: String
        if isBoolean(s) {
            value = s.value == "true" ? "1" : "0"
        } else if let double = Double(s.value.trimmingSpaces), double.isFinite {
            value = s.value.trimmingSpaces
            if isNumber(YAMLScalar(value: value, style: .plain, tag: nil, mark: s.mark)) {
                r.warning("took \"\(field)\" \"\(s.value)\" as the number \(value), as Chronos does", at: s.mark)
                return scalarNode(value, s.mark, quoted: false)
            }
            return scalarNode(String(double), s.mark, quoted: false)
        } else {
            value = "0"
        }
        r.warning("took \"\(field)\" \"\(s.value)\" as \(value), as Chronos does", at: s.mark)
        return scalarNode(value, s.mark, quoted: false)
    }

    /// A list of texts; Chronos reads a scalar in its place as an empty list.
    static func strings(_ node: YAMLNode, _ field: String, _ r: SpecReader) -> YAMLNode? {
        guard case .sequence(let items, let mark) = node else {
            r.warning("took \"\(field)\" (\(node.kindName)) as an empty list, as Chronos does", at: node.mark)
            return .sequence([], node.mark)
        }
        return .sequence(items.compactMap { text($0, "an item of \(field)", r) }, mark)
    }

    // MARK: Structured fields

    /// The fields of a mapping by name, each coerced by `body`; others dropped with a warning.
    static func object(_ node: YAMLNode, _ what: String, _ r: SpecReader, _ body: (String, YAMLNode) -> YAMLNode??) -> YAMLNode? {
        guard case .mapping(let pairs, let mark) = node else {
            r.warning("ignored \(what) (\(node.kindName)): Chronos reads only a mapping there", at: node.mark)
            return nil
        }
        var result: [YAMLPair] = []
        for pair in pairs {
            if case .scalar(let s) = pair.value, s.isNull { continue }
            guard let coerced = body(pair.key.value, pair.value) else {
                r.warning("ignored the field \"\(pair.key.value)\" of \(what), which Chronos does not read", at: pair.key.mark)
                continue
            }
            if let coerced { result.append(YAMLPair(key: pair.key, value: coerced)) }
        }
        return .mapping(result, mark)
    }

    static func list(_ node: YAMLNode, _ field: String, _ r: SpecReader, _ item: (YAMLNode) -> YAMLNode?) -> YAMLNode? {
        guard case .sequence(let items, let mark) = node else {
            r.warning("took \"\(field)\" (\(node.kindName)) as an empty list, as Chronos does", at: node.mark)
            return .sequence([], node.mark)
        }
        return .sequence(items.compactMap(item), mark)
    }

    static func environment(_ node: YAMLNode, _ r: SpecReader) -> YAMLNode? {
        list(node, "environmentVariables", r) { item in
            guard let variable = object(item, "an environment variable", r, { key, value in
                switch key {
                case "name", "value": return .some(text(value, key, r))
                default: return nil
                }
            }) else { return nil }
            if case .mapping(let pairs, _) = variable,
               let name = pairs.first(where: { $0.key.value == "name" }), case .scalar(let s) = name.value,
               JobValidator.builtInVariables.contains(s.value) {
                r.warning("ignored the environment variable \(s.value): the scheduler sets it, and Chronos keeps its own value", at: s.mark)
                return nil
            }
            return variable
        }
    }

    static func fetch(_ node: YAMLNode, _ r: SpecReader) -> YAMLNode? {
        list(node, "fetch", r) { item in
            object(item, "a fetch entry", r) { key, value in
                switch key {
                case "uri", "output_file": return .some(text(value, key, r))
                case "executable", "extract", "cache": return .some(boolean(value, key, r))
                default: return nil
                }
            }
        }
    }

    static func keyValues(_ node: YAMLNode, _ field: String, _ r: SpecReader) -> YAMLNode? {
        list(node, field, r) { item in
            object(item, "an entry of \"\(field)\"", r) { key, value in
                guard key == "key" || key == "value" else { return nil }
                return .some(text(value, key, r))
            }
        }
    }

    /// Chronos keeps a container only when it has an `image`; its type and volume modes in any case.
    static func container(_ node: YAMLNode, _ r: SpecReader) -> YAMLNode? {
        if case .mapping(let pairs, _) = node, !pairs.contains(where: { $0.key.value == "image" }) {
            r.warning("ignored \"container\": it has no \"image\", and Chronos keeps a container only with one", at: node.mark)
            return nil
        }
        return object(node, "\"container\"", r) { key, value in
            switch key {
            case "type": return .some(upper(text(value, key, r)))
            case "image", "network", "networkName": return .some(text(value, key, r))
            case "forcePullImage":
                // Chronos reads this one as text: "true" in any case is true, anything else false.
                guard case .scalar(let s) = value else { return .some(boolean(value, key, r)) }
                let flag = s.value.lowercased() == "true"
                if !isBoolean(s) { r.warning("took \"forcePullImage\" \"\(s.value)\" as \(flag), as Chronos does", at: s.mark) }
                return .some(scalarNode(flag ? "true" : "false", s.mark, quoted: false))
            case "parameters": return .some(keyValues(value, key, r))
            case "volumes": return .some(volumes(value, r))
            case "networkInfos": return .some(networkInfos(value, r))
            default: return nil
            }
        }
    }

    static func upper(_ node: YAMLNode?) -> YAMLNode? {
        guard case .scalar(var s)? = node else { return node }
        s.value = s.value.uppercased()
        return .scalar(s)
    }

    static func volumes(_ node: YAMLNode, _ r: SpecReader) -> YAMLNode? {
        list(node, "volumes", r) { item in
            object(item, "a volume", r) { key, value in
                switch key {
                case "containerPath", "hostPath": return .some(text(value, key, r))
                case "mode": return .some(upper(text(value, key, r)))
                case "external":
                    return .some(object(value, "an external volume", r) { k, v in
                        switch k {
                        case "name", "provider": return .some(text(v, k, r))
                        case "options": return .some(keyValues(v, k, r))
                        default: return nil
                        }
                    })
                default: return nil
                }
            }
        }
    }

    static func networkInfos(_ node: YAMLNode, _ r: SpecReader) -> YAMLNode? {
        list(node, "networkInfos", r) { item in
            object(item, "a network", r) { key, value in
                switch key {
                case "name", "protocol": return .some(text(value, key, r))
                case "labels": return .some(keyValues(value, key, r))
                case "portMappings":
                    return .some(list(value, key, r) { mapping in
                        object(mapping, "a port mapping", r) { k, v in
                            switch k {
                            case "hostPort", "containerPort": return .some(integer(v, k, r))
                            case "protocol": return .some(text(v, k, r))
                            default: return nil
                            }
                        }
                    })
                default: return nil
                }
            }
        }
    }

    /// Chronos keeps EQUALS, LIKE and UNLIKE constraints and silently drops any other.
    static func constraints(_ node: YAMLNode, _ r: SpecReader) -> YAMLNode? {
        list(node, "constraints", r) { item in
            guard case .sequence(let parts, let mark) = item, parts.count >= 3 else {
                r.warning("ignored a constraint that is not [attribute, operator, value], as Chronos does", at: item.mark)
                return nil
            }
            let texts = parts.prefix(3).compactMap { text($0, "a constraint", r) }
            guard texts.count == 3, case .scalar(let op) = texts[1] else { return nil }
            guard Constraint.Operator(rawValue: op.value) != nil else {
                r.warning("ignored the constraint with operator \"\(op.value)\": Chronos knows only EQUALS, LIKE and UNLIKE and drops it", at: op.mark)
                return nil
            }
            return .sequence(texts, mark)
        }
    }

    /// Chronos fetches `fetch` and `uris` together; a spec holds one of them, so `uris` joins `fetch`.
    static func mergeURIs(_ pairs: [YAMLPair], _ r: SpecReader) -> [YAMLPair] {
        guard let urisIndex = pairs.firstIndex(where: { $0.key.value == "uris" }),
              let fetchIndex = pairs.firstIndex(where: { $0.key.value == "fetch" }),
              case .sequence(let uris, _) = pairs[urisIndex].value,
              case .sequence(let entries, let fetchMark) = pairs[fetchIndex].value else { return pairs }
        var result = pairs
        if uris.isEmpty || entries.isEmpty {
            // The empty one says nothing: keep the other.
            result.remove(at: uris.isEmpty ? urisIndex : fetchIndex)
            return result
        }
        let known = Set(entries.compactMap { entry -> String? in
            guard case .mapping(let fields, _) = entry, let uri = fields.first(where: { $0.key.value == "uri" }),
                  case .scalar(let s) = uri.value else { return nil }
            return s.value
        })
        var merged = entries
        for case .scalar(let s) in uris where !known.contains(s.value) {
            let key = YAMLScalar(value: "uri", style: .plain, tag: nil, mark: s.mark)
            merged.append(.mapping([YAMLPair(key: key, value: .scalar(s))], s.mark))
        }
        if merged.count > entries.count {
            r.warning("added the \"uris\" missing from \"fetch\" to it, as Chronos fetches both", at: pairs[urisIndex].key.mark)
        }
        result[fetchIndex] = YAMLPair(key: pairs[fetchIndex].key, value: .sequence(merged, fetchMark))
        result.remove(at: urisIndex)
        return result
    }
}

extension String {
    /// Without leading and trailing spaces and tabs, as Jackson trims a boolean's text.
    fileprivate var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return String(s)
    }
}

extension JobLoader {
    /// Loads one job body sent to the Chronos API: read as Chronos reads it (see `ChronosCoercion`), then
    /// checked like a spec. Whatever was ignored or coerced is a warning among the diagnostics.
    public static func parseChronos(_ text: String, file: String, options: LoadOptions = LoadOptions()) -> (jobs: [JobDefinition], diagnostics: [Diagnostic]) {
        let reader = SpecReader(file: file)
        let bytes = Array(text.utf8)
        let documents: [YAMLDocument]
        do {
            documents = try YAMLParser.parse(bytes, limits: options.limits)
        } catch {
            reader.error(error.message, at: error.mark)
            return ([], reader.diagnostics)
        }
        reader.source = bytes
        var jobs: [JobDefinition] = []
        for document in documents {
            guard let root = document.root else { continue }
            if var definition = SpecFileLoader.job(ChronosCoercion.coerce(root, reader), file: file, defaults: JobDefaults(), reader) {
                JobValidator.check(&definition, now: options.now, reader)
                jobs.append(definition)
            }
        }
        return (jobs, reader.diagnostics)
    }
}
