import Foundation

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
            files = specFiles(in: path)
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
        for result in results {
            repository.jobs += result.jobs
            diagnostics += result.diagnostics
        }
        DependencyGraph.check(repository.jobs) { diagnostics.append($0) }
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
        return results.values
    }

    static func read(_ file: String, limits: YAMLLimits, _ reader: SpecReader) -> [UInt8]? {
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        if size > limits.maxFileBytes {
            reader.error("the file is \(size) bytes, over the limit of \(limits.maxFileBytes)", at: Mark(line: 1, column: 1))
            return nil
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            reader.error("cannot read the file", at: Mark(line: 1, column: 1))
            return nil
        }
        return [UInt8](data)
    }

    /// The spec files under `folder`, sorted, skipping hidden files and folders.
    static func specFiles(in folder: String) -> [String] {
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return [] }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            if name.hasPrefix(".") {
                enumerator.skipDescendants()
                continue
            }
            if name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
                files.append(prefix + relative)
            }
        }
        return files.sorted()
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

    var values: [T] { slots.map { $0! } }
}
