internal import CYAML

/// Parses YAML text into documents of position-carrying nodes, on libyaml's event API.
///
/// Anchors and aliases are expanded (counted against `YAMLLimits.maxNodes`), merge keys (`<<`) are
/// applied, and duplicate keys are refused.
public enum YAMLParser {
    /// Every document in `bytes`.
    public static func parse(_ bytes: [UInt8], limits: YAMLLimits = YAMLLimits()) throws(YAMLError) -> [YAMLDocument] {
        if bytes.count > limits.maxFileBytes {
            throw YAMLError(message: "the file is \(bytes.count) bytes, over the limit of \(limits.maxFileBytes)", mark: Mark(line: 1, column: 1))
        }
        let parser = LibYAMLParser()
        return try bytes.withUnsafeBufferPointer { buffer throws(YAMLError) -> [YAMLDocument] in
            parser.setInput(buffer)
            parser.input = buffer
            var builder = DocumentBuilder(limits: limits)
            while true {
                let done = try parser.next { event throws(YAMLError) in try builder.handle(event) }
                if done { break }
            }
            return builder.documents
        }
    }

    /// Every document in `text`.
    public static func parse(_ text: String, limits: YAMLLimits = YAMLLimits()) throws(YAMLError) -> [YAMLDocument] {
        try parse(Array(text.utf8), limits: limits)
    }
}

/// Owns one `yaml_parser_t`, deleted in `deinit`. Used by one thread at a time.
private final class LibYAMLParser {
    let handle: UnsafeMutablePointer<yaml_parser_t>
    /// The text being parsed, to place reader errors that libyaml gives only as a byte offset.
    var input: UnsafeBufferPointer<UInt8>?

    init() {
        handle = .allocate(capacity: 1)
        yaml_parser_initialize(handle)
    }

    deinit {
        yaml_parser_delete(handle)
        handle.deallocate()
    }

    func setInput(_ buffer: UnsafeBufferPointer<UInt8>) {
        yaml_parser_set_input_string(handle, buffer.baseAddress, buffer.count)
    }

    /// Parses the next event and hands it to `body`; true at the end of the stream.
    func next(_ body: (borrowing Event) throws(YAMLError) -> Void) throws(YAMLError) -> Bool {
        var event = yaml_event_t()
        guard yaml_parser_parse(handle, &event) == 1 else { throw lastError() }
        defer { yaml_event_delete(&event) }
        let type = event.type
        try body(Event(raw: event))
        return type == YAML_STREAM_END_EVENT
    }

    /// libyaml's description of the syntax error it stopped at.
    func lastError() -> YAMLError {
        let p = handle.pointee
        var message = p.problem.map { String(cString: $0) } ?? "invalid YAML"
        if let context = p.context.map({ String(cString: $0) }) {
            message += " " + context
        }
        let mark = p.problem_mark.line == 0 && p.problem_mark.column == 0 && p.problem_offset > 0
            ? Mark(line: 1, column: 1)
            : Mark(line: Int(p.problem_mark.line) + 1, column: Int(p.problem_mark.column) + 1)
        if p.error == YAML_READER_ERROR {
            message = "the file is not valid UTF-8 text (\(message))"
            if let input { return YAMLError(message: "YAML syntax error: \(message)", mark: Self.mark(ofByte: p.problem_offset, in: input)) }
        }
        return YAMLError(message: "YAML syntax error: \(message)", mark: mark)
    }

    /// The line and column (in characters) of a byte offset.
    static func mark(ofByte offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Mark {
        var line = 1
        var column = 1
        for byte in bytes.prefix(offset) {
            if byte == 10 {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return Mark(line: line, column: column)
    }
}

/// A borrowed view of one libyaml event, valid only inside `LibYAMLParser.next`.
private struct Event: ~Copyable {
    let raw: yaml_event_t

    var type: yaml_event_type_t { raw.type }
    var mark: Mark { Mark(line: Int(raw.start_mark.line) + 1, column: Int(raw.start_mark.column) + 1) }

    static func string(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        p.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
    }

    var anchor: String? {
        switch raw.type {
        case YAML_ALIAS_EVENT: return Self.string(raw.data.alias.anchor)
        case YAML_SCALAR_EVENT: return Self.string(raw.data.scalar.anchor)
        case YAML_SEQUENCE_START_EVENT: return Self.string(raw.data.sequence_start.anchor)
        case YAML_MAPPING_START_EVENT: return Self.string(raw.data.mapping_start.anchor)
        default: return nil
        }
    }

    var tag: String? {
        switch raw.type {
        case YAML_SCALAR_EVENT: return Self.string(raw.data.scalar.tag)
        case YAML_SEQUENCE_START_EVENT: return Self.string(raw.data.sequence_start.tag)
        case YAML_MAPPING_START_EVENT: return Self.string(raw.data.mapping_start.tag)
        default: return nil
        }
    }

    var scalar: YAMLScalar {
        let s = raw.data.scalar
        let value = s.value.map { String(decoding: UnsafeBufferPointer(start: $0, count: s.length), as: UTF8.self) } ?? ""
        let style: YAMLScalar.Style
        switch s.style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: style = .literal
        case YAML_FOLDED_SCALAR_STYLE: style = .folded
        default: style = .plain
        }
        return YAMLScalar(value: value, style: style, tag: tag, mark: mark)
    }
}

/// Builds nodes from events, keeping the anchors of the current document and the limits.
private struct DocumentBuilder {
    /// An open sequence or mapping. A struct mutated in place on the stack: an enum's payload would be
    /// copied out, appended to and put back, which copies the whole list for every item (quadratic).
    struct Frame {
        var isMapping: Bool
        var items: [YAMLNode] = []
        var pairs: [YAMLPair] = []
        var pendingKey: YAMLScalar?
        var mark: Mark
        var anchor: String?
        var count = 1
    }

    let limits: YAMLLimits
    var documents: [YAMLDocument] = []
    var stack: [Frame] = []
    var anchors: [String: (node: YAMLNode, count: Int)] = [:]
    var root: YAMLNode?
    var documentMark = Mark(line: 1, column: 1)
    var nodeCount = 0

    init(limits: YAMLLimits) { self.limits = limits }

    mutating func handle(_ event: borrowing Event) throws(YAMLError) {
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            guard documents.count < limits.maxDocuments else {
                throw YAMLError(message: "more than \(limits.maxDocuments) documents in one file", mark: event.mark)
            }
            anchors = [:]
            root = nil
            documentMark = event.mark
        case YAML_DOCUMENT_END_EVENT:
            if case .scalar(let s) = root, s.isNull { root = nil }  // an empty document
            documents.append(YAMLDocument(root: root, mark: documentMark))
        case YAML_SCALAR_EVENT:
            let scalar = event.scalar
            try checkTag(scalar.tag, at: scalar.mark)
            try add(.scalar(scalar), count: 1, anchor: event.anchor, at: scalar.mark)
        case YAML_ALIAS_EVENT:
            let name = event.anchor ?? ""
            guard let target = anchors[name] else {
                throw YAMLError(message: "alias *\(name) refers to no anchor &\(name) defined before it", mark: event.mark)
            }
            try add(target.node, count: target.count, anchor: nil, at: event.mark)
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            try checkTag(event.tag, at: event.mark)
            guard stack.count < limits.maxDepth else {
                throw YAMLError(message: "nesting deeper than \(limits.maxDepth) levels", mark: event.mark)
            }
            var frame = Frame(isMapping: event.type == YAML_MAPPING_START_EVENT, mark: event.mark, anchor: event.anchor)
            // A document's top mapping is a job: room for its fields at once, not grown from one.
            if stack.isEmpty && frame.isMapping { frame.pairs.reserveCapacity(16) }
            stack.append(frame)
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            let frame = stack.removeLast()
            if frame.isMapping {
                try add(.mapping(try Self.merged(frame.pairs), frame.mark), count: frame.count, anchor: frame.anchor, at: frame.mark)
            } else {
                try add(.sequence(frame.items, frame.mark), count: frame.count, anchor: frame.anchor, at: frame.mark)
            }
        default:
            break
        }
    }

    func checkTag(_ tag: String?, at mark: Mark) throws(YAMLError) {
        if let tag, !YAMLTag.allowed.contains(tag) {
            throw YAMLError(message: "unsupported tag \(tag); job specs use plain YAML values", mark: mark)
        }
    }

    /// Adds a finished node (with `count` nodes inside it) to its parent.
    mutating func add(_ node: YAMLNode, count: Int, anchor: String?, at mark: Mark) throws(YAMLError) {
        nodeCount += count
        guard nodeCount <= limits.maxNodes else {
            throw YAMLError(message: "the file expands to more than \(limits.maxNodes) nodes (aliases expanded); is an alias repeated too often?", mark: mark)
        }
        if let anchor { anchors[anchor] = (node, count) }
        guard !stack.isEmpty else {
            root = node
            return
        }
        let top = stack.count - 1
        stack[top].count += count
        if !stack[top].isMapping {
            stack[top].items.append(node)
        } else if let key = stack[top].pendingKey {
            stack[top].pairs.append(YAMLPair(key: key, value: node))
            stack[top].pendingKey = nil
        } else {
            guard case .scalar(let key) = node else {
                throw YAMLError(message: "mapping keys must be plain strings, not \(node.kindName)", mark: mark)
            }
            stack[top].pendingKey = key
        }
    }

    /// Applies merge keys (`<<: *base`, explicit keys win) and refuses duplicate keys.
    static func merged(_ pairs: [YAMLPair]) throws(YAMLError) -> [YAMLPair] {
        if pairs.count <= smallMapping, let plain = try withoutMerges(pairs) { return plain }
        var result: [YAMLPair] = []
        var seen: [String: Mark] = [:]
        var merges: [YAMLPair] = []
        for pair in pairs {
            if pair.key.value == "<<" && pair.key.style == .plain {
                merges.append(pair)
                continue
            }
            if let first = seen[pair.key.value] {
                throw YAMLError(message: "duplicate key \"\(pair.key.value)\" (first at line \(first.line))", mark: pair.key.mark)
            }
            seen[pair.key.value] = pair.key.mark
            result.append(pair)
        }
        for merge in merges {
            let sources: [YAMLNode]
            switch merge.value {
            case .mapping: sources = [merge.value]
            case .sequence(let items, _): sources = items
            case .scalar: throw YAMLError(message: "a merge key (<<) takes a mapping or a list of mappings", mark: merge.value.mark)
            }
            for source in sources {
                guard case .mapping(let inherited, _) = source else {
                    throw YAMLError(message: "a merge key (<<) takes a mapping or a list of mappings", mark: source.mark)
                }
                for pair in inherited where seen[pair.key.value] == nil {
                    seen[pair.key.value] = pair.key.mark
                    result.append(pair)
                }
            }
        }
        return result
    }

    /// Most keys of a mapping checked for duplicates by comparing each with those before it; a job's
    /// mapping is about this size, and a table of keys would cost more than the comparisons.
    static let smallMapping = 24

    /// `pairs` unchanged when none is a merge key, after refusing duplicate keys; nil when there is a merge key.
    static func withoutMerges(_ pairs: [YAMLPair]) throws(YAMLError) -> [YAMLPair]? {
        for (i, pair) in pairs.enumerated() {
            if pair.key.value == "<<" && pair.key.style == .plain { return nil }
            for earlier in pairs[..<i] where earlier.key.value == pair.key.value {
                throw YAMLError(message: "duplicate key \"\(pair.key.value)\" (first at line \(earlier.key.mark.line))", mark: pair.key.mark)
            }
        }
        return pairs
    }
}
