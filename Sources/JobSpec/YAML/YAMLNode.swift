/// A position in a source file, 1-based.
public struct Mark: Hashable, Sendable, Comparable {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (lhs: Mark, rhs: Mark) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}

/// A scalar as written: its text, how it was quoted, its explicit tag, and where it starts.
public struct YAMLScalar: Hashable, Sendable {
    public enum Style: Hashable, Sendable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    public var value: String
    public var style: Style
    /// The explicit tag, e.g. `tag:yaml.org,2002:str`, or nil.
    public var tag: String?
    public var mark: Mark

    /// True for a plain `null`, `~` or empty value (YAML 1.2 core schema).
    public var isNull: Bool {
        if let tag { return tag == YAMLTag.null }
        return style == .plain && (value.isEmpty || value == "~" || value == "null" || value == "Null" || value == "NULL")
    }

    /// The column of the first character of the value itself (after an opening quote).
    public var contentColumn: Int {
        style == .singleQuoted || style == .doubleQuoted ? mark.column + 1 : mark.column
    }
}

/// A node of a YAML document, with the position of every part, so errors can point into the file.
///
/// Not `indirect`: lists and mappings already hold their items in arrays, and an indirect enum would
/// allocate a box for every scalar of every file loaded.
public enum YAMLNode: Hashable, Sendable {
    case scalar(YAMLScalar)
    case sequence([YAMLNode], Mark)
    case mapping([YAMLPair], Mark)

    public var mark: Mark {
        switch self {
        case .scalar(let s): return s.mark
        case .sequence(_, let m), .mapping(_, let m): return m
        }
    }

    /// What kind of node this is, for error messages ("a list", "a mapping", "a string").
    public var kindName: String {
        switch self {
        case .scalar(let s): return s.isNull ? "null" : "\"\(s.value)\""
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}

/// A key and its value in a mapping.
public struct YAMLPair: Hashable, Sendable {
    public var key: YAMLScalar
    public var value: YAMLNode
}

/// One document of a YAML stream.
public struct YAMLDocument: Hashable, Sendable {
    /// The document's content; nil for an empty document.
    public var root: YAMLNode?
    public var mark: Mark
}

/// The YAML 1.2 core schema tags that specs may use explicitly.
enum YAMLTag {
    static let str = "tag:yaml.org,2002:str"
    static let int = "tag:yaml.org,2002:int"
    static let float = "tag:yaml.org,2002:float"
    static let bool = "tag:yaml.org,2002:bool"
    static let null = "tag:yaml.org,2002:null"
    static let map = "tag:yaml.org,2002:map"
    static let seq = "tag:yaml.org,2002:seq"
    static let allowed: Set<String> = [str, int, float, bool, null, map, seq, "!"]
}
