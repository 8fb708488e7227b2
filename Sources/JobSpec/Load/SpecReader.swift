/// Reads typed values out of YAML nodes for one file, collecting every problem as a `Diagnostic`
/// instead of stopping at the first.
final class SpecReader {
    let file: String
    var diagnostics: [Diagnostic] = []

    /// The file's text, to place the content of block scalars (`|`, `>`).
    var source: [UInt8] = []

    init(file: String) { self.file = file }

    func error(_ message: String, at mark: Mark) {
        diagnostics.append(Diagnostic(.error, file: file, mark: mark, message: message))
    }

    func warning(_ message: String, at mark: Mark) {
        diagnostics.append(Diagnostic(.warning, file: file, mark: mark, message: message))
    }

    /// The position of a value's first character: inside its quotes, or on the first line of a block
    /// scalar's content.
    func contentMark(_ node: YAMLNode) -> Mark {
        guard case .scalar(let s) = node else { return node.mark }
        if s.style == .literal || s.style == .folded {
            return blockContentMark(after: s.mark.line) ?? s.mark
        }
        return Mark(line: s.mark.line, column: s.contentColumn)
    }

    /// The first non-blank character on the lines after `line`.
    private func blockContentMark(after line: Int) -> Mark? {
        var current = 1
        var i = 0
        while i < source.count && current <= line {
            if source[i] == 10 { current += 1 }
            i += 1
        }
        while i < source.count {
            var column = 1
            while i < source.count && source[i] == 32 { column += 1; i += 1 }
            guard i < source.count else { return nil }
            if source[i] != 10 && source[i] != 13 { return Mark(line: current, column: column) }
            while i < source.count && source[i] != 10 { i += 1 }
            i += 1
            current += 1
        }
        return nil
    }

    func string(_ node: YAMLNode, _ field: String) -> String? {
        guard case .scalar(let s) = node, !s.isNull else {
            error("\"\(field)\" must be a string, not \(node.kindName)", at: node.mark)
            return nil
        }
        return s.value
    }

    func bool(_ node: YAMLNode, _ field: String) -> Bool? {
        if case .scalar(let s) = node, s.style == .plain, s.tag == nil || s.tag == YAMLTag.bool {
            switch s.value {
            case "true", "True", "TRUE": return true
            case "false", "False", "FALSE": return false
            case "yes", "Yes", "YES", "on", "On", "ON", "y", "Y":
                error("\"\(field)\" must be true or false; write true instead of \(s.value)", at: s.mark)
                return nil
            case "no", "No", "NO", "off", "Off", "OFF", "n", "N":
                error("\"\(field)\" must be true or false; write false instead of \(s.value)", at: s.mark)
                return nil
            default: break
            }
        }
        error("\"\(field)\" must be true or false, not \(node.kindName)", at: node.mark)
        return nil
    }

    func int(_ node: YAMLNode, _ field: String) -> Int? {
        if case .scalar(let s) = node, s.style == .plain, let value = Int(s.value) {
            return value
        }
        error("\"\(field)\" must be a whole number, not \(node.kindName)", at: node.mark)
        return nil
    }

    /// A number; a quoted numeric string is accepted too, as Chronos does for resources.
    func double(_ node: YAMLNode, _ field: String) -> Double? {
        if case .scalar(let s) = node, !s.isNull, let value = Double(s.value), value.isFinite,
           s.value.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 46 || $0 == 45 || $0 == 43 || $0 == 101 || $0 == 69 }) {
            return value
        }
        error("\"\(field)\" must be a number, not \(node.kindName)", at: node.mark)
        return nil
    }

    /// The items of a list; nil (after an error) when `node` is not a list.
    func items(_ node: YAMLNode, _ field: String, of what: String = "items") -> [YAMLNode]? {
        guard case .sequence(let items, _) = node else {
            error("\"\(field)\" must be a list of \(what), not \(node.kindName)", at: node.mark)
            return nil
        }
        return items
    }

    func strings(_ node: YAMLNode, _ field: String) -> [String]? {
        guard let items = items(node, field, of: "strings") else { return nil }
        var result: [String] = []
        for item in items {
            guard case .scalar(let s) = item, !s.isNull else {
                error("each item of \"\(field)\" must be a string, not \(item.kindName)", at: item.mark)
                continue
            }
            result.append(s.value)
        }
        return result
    }

    /// One of an enumeration's raw values, with a hint when it is close to one.
    func choice<T: RawRepresentable & CaseIterable>(_ node: YAMLNode, _ field: String, as: T.Type) -> T? where T.RawValue == String {
        guard let text = string(node, field) else { return nil }
        if let value = T(rawValue: text) { return value }
        let names = T.allCases.map(\.rawValue)
        if let value = names.first(where: { $0.lowercased() == text.lowercased() }).flatMap(T.init(rawValue:)) { return value }
        let hint = Suggest.closest(to: text, among: names, caseInsensitive: true).map { "; did you mean \"\($0)\"?" } ?? ""
        error("\"\(field)\" must be one of \(names.joined(separator: ", ")), not \"\(text)\"\(hint)", at: node.mark)
        return nil
    }

    /// Walks a mapping's fields, reporting unknown ones with a "did you mean" hint; `body` returns
    /// false for a field it does not know.
    func object(_ node: YAMLNode, _ what: String, known: [String], _ body: (String, YAMLNode) -> Bool) {
        guard case .mapping(let pairs, _) = node else {
            error("\(what) must be a mapping of fields, not \(node.kindName)", at: node.mark)
            return
        }
        for pair in pairs {
            if case .scalar(let s) = pair.value, s.isNull { continue }
            if !body(pair.key.value, pair.value) {
                unknownField(pair.key, in: what, known: known)
            }
        }
    }

    func unknownField(_ key: YAMLScalar, in what: String, known: [String]) {
        let hint = Suggest.closest(to: key.value, among: known, caseInsensitive: true).map { "; did you mean \"\($0)\"?" } ?? ""
        error("unknown field \"\(key.value)\" in \(what)\(hint)", at: key.mark)
    }
}
