import Foundation
import Synchronization

/// The jobs of a folder of spec files, loaded and validated as a whole.
public struct JobRepository: Sendable {
    /// The folder (or single file) that was loaded, as given.
    public var root: String
    /// The spec files read, in order.
    public var files: [String]
    /// Every job that could be read, in file order.
    public var jobs: [JobDefinition]
    public var defaults: JobDefaults
    /// Every error and warning, ordered by file, line and column.
    public var diagnostics: [Diagnostic]

    public init(root: String, files: [String], jobs: [JobDefinition], defaults: JobDefaults, diagnostics: [Diagnostic]) {
        self.root = root
        self.files = files
        self.jobs = jobs
        self.defaults = defaults
        self.diagnostics = diagnostics
    }

    /// True when there is no error (warnings are allowed).
    public var isValid: Bool { !diagnostics.contains { $0.severity == .error } }

    /// The job called `name`.
    public func job(named name: String) -> JobDefinition? {
        jobs.first { $0.job.name == name }
    }
}

/// What loading may read, and the time "now" for warnings about schedules with no run left.
public struct LoadOptions: Sendable {
    public var limits = YAMLLimits()
    public var now: Instant = .now
    /// Most spec files in one folder.
    public var maxFiles = 100_000

    public init() {}
}

/// Loads a folder of job specs: every `*.yaml`/`*.yml` file under it (hidden folders skipped), with
/// `_defaults.yaml` (or `.yml`) at its top as the defaults file.
public enum JobLoader {
    /// Names a defaults file may have.
    public static let defaultsFileNames = ["_defaults.yaml", "_defaults.yml"]

    /// Loads and validates `path`, a folder or a single spec file. Never throws: every problem, including
    /// an unreadable path, is a diagnostic.
    public static func load(_ path: String, options: LoadOptions = LoadOptions()) -> JobRepository {
        var isDirectory: ObjCBool = false
        var diagnostics: [Diagnostic] = []
        var repository = JobRepository(root: path, files: [], jobs: [], defaults: JobDefaults(), diagnostics: [])
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            repository.diagnostics = [Diagnostic(.error, file: path, mark: Mark(line: 1, column: 1), message: "no such file or folder")]
            return repository
        }
        var files: [String]
        if isDirectory.boolValue {
            do {
                files = try specFiles(in: path)
            } catch {
                repository.diagnostics = [Diagnostic(.error, file: error.path, mark: Mark(line: 1, column: 1), message: error.message)]
                return repository
            }
            if files.count > options.maxFiles {
                diagnostics.append(Diagnostic(.error, file: path, mark: Mark(line: 1, column: 1), message: "\(files.count) spec files, over the limit of \(options.maxFiles)"))
                files = Array(files.prefix(options.maxFiles))
            }
            let prefix = path.hasSuffix("/") ? path : path + "/"
            let defaultsFiles = defaultsFileNames.map { prefix + $0 }.filter { files.contains($0) }
            if defaultsFiles.count > 1 {
                diagnostics.append(Diagnostic(.error, file: defaultsFiles[1], mark: Mark(line: 1, column: 1),
                                              message: "a repository has one defaults file, but \(defaultsFiles[0]) is there too"))
            }
            if let file = defaultsFiles.first {
                let reader = SpecReader(file: file)
                if let bytes = read(file, limits: options.limits, reader) {
                    repository.defaults = SpecFileLoader.defaults(in: bytes, file: file, limits: options.limits, reader: reader)
                }
                diagnostics += reader.diagnostics
            }
            files.removeAll { defaultsFiles.contains($0) }
        } else {
            files = [path]
        }
        repository.files = files
        let results = loadFiles(files, defaults: repository.defaults, options: options)
        return finish(repository, results: results, diagnostics: diagnostics)
    }

    /// Loads spec files given in memory (from a git tree, say): `sources` are every `*.yaml`/`*.yml`
    /// file under `root`, with paths as they should appear in messages. With a `cache`, a file whose
    /// `key` (a blob id) and defaults are unchanged is not parsed again, nor even read.
    public static func load(root: String, sources: [SpecSource], cache: SpecFileCache? = nil, options: LoadOptions = LoadOptions()) -> JobRepository {
        var diagnostics: [Diagnostic] = []
        var repository = JobRepository(root: root, files: [], jobs: [], defaults: JobDefaults(), diagnostics: [])
        var sources = sources.sorted { $0.path < $1.path }
        if sources.count > options.maxFiles {
            diagnostics.append(Diagnostic(.error, file: root, mark: Mark(line: 1, column: 1), message: "\(sources.count) spec files, over the limit of \(options.maxFiles)"))
            sources = Array(sources.prefix(options.maxFiles))
        }
        let prefix = root.isEmpty ? "" : (root.hasSuffix("/") ? root : root + "/")
        let defaultsPaths = defaultsFileNames.map { prefix + $0 }
        let defaultsSources = sources.filter { source in defaultsPaths.contains(source.path) }
        if defaultsSources.count > 1 {
            diagnostics.append(Diagnostic(.error, file: defaultsSources[1].path, mark: Mark(line: 1, column: 1),
                                          message: "a repository has one defaults file, but \(defaultsSources[0].path) is there too"))
        }
        var defaultsKey = "-"
        if let source = defaultsSources.first {
            let reader = SpecReader(file: source.path)
            if let bytes = checked(source, limits: options.limits, reader) {
                repository.defaults = SpecFileLoader.defaults(in: bytes, file: source.path, limits: options.limits, reader: reader)
            }
            diagnostics += reader.diagnostics
            defaultsKey = source.key ?? UUID().uuidString
        }
        sources.removeAll { source in defaultsSources.contains { $0.path == source.path } }
        repository.files = sources.map(\.path)
        let defaults = repository.defaults
        let files = sources
        let defaultsID = defaultsKey
        let results = ResultSlots<(jobs: [JobDefinition], diagnostics: [Diagnostic])>(count: files.count)
        let chunk = 64
        DispatchQueue.concurrentPerform(iterations: (files.count + chunk - 1) / chunk) { c in
            for i in (c * chunk)..<min(files.count, (c + 1) * chunk) {
                let source = files[i]
                let key = source.key.map { cacheKey(path: source.path, key: $0, defaultsKey: defaultsID) }
                if let key, let hit = cache?.result(for: key) {
                    results.set(i, hit)
                    continue
                }
                let reader = SpecReader(file: source.path)
                var jobs: [JobDefinition] = []
                var read = false
                if let bytes = checked(source, limits: options.limits, reader) {
                    read = true
                    jobs = SpecFileLoader.jobs(in: bytes, file: source.path, defaults: defaults, limits: options.limits, reader: reader)
                    for j in jobs.indices { JobValidator.check(&jobs[j], now: options.now, reader) }
                }
                let result = (jobs, reader.diagnostics)
                // A file that could not be read is tried again next time.
                if let key, read { cache?.store(result, for: key, path: source.path) }
                results.set(i, result)
            }
        }
        return finish(repository, results: results.take(), diagnostics: diagnostics)
    }

    /// The cache key of a spec file: its path, its content's key, and the defaults file's key (or `-`).
    public static func cacheKey(path: String, key: String, defaultsKey: String?) -> String {
        "\(path)|\(key)|\(defaultsKey ?? "-")"
    }

    static func checked(_ source: SpecSource, limits: YAMLLimits, _ reader: SpecReader) -> [UInt8]? {
        withinLimit(source.read(), limits: limits, reader)
    }

    /// `bytes` when the file could be read and is within the size limit; nil after an error otherwise.
    static func withinLimit(_ bytes: [UInt8]?, limits: YAMLLimits, _ reader: SpecReader) -> [UInt8]? {
        guard let bytes else {
            reader.error("cannot read the file", at: Mark(line: 1, column: 1))
            return nil
        }
        if bytes.count > limits.maxFileBytes {
            reader.error("the file is \(bytes.count) bytes, over the limit of \(limits.maxFileBytes)", at: Mark(line: 1, column: 1))
            return nil
        }
        return bytes
    }

    /// Adds the files' results, checks across jobs, and orders the diagnostics.
    private static func finish(_ repository: JobRepository, results: [(jobs: [JobDefinition], diagnostics: [Diagnostic])], diagnostics: [Diagnostic]) -> JobRepository {
        var repository = repository
        var diagnostics = diagnostics
        let files = repository.files
        repository.jobs.reserveCapacity(results.count)
        for result in results {
            repository.jobs += result.jobs
            diagnostics += result.diagnostics
        }
        DependencyGraph.check(repository.jobs) { diagnostics.append($0) }
        // A valid folder has nothing to order: the file order table is built only when there is.
        guard diagnostics.count > 1 else {
            repository.diagnostics = diagnostics
            return repository
        }
        let order = Dictionary(uniqueKeysWithValues: ([repository.defaults.file].compactMap { $0 } + files).enumerated().map { ($1, $0) })
        repository.diagnostics = diagnostics.enumerated().sorted { a, b in
            let fa = order[a.element.file] ?? -1
            let fb = order[b.element.file] ?? -1
            if fa != fb { return fa < fb }
            if a.element.mark != b.element.mark { return a.element.mark < b.element.mark }
            return a.offset < b.offset
        }.map(\.element)
        return repository
    }

    /// Loads one file's jobs, checks each alone, and returns them with the file's diagnostics.
    static func loadFile(_ file: String, defaults: JobDefaults, options: LoadOptions) -> (jobs: [JobDefinition], diagnostics: [Diagnostic]) {
        let reader = SpecReader(file: file)
        guard let bytes = read(file, limits: options.limits, reader) else { return ([], reader.diagnostics) }
        var jobs = SpecFileLoader.jobs(in: bytes, file: file, defaults: defaults, limits: options.limits, reader: reader)
        for i in jobs.indices {
            JobValidator.check(&jobs[i], now: options.now, reader)
        }
        return (jobs, reader.diagnostics)
    }

    /// Loads files on every core; results keep the order of `files`.
    static func loadFiles(_ files: [String], defaults: JobDefaults, options: LoadOptions) -> [(jobs: [JobDefinition], diagnostics: [Diagnostic])] {
        let results = ResultSlots<(jobs: [JobDefinition], diagnostics: [Diagnostic])>(count: files.count)
        let chunk = 64
        let chunks = (files.count + chunk - 1) / chunk
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            for i in (c * chunk)..<min(files.count, (c + 1) * chunk) {
                results.set(i, loadFile(files[i], defaults: defaults, options: options))
            }
        }
        return results.take()
    }

    /// The spec files under `folder`, sorted, skipping hidden files and folders. A folder that cannot be
    /// listed (out of file descriptors, an I/O error, no permission) is an error, never an empty folder:
    /// reading it as empty would delete every job.
    static func specFiles(in folder: String) throws(FolderReadError) -> [String] {
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        var files: [String] = []
        try walk(prefix, relative: "", into: &files)
        return files.sorted()
    }

    private static func walk(_ root: String, relative: String, into files: inout [String]) throws(FolderReadError) {
        let path = relative.isEmpty ? String(root.dropLast()) : root + relative
        guard let directory = opendir(path) else { throw FolderReadError(path: path, code: errno) }
        var folders: [String] = []
        let failure = list(directory, path: path, root: root, relative: relative, files: &files, folders: &folders)
        // Closed before descending, so a deep tree holds one descriptor at a time.
        closedir(directory)
        if let failure { throw failure }
        for child in folders { try walk(root, relative: child, into: &files) }
    }

    /// Adds the spec files of one open folder to `files` and its sub-folders to `folders`.
    private static func list(_ directory: OpaquePointer, path: String, root: String, relative: String,
                             files: inout [String], folders: inout [String]) -> FolderReadError? {
        while true {
            errno = 0
            guard let entry = readdir(directory) else {
                return errno == 0 ? nil : FolderReadError(path: path, code: errno)
            }
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name.hasPrefix(".") { continue }
            let child = relative.isEmpty ? name : relative + "/" + name
            var kind = entry.pointee.d_type
            if kind == UInt8(DT_UNKNOWN) {
                var info = stat()
                guard lstat(root + child, &info) == 0 else { return FolderReadError(path: root + child, code: errno) }
                kind = (info.st_mode & S_IFMT) == S_IFDIR ? UInt8(DT_DIR) : UInt8(DT_REG)
            }
            if kind == UInt8(DT_DIR) {
                folders.append(child)
            } else if name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
                files.append(root + child)
            }
        }
    }
}

/// A spec folder that could not be listed.
struct FolderReadError: Error {
    var path: String
    var code: Int32
    var message: String { "cannot read the folder: \(String(cString: strerror(code))); nothing is applied until it can be read" }
}

/// A spec file held in memory, read only when needed.
public struct SpecSource: Sendable {
    /// The path shown in messages, e.g. `jobs/etl.yaml`.
    public var path: String
    /// Identifies the content (a git blob id); nil when unknown, which disables caching.
    public var key: String?
    /// The file's bytes, or nil when it cannot be read.
    public var read: @Sendable () -> [UInt8]?

    public init(path: String, key: String?, read: @escaping @Sendable () -> [UInt8]?) {
        self.path = path
        self.key = key
        self.read = read
    }
}

/// Parsed spec files by content, so that an unchanged file is not parsed again.
public final class SpecFileCache: Sendable {
    private struct Table {
        var entries: [String: (jobs: [JobDefinition], diagnostics: [Diagnostic])] = [:]
        /// The key each file's entry is under: a file's new content replaces its old entry.
        var keyOfPath: [String: String] = [:]
    }
    private let table = Mutex(Table())

    public init() {}

    /// True when a file with this key is cached.
    public func contains(_ key: String) -> Bool { table.withLock { $0.entries[key] != nil } }

    func result(for key: String) -> (jobs: [JobDefinition], diagnostics: [Diagnostic])? {
        table.withLock { $0.entries[key] }
    }

    func store(_ result: (jobs: [JobDefinition], diagnostics: [Diagnostic]), for key: String, path: String) {
        table.withLock { table in
            if let old = table.keyOfPath.updateValue(key, forKey: path), old != key { table.entries[old] = nil }
            table.entries[key] = result
        }
    }

    /// How many files have an entry.
    public var count: Int { table.withLock { $0.keyOfPath.count } }

    /// Drops the entries of files not in `paths` (the files of the last load), so the cache does not grow.
    public func retain(paths: Set<String>) {
        table.withLock { table in
            for (path, key) in table.keyOfPath where !paths.contains(path) {
                table.keyOfPath[path] = nil
                table.entries[key] = nil
            }
        }
    }
}

/// Fixed slots written by parallel workers, each slot by exactly one of them.
private final class ResultSlots<T>: @unchecked Sendable {
    // @unchecked: `concurrentPerform` gives each index to one worker, so no slot is written twice,
    // and `values` is read only after every worker has returned.
    private let slots: UnsafeMutableBufferPointer<T?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    func set(_ index: Int, _ value: T) { slots[index] = value }

    /// Every slot's value, moved out (the slots are left empty).
    func take() -> [T] { (0..<slots.count).map { slots[$0].take()! } }
}
