/// Turns one YAML mapping into a `Job`, strictly: every field must be known and of the right type.
enum JobDecoder {
    /// Fields a Chronos server adds to the jobs it returns; accepted so its JSON loads unchanged, and ignored.
    static let serverManaged: Set<String> = [
        "successCount", "errorCount", "lastSuccess", "lastError", "errorsSinceLastSuccess",
    ]

    /// Sets `field` of `job` from `node`; false when the field is unknown. With `whole`, a value read
    /// with any diagnostic is left out.
    static func apply(_ field: String, _ node: YAMLNode, to job: inout Job, _ r: SpecReader, whole: Bool = false) -> Bool {
        guard let known = JobField.named[field] else { return false }
        known.read(node, &job, r, whole)
        return true
    }

    /// A duration of fixed length, placed as its field: a syntax error at the character it is about.
    static func duration(_ node: YAMLNode, _ field: String, _ r: SpecReader) -> FixedDuration? {
        guard let text = r.string(node, field) else { return nil }
        let mark = r.contentMark(node)
        do {
            guard let millis = try ISODuration.parse(text).fixedMillis else {
                r.error("\"\(field)\" \(FixedDuration.notFixed)", at: mark)
                return nil
            }
            return FixedDuration(text: text, millis: millis)
        } catch {
            r.error("invalid \"\(field)\": \(error.message)", at: Mark(line: mark.line, column: mark.column + error.offset))
            return nil
        }
    }

    static func environment(_ node: YAMLNode, _ r: SpecReader) -> [EnvironmentVariable]? {
        guard let items = r.items(node, "environmentVariables", of: "{name, value} mappings") else { return nil }
        var result: [EnvironmentVariable] = []
        for item in items {
            var name: String?
            var value = ""
            r.object(item, "an environment variable", known: ["name", "value"]) { key, v in
                switch key {
                case "name": name = r.string(v, "name")
                case "value": value = valueText(v, r) ?? ""
                default: return false
                }
                return true
            }
            guard let name else {
                if case .mapping = item { r.error("an environment variable needs a \"name\"", at: item.mark) }
                continue
            }
            result.append(EnvironmentVariable(name: name, value: value))
        }
        return result
    }

    /// A scalar's text; numbers and booleans are taken as written, as environment values are strings.
    static func valueText(_ node: YAMLNode, _ r: SpecReader) -> String? {
        if case .scalar(let s) = node { return s.isNull ? "" : s.value }
        r.error("\"value\" must be a string, not \(node.kindName)", at: node.mark)
        return nil
    }

    static func fetch(_ node: YAMLNode, _ r: SpecReader) -> [FetchURI]? {
        guard let items = r.items(node, "fetch", of: "{uri, …} mappings") else { return nil }
        var result: [FetchURI] = []
        let known = ["uri", "executable", "extract", "cache", "output_file"]
        for item in items {
            var entry = FetchURI()
            var hasURI = false
            r.object(item, "a fetch entry", known: known) { key, v in
                switch key {
                case "uri": r.string(v, key).map { entry.uri = $0; hasURI = true }
                case "executable": r.bool(v, key).map { entry.executable = $0 }
                case "extract": r.bool(v, key).map { entry.extract = $0 }
                case "cache": r.bool(v, key).map { entry.cache = $0 }
                case "output_file": r.string(v, key).map { entry.output_file = $0 }
                default: return false
                }
                return true
            }
            if case .mapping = item, !hasURI { r.error("a fetch entry needs a \"uri\"", at: item.mark) }
            result.append(entry)
        }
        return result
    }

    static func constraints(_ node: YAMLNode, _ r: SpecReader) -> [Constraint]? {
        guard let items = r.items(node, "constraints", of: "[attribute, operator, value] lists") else { return nil }
        var result: [Constraint] = []
        for item in items {
            guard case .sequence(let parts, _) = item, parts.count == 3 else {
                r.error("each constraint must be a list of three strings, [attribute, EQUALS|LIKE|UNLIKE, value], as in [\"rack\", \"EQUALS\", \"rack-1\"]", at: item.mark)
                continue
            }
            guard let attribute = r.string(parts[0], "constraint attribute"),
                  let op = r.choice(parts[1], "constraint operator", as: Constraint.Operator.self),
                  let value = valueText(parts[2], r) else { continue }
            result.append(Constraint(attribute: attribute, op: op, value: value))
        }
        return result
    }

    static func keyValues(_ node: YAMLNode, _ field: String, _ r: SpecReader) -> [KeyValue]? {
        guard let items = r.items(node, field, of: "{key, value} mappings") else { return nil }
        var result: [KeyValue] = []
        for item in items {
            var key = ""
            var value = ""
            r.object(item, "an entry of \"\(field)\"", known: ["key", "value"]) { k, v in
                switch k {
                case "key": r.string(v, k).map { key = $0 }
                case "value": value = valueText(v, r) ?? ""
                default: return false
                }
                return true
            }
            result.append(KeyValue(key: key, value: value))
        }
        return result
    }

    static func container(_ node: YAMLNode, _ r: SpecReader) -> Container? {
        var c = Container()
        let known = ["type", "image", "network", "networkName", "networkInfos", "volumes", "forcePullImage", "parameters"]
        var ok = true
        r.object(node, "\"container\"", known: known) { key, v in
            switch key {
            case "type": r.choice(v, "container type", as: Container.Kind.self).map { c.type = $0 }
            case "image": r.string(v, "container image").map { c.image = $0 }
            case "network": r.choice(v, "container network", as: Container.Network.self).map { c.network = $0 }
            case "networkName": r.string(v, key).map { c.networkName = $0 }
            case "networkInfos": networkInfos(v, r).map { c.networkInfos = $0 }
            case "volumes": volumes(v, r).map { c.volumes = $0 }
            case "forcePullImage": r.bool(v, key).map { c.forcePullImage = $0 }
            case "parameters": keyValues(v, "parameters", r).map { c.parameters = $0 }
            default: return false
            }
            return true
        }
        if case .mapping = node {} else { ok = false }
        return ok ? c : nil
    }

    static func volumes(_ node: YAMLNode, _ r: SpecReader) -> [Volume]? {
        guard let items = r.items(node, "volumes", of: "{containerPath, hostPath, mode} mappings") else { return nil }
        return items.map { item in
            var volume = Volume()
            r.object(item, "a volume", known: ["containerPath", "hostPath", "mode", "external"]) { key, v in
                switch key {
                case "containerPath": r.string(v, key).map { volume.containerPath = $0 }
                case "hostPath": r.string(v, key).map { volume.hostPath = $0 }
                case "mode": r.choice(v, "volume mode", as: Volume.Mode.self).map { volume.mode = $0 }
                case "external":
                    var external = ExternalVolume()
                    r.object(v, "an external volume", known: ["name", "provider", "options"]) { k, x in
                        switch k {
                        case "name": r.string(x, k).map { external.name = $0 }
                        case "provider": r.string(x, k).map { external.provider = $0 }
                        case "options": keyValues(x, "options", r).map { external.options = $0 }
                        default: return false
                        }
                        return true
                    }
                    volume.external = external
                default: return false
                }
                return true
            }
            if case .mapping = item, volume.containerPath.isEmpty {
                r.error("a volume needs a \"containerPath\"", at: item.mark)
            }
            return volume
        }
    }

    static func networkInfos(_ node: YAMLNode, _ r: SpecReader) -> [NetworkInfo]? {
        guard let items = r.items(node, "networkInfos", of: "{name, protocol, …} mappings") else { return nil }
        return items.map { item in
            var info = NetworkInfo()
            r.object(item, "a network", known: ["name", "protocol", "labels", "portMappings"]) { key, v in
                switch key {
                case "name": r.string(v, key).map { info.name = $0 }
                case "protocol": r.choice(v, "network protocol", as: NetworkInfo.IPProtocol.self).map { info.protocol = $0 }
                case "labels": keyValues(v, "labels", r).map { info.labels = $0 }
                case "portMappings":
                    info.portMappings = (r.items(v, key, of: "{hostPort, containerPort, protocol} mappings") ?? []).map { m in
                        var mapping = PortMapping()
                        r.object(m, "a port mapping", known: ["hostPort", "containerPort", "protocol"]) { k, x in
                            switch k {
                            case "hostPort": r.int(x, k).map { mapping.hostPort = $0 }
                            case "containerPort": r.int(x, k).map { mapping.containerPort = $0 }
                            case "protocol": r.string(x, k).map { mapping.protocol = $0 }
                            default: return false
                            }
                            return true
                        }
                        return mapping
                    }
                default: return false
                }
                return true
            }
            return info
        }
    }
}
