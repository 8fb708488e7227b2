import Foundation
import JobSpec

/// A run's working folder, `<data>/sandboxes/<job>/<task id>/`, with its `stdout` and `stderr` files
/// and the files its `uris`/`fetch` name.
enum Sandbox {
    /// The folder of `run`; refused for a job name that is not a valid one (and could leave `sandboxes/`).
    static func path(data: String, run: RunRecord) throws(LaunchError) -> String {
        if let problem = JobName.problem(run.job) { throw LaunchError(.sandbox, "no sandbox for this run: \(problem)") }
        return "\(data)/sandboxes/\(run.job)/\(SandboxRetention.folderName(of: run.taskID))"
    }

    /// Fetches every URI of `job` into `folder`, extracting archives when asked to.
    static func fetch(_ job: Job, into folder: String) throws(LaunchError) {
        var entries = job.fetch
        entries += job.uris.map { FetchURI(uri: $0) }
        for entry in entries {
            let name = entry.output_file.isEmpty ? fileName(of: entry.uri) : entry.output_file
            guard !name.isEmpty, !name.contains("/"), name != "..", name != "." else {
                throw LaunchError(.fetch, "cannot tell a file name for \(Scrub.secrets(in: entry.uri)); set output_file")
            }
            let target = folder + "/" + name
            try copy(entry.uri, to: target)
            if entry.executable { chmod(target, 0o755) }
            if entry.extract { try extract(target, into: folder) }
        }
    }

    static func fileName(of uri: String) -> String {
        let path = URLComponents(string: uri)?.path ?? uri
        return (path as NSString).lastPathComponent
    }

    static func copy(_ uri: String, to target: String) throws(LaunchError) {
        if uri.hasPrefix("http://") || uri.hasPrefix("https://") {
            try CurlDownload.fetch(uri, to: target)
            return
        }
        var source = uri
        if uri.hasPrefix("file://") {
            source = URLComponents(string: uri)?.path ?? String(uri.dropFirst(7))
        } else if !uri.hasPrefix("/") {
            throw LaunchError(.fetch, "cannot fetch \(Scrub.secrets(in: uri)): use an absolute path, file://, http:// or https://")
        }
        do {
            try FileManager.default.copyItem(atPath: source, toPath: target)
        } catch {
            throw LaunchError(.fetch, "cannot fetch \(source): \((error as NSError).localizedDescription)")
        }
    }

    /// Unpacks tar (plain, gzip, bzip2, xz) and zip archives; leaves other files as they are.
    static func extract(_ file: String, into folder: String) throws(LaunchError) {
        let lower = file.lowercased()
        let command: [String]
        if [".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz"].contains(where: lower.hasSuffix) {
            command = ["tar", "-xf", file, "-C", folder]
        } else if lower.hasSuffix(".zip") {
            command = ["unzip", "-q", "-o", file, "-d", folder]
        } else {
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw LaunchError(.fetch, "cannot run \(command[0]) to extract \((file as NSString).lastPathComponent): \(error)")
        }
        let detail = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw LaunchError(.fetch, "extracting \((file as NSString).lastPathComponent) failed: \(detail.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }
}
