import ArgumentParser
import ChronosAPI
import ChronosEngine
import Foundation
import JobSpec

/// `chronos-sync import --from URL --out DIR`: write a running Chronos server's jobs as YAML specs.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the jobs of a running Chronos (or chronos-sync) server out as YAML job specs, one file per job.",
        discussion: """
            Reads GET <URL>/v1/scheduler/jobs (or Chronos 2.x's /scheduler/jobs), drops the server-managed \
            counters, and writes <DIR>/<name>.yaml for each job, then validates the folder. Files that exist are \
            left alone unless --force.

            A Chronos server shows every job's cpus, mem, disk and runAsUser, filled from its flags where the \
            job set none. Values equal to the server's defaults (Chronos's own unless you pass the server's \
            --mesos_task_cpu, --mesos_task_mem, --mesos_task_disk and --user) are left out of the specs, so the \
            jobs keep following the defaults of the server that runs them.

            Example:
              chronos-sync import --from http://chronos.example.com:4400 --out jobs/
            """
    )

    @Option(help: "The server's base URL, e.g. http://127.0.0.1:4400.")
    var from: String

    @Option(help: "The folder to write the specs to.")
    var out: String

    @Option(name: [.customLong("http-credentials"), .customLong("http_credentials")], help: "user:password for the server's basic auth.")
    var httpCredentials: String?

    /// The server's defaults: values equal to them are left out of the specs.
    @OptionGroup(title: "The server's defaults (values equal to them are left out)") var taskResources: TaskResourceOptions

    @Option(help: "The server's --user: a runAsUser equal to it is left out.")
    var user = "root"

    @Flag(help: "Overwrite spec files that exist.")
    var force = false

    func run() async throws {
        let base = from.hasSuffix("/") ? String(from.dropLast()) : from
        // Chronos 3 answers under /v1/scheduler, Chronos 2 under /scheduler.
        var body = Data()
        for prefix in ["/v1/scheduler", "/scheduler"] {
            let response: HTTPResponse
            do {
                response = try await HTTPClient.send(HTTPRequest(.get, base + prefix + "/jobs", credentials: httpCredentials))
            } catch let error as HTTPClientError {
                throw CommandError("cannot reach \(error.url): \(error.message)")
            }
            if response.status == 401 { throw CommandError("\(Scrub.secrets(in: base)) wants credentials: pass --http-credentials user:password") }
            if response.status == 200 {
                body = response.body
                break
            }
        }
        guard let items = try? JSONSerialization.jsonObject(with: body) as? [Any] else {
            throw CommandError("\(base) did not answer a JSON list of jobs")
        }
        // Every job is loaded and checked before anything is written: a bad answer writes nothing.
        var jobs: [Job] = []
        var problems: [String] = []
        for (index, item) in items.enumerated() {
            let json = String(decoding: try JSONSerialization.data(withJSONObject: item), as: UTF8.self)
            // Read as Chronos reads its own jobs: what it returns (uris beside fetch, …) loads.
            let parsed = JobLoader.parseChronos(json, file: "job \(index + 1) of the server's answer")
            guard let job = parsed.jobs.first?.job, parsed.diagnostics.allSatisfy({ $0.severity != .error }) else {
                problems.append("job \(index + 1) of the server's answer does not load: \(parsed.diagnostics.map(\.description).joined(separator: "; "))")
                continue
            }
            // The name becomes a file name: the one name rule keeps it inside --out.
            if let problem = JobName.problem(job.name) {
                problems.append("job \(index + 1) of the server's answer: \(problem); nothing written")
                continue
            }
            jobs.append(ChronosJobDefaults(cpus: taskResources.cpus, mem: taskResources.mem, disk: taskResources.disk, user: user).unfilled(job))
        }
        if !problems.isEmpty {
            problems.forEach { Output.stderr($0) }
            throw CommandError("\(problems.count) of \(items.count) jobs cannot be written as specs; nothing was written to \(out)")
        }
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        } catch {
            throw CommandError("cannot create \(out): \((error as NSError).localizedDescription)")
        }
        var written = 0
        for job in jobs {
            let path = (out as NSString).appendingPathComponent(job.name + ".yaml")
            if FileManager.default.fileExists(atPath: path) && !force {
                problems.append("\(path) exists; left alone (use --force to overwrite)")
                continue
            }
            do {
                try job.yaml().write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                throw CommandError("cannot write \(path): \((error as NSError).localizedDescription)")
            }
            written += 1
        }
        problems.forEach { Output.stderr($0) }
        let repository = JobLoader.load(out)
        repository.diagnostics.forEach { Output.stderr($0.description) }
        print("wrote \(written) of \(items.count) jobs to \(out); \(repository.isValid ? "the folder validates" : "the folder has errors")")
        if !repository.isValid || !problems.isEmpty { throw ExitCode(1) }
    }
}
