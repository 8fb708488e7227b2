import Foundation

/// One field of a job spec, described once.
///
/// `JobField.all` is the only list of a job's fields: loading (and the unknown-field check), the canonical
/// fields and spec hash, YAML output and JSON output all walk it, and a test checks that it names every
/// stored property of `Job.Fields`. A field left out of it cannot be read, written or hashed by accident.
///
/// A class, so that walking the table for each of tens of thousands of jobs copies a reference per field,
/// not every closure and string of it.
public final class JobField: Sendable {
    /// The shape of a field's value in a spec.
    public enum Kind: String, Sendable, CaseIterable {
        /// A scalar, or a list of strings (`strings`); `duration` is an ISO 8601 duration of fixed length,
        /// `choice` one of the field's `choices`.
        case string, boolean, integer, number, strings, duration, choice
        /// `[{name, value}]`
        case environment
        /// `[{uri, executable, extract, cache, output_file}]`
        case fetch
        /// `{type, image, network, volumes, …}`
        case container
        /// `[[attribute, operator, value]]`
        case constraints
    }

    /// The name in a spec, which is also the `Job` property's name.
    public let name: String
    /// The name in Chronos's JSON; the spec name for chronos-sync's extensions.
    public let chronosName: String
    /// The shape of its value.
    public let kind: Kind
    /// True when the field may be absent (nil) rather than hold a default.
    public let isOptional: Bool
    /// True when the field is part of the spec hash, so that changing it is a change of the job (drift, plans).
    public let isHashed: Bool
    /// True when a repository's defaults file may set it; false for what identifies or triggers a job.
    public let mayHaveDefault: Bool
    /// The values an enumeration accepts; empty for other kinds.
    public let choices: [String]
    /// The value of a new `Job` as canonical JSON text; nil when the field is absent by default.
    public let defaultJSON: String?

    /// Written to YAML even when it holds its default, so a written spec always shows it.
    let alwaysWritten: Bool
    /// Sets the field from a spec's value; on a problem, reports it and leaves the job as it was. With
    /// `whole`, a value read with any diagnostic (a list with one bad item, say) is left out too.
    let read: @Sendable (_ node: YAMLNode, _ job: inout Job, _ reader: SpecReader, _ whole: Bool) -> Void
    /// The value as canonical JSON text; nil when absent. Takes the address of a `Job` (see `Job.withFields`).
    let canonicalAt: @Sendable (UnsafeRawPointer) -> String?
    /// The field as YAML, `key: value` or a key with block lines; nil when left out (absent or default).
    let yaml: @Sendable (Job) -> String?
    /// True when the value is `Job()`'s (nil for an optional field): a spec that leaves it out reads the same.
    /// Takes the address of a `Job` (see `Job.withFields`).
    let isAtDefaultAt: @Sendable (UnsafeRawPointer) -> Bool
    /// The offset of its stored property in `Job.Fields` (nil if it were not one), and the size of its value.
    let offset: Int?
    let size: Int
    /// Encodes the value under `key`; nothing when absent.
    let encode: @Sendable (_ job: Job, _ container: inout KeyedEncodingContainer<FieldKey>, _ key: FieldKey) throws -> Void

    /// A field that always has a value, its default being `Job()`'s. A field added after specs were stored
    /// is `omittedAtDefault`: left out of the hash and the stored JSON while it holds its default, so the
    /// hashes of existing jobs do not change (which would show every job as changed after an upgrade).
    convenience init<Value>(_ name: String, _ path: WritableKeyPath<Job.Fields, Value> & Sendable, _ codec: FieldCodec<Value>, chronosName: String? = nil,
                            hashed: Bool = true, mayHaveDefault: Bool = true, alwaysWritten: Bool = false, omittedAtDefault: Bool = false) {
        let defaultValue = Job().fields[keyPath: path]
        let get = Self.getter(path)
        let at = Self.reader(path)
        self.init(name: name, chronosName: chronosName ?? name, kind: codec.kind, isOptional: false, isHashed: hashed,
                  mayHaveDefault: mayHaveDefault, choices: codec.choices, defaultJSON: omittedAtDefault ? nil : codec.canonical(defaultValue),
                  alwaysWritten: alwaysWritten,
                  isAtDefaultAt: { at($0) == defaultValue }, offset: MemoryLayout<Job.Fields>.offset(of: path), size: MemoryLayout<Value>.size,
                  read: { node, job, r, whole in
                      let before = r.diagnostics.count
                      if let value = codec.read(node, name, r), !whole || r.diagnostics.count == before { job.fields[keyPath: path] = value }
                  },
                  canonicalAt: { job in
                      let value = at(job)
                      return omittedAtDefault && value == defaultValue ? nil : codec.canonical(value)
                  },
                  yaml: { job in
                      let value = get(job)
                      return !alwaysWritten && value == defaultValue ? nil : name + ":" + codec.yaml(value)
                  },
                  encode: { job, container, key in
                      let value = get(job)
                      if omittedAtDefault && value == defaultValue { return }
                      try container.encode(value, forKey: key)
                  })
    }

    /// A field that may be absent (nil), which is its default.
    convenience init<Value>(optional name: String, _ path: WritableKeyPath<Job.Fields, Value?> & Sendable, _ codec: FieldCodec<Value>, chronosName: String? = nil,
                            hashed: Bool = true, mayHaveDefault: Bool = true) {
        let get = Self.getter(path)
        let at = Self.reader(path)
        self.init(name: name, chronosName: chronosName ?? name, kind: codec.kind, isOptional: true, isHashed: hashed,
                  mayHaveDefault: mayHaveDefault, choices: codec.choices, defaultJSON: Job().fields[keyPath: path].map(codec.canonical),
                  alwaysWritten: false,
                  isAtDefaultAt: { at($0) == nil }, offset: MemoryLayout<Job.Fields>.offset(of: path), size: MemoryLayout<Value?>.size,
                  read: { node, job, r, whole in
                      let before = r.diagnostics.count
                      if let value = codec.read(node, name, r), !whole || r.diagnostics.count == before { job.fields[keyPath: path] = value }
                  },
                  canonicalAt: { job in at(job).map(codec.canonical) },
                  yaml: { job in get(job).map { name + ":" + codec.yaml($0) } },
                  encode: { job, container, key in try container.encodeIfPresent(get(job), forKey: key) })
    }

    private init(name: String, chronosName: String, kind: Kind, isOptional: Bool, isHashed: Bool, mayHaveDefault: Bool,
                 choices: [String], defaultJSON: String?, alwaysWritten: Bool, isAtDefaultAt: @escaping @Sendable (UnsafeRawPointer) -> Bool, offset: Int?, size: Int,
                 read: @escaping @Sendable (YAMLNode, inout Job, SpecReader, Bool) -> Void,
                 canonicalAt: @escaping @Sendable (UnsafeRawPointer) -> String?, yaml: @escaping @Sendable (Job) -> String?,
                 encode: @escaping @Sendable (Job, inout KeyedEncodingContainer<FieldKey>, FieldKey) throws -> Void) {
        self.name = name
        self.chronosName = chronosName
        self.kind = kind
        self.isOptional = isOptional
        self.isHashed = isHashed
        self.mayHaveDefault = mayHaveDefault
        self.choices = choices
        self.defaultJSON = defaultJSON
        self.alwaysWritten = alwaysWritten
        self.isAtDefaultAt = isAtDefaultAt
        self.offset = offset
        self.size = size
        self.read = read
        self.canonicalAt = canonicalAt
        self.yaml = yaml
        self.encode = encode
    }

    /// Reads a field of a job in place, at its offset in `Job.Fields` (reading through a key path copies
    /// every field of the job first).
    private static func getter<Value>(_ path: WritableKeyPath<Job.Fields, Value> & Sendable) -> @Sendable (Job) -> Value {
        let read = reader(path)
        return { job in job.withFields(read) }
    }

    /// Reads a field of the `Job.Fields` at an address (see `Job.withFields`).
    private static func reader<Value>(_ path: WritableKeyPath<Job.Fields, Value> & Sendable) -> @Sendable (UnsafeRawPointer) -> Value {
        guard let offset = MemoryLayout<Job.Fields>.offset(of: path) else {
            return { $0.assumingMemoryBound(to: Job.Fields.self).pointee[keyPath: path] }
        }
        return { $0.load(fromByteOffset: offset, as: Value.self) }
    }

    /// The value of this field of `job` as canonical JSON text; nil when absent.
    public func json(of job: Job) -> String? { job.withFields(canonicalAt) }

    /// True when the field of `job` holds `Job()`'s value.
    func isAtDefault(_ job: Job) -> Bool { job.withFields(isAtDefaultAt) }

    /// The fields by spec name and by Chronos name, for decoding.
    static let named: [String: JobField] = {
        var result: [String: JobField] = [:]
        for field in all {
            result[field.name] = field
            result[field.chronosName] = field
        }
        return result
    }()

    /// The hashed fields in name order: the order of `canonicalFields` and of the bytes the spec hash covers.
    static let hashedInNameOrder: [JobField] = all.filter(\.isHashed).sorted { $0.name < $1.name }

    /// Every field in name order: the order of the keys of `Job.storedJSON`.
    static let allInNameOrder: [JobField] = all.sorted { $0.name < $1.name }
    static let allSlots: [Slot] = allInNameOrder.map(Slot.init)
    static let hashedSlots: [Slot] = hashedInNameOrder.map(Slot.init)

    /// Where a field's value lies in a job's `Fields`, to see without calling its closures that it holds `Job()`'s
    /// value: its bytes are those of `JobField.defaultJob` (identical bytes are an equal value; a value
    /// equal in another representation just takes the slower way).
    struct Slot {
        let offset: Int
        let size: Int
        let alwaysWritten: Bool

        init(_ field: JobField) {
            offset = field.offset ?? -1
            size = field.size
            alwaysWritten = field.alwaysWritten
        }

        func holdsDefault(_ job: UnsafeRawPointer) -> Bool {
            offset >= 0 && memcmp(job + offset, UnsafeRawPointer(JobField.defaultJob) + offset, size) == 0
        }
    }

    /// `Job()`'s fields, at a fixed address for `Slot.holdsDefault`.
    nonisolated(unsafe) static let defaultJob: UnsafePointer<Job.Fields> = {
        let job = UnsafeMutablePointer<Job.Fields>.allocate(capacity: 1)
        job.initialize(to: Job.Fields())
        return UnsafePointer(job)
    }()

    /// Every field's spec name, in the table's order, for "did you mean" hints.
    static let names: [String] = all.map(\.name)
}

/// A coding key named at run time, for encoding a job field by field.
struct FieldKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
