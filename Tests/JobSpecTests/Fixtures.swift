import Foundation
@testable import JobSpec

/// A temporary folder of spec files, made by a test and removed when it ends.
final class SpecFolder {
    let path: String

    init(_ files: [String: String]) throws {
        path = NSTemporaryDirectory() + "specs-" + UUID().uuidString
        for (name, text) in files {
            let file = path + "/" + name
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: file, atomically: true, encoding: .utf8)
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Loads the folder at a fixed "now" (2026-06-01T00:00:00Z).
    func load() -> JobRepository {
        var options = LoadOptions()
        options.now = Instant(millis: 1_780_272_000_000)
        return JobLoader.load(path, options: options)
    }

    /// The diagnostics with the folder's path removed: `a.yaml:2:1: message`.
    func diagnostics() -> [String] {
        load().diagnostics.map { $0.description.replacingOccurrences(of: path + "/", with: "") }
    }
}

/// Loads a single YAML text as one file and returns its diagnostics as `a.yaml:line:col: message`.
func diagnostics(of text: String) throws -> [String] {
    try SpecFolder(["a.yaml": text]).diagnostics()
}
