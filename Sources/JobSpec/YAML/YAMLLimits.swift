/// Limits that keep a hostile or broken file from exhausting the parser.
public struct YAMLLimits: Hashable, Sendable {
    /// Largest file read, in bytes.
    public var maxFileBytes: Int = 1 << 20
    /// Most documents (`---`) in one file.
    public var maxDocuments: Int = 1000
    /// Deepest nesting of lists and mappings.
    public var maxDepth: Int = 32
    /// Most nodes in one file once aliases are expanded (guards against "billion laughs").
    public var maxNodes: Int = 200_000

    public init() {}
}

/// A file that is not valid YAML, or that breaks a limit.
public struct YAMLError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var mark: Mark
    public var description: String { "\(mark.line):\(mark.column): \(message)" }
}
