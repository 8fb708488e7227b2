import ArgumentParser
import ChronosEngine
import Foundation
import JobSpec

/// `chronos-sync history JOB`: a job's runs, newest first.
struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a job's runs, newest first.")

    @Argument(help: "The job.")
    var job: String

    @OptionGroup var target: TargetOptions

    @Option(help: "How many runs.")
    var limit: Int = 20

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let runs: [RunRecord]
        if let client = target.client() {
            runs = try await client.runs(of: job, limit: limit)
        } else {
            // No server: the data folder is read directly.
            runs = try await target.data.openStore(create: false).runs(of: job, limit: limit)
        }
        if json {
            try Output.printJSON(runs)
            return
        }
        if runs.isEmpty {
            print("no runs of \(job)")
            return
        }
        // ELEMENTS: what an async data job reported processed through Chronos's progress route.
        print("TASK                                      STATE      TRIGGER     STARTED                   SECONDS  EXIT  ELEMENTS  REASON")
        for run in runs {
            let started = run.startedAt.map { Instant(millis: $0).description } ?? "-"
            let seconds = run.startedAt.flatMap { s in run.endedAt.map { String(format: "%.1f", Double($0 - s) / 1000) } } ?? "-"
            let exit = run.exitStatus.map(String.init) ?? "-"
            let elements = run.elementsProcessed.map(String.init) ?? "-"
            let reason = run.state == .skipped ? "\(run.skippedCount) skipped: \(run.reason)" : run.reason
            print([pad(run.taskID.description, 41), pad(run.state.rawValue, 10), pad(run.trigger.rawValue, 11), pad(started, 25), pad(seconds, 8), pad(exit, 5), pad(elements, 9), reason].joined(separator: " "))
        }
    }

    func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }
}

/// `chronos-sync logs JOB`: the output of a job's latest run (or of one run).
struct Logs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the stdout (or stderr) of a job's latest run, or of --task.")

    @Argument(help: "The job.")
    var job: String

    @Option(help: "A task id (ct:<due>:<attempt>:<job>); default the latest run that started.")
    var task: String?

    @Flag(help: "Print stderr instead of stdout.")
    var stderr = false

    @OptionGroup var target: TargetOptions

    func run() async throws {
        let stream = stderr ? "stderr" : "stdout"
        if let client = target.client() {
            let id: String
            if let task {
                id = task
            } else {
                guard let latest = try await client.runs(of: job, limit: 50).first(where: { $0.startedAt != nil }) else {
                    throw CommandError("no run of \(job) has started yet")
                }
                id = latest.taskID.description
            }
            FileHandle.standardOutput.write(try await client.output(of: job, task: id, stream: stream))
            return
        }
        // No server: the data folder is read directly.
        let store = try target.data.openStore(create: false)
        let record: RunRecord?
        if let task {
            guard let id = TaskID(task) else { throw CommandError("\(task) is not a task id (ct:<due>:<attempt>:<job>)") }
            record = try await store.run(id)
        } else {
            record = try await store.runs(of: job, limit: 50).first { !$0.sandbox.isEmpty }
        }
        guard let record, !record.sandbox.isEmpty else { throw CommandError("no run of \(job) with output in \(target.data.directory)") }
        guard let contents = await RunOutput.read(sandbox: record.sandbox, stream) else { throw CommandError("cannot read \(stream) of \(record.taskID) in \(record.sandbox)") }
        FileHandle.standardOutput.write(contents)
    }
}

/// `chronos-sync run JOB`: run a job now.
struct RunJob: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run a job now on the server of --data; prints the run's task id.")

    @Argument(help: "The job.")
    var job: String

    @Option(name: .customLong("arg"), parsing: .unconditionalSingleValue, help: "An extra argument for this run (repeatable; it may start with a dash).")
    var arguments: [String] = []

    @OptionGroup var target: TargetOptions

    func run() async throws {
        print(try await target.requireClient().runNow(job, arguments: arguments))
    }
}

/// `chronos-sync kill JOB`: kill a job's running runs.
struct KillJob: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kill", abstract: "Kill a job's running runs and drop its queued ones.")

    @Argument(help: "The job.")
    var job: String

    @OptionGroup var target: TargetOptions

    func run() async throws {
        try await target.requireClient().kill(job)
        print("killed the runs of \(job)")
    }
}

/// A command that asks a running server to do one thing to one job, and says it did.
protocol JobRequestCommand: AsyncParsableCommand {
    var job: String { get }
    var target: TargetOptions { get }
    func perform(on server: ServerClient) async throws
    func done() -> String
}

extension JobRequestCommand {
    func run() async throws {
        try await perform(on: target.requireClient())
        print(done())
    }
}

/// `chronos-sync mark-success JOB`: count a success by hand, so that the job's children can run.
struct MarkSuccess: JobRequestCommand {
    static let configuration = CommandConfiguration(commandName: "mark-success", abstract: "Mark a job successful by hand; its children advance as if it had run.")
    @Argument(help: "The job.")
    var job: String

    @OptionGroup var target: TargetOptions

    func perform(on server: ServerClient) async throws { try await server.markSuccess(job) }

    func done() -> String { "marked \(job) as successful" }
}

/// `chronos-sync disable JOB`.
struct DisableJob: JobRequestCommand {
    static let configuration = CommandConfiguration(commandName: "disable", abstract: "Disable a job: it is not scheduled until enabled.")
    @Argument(help: "The job.")
    var job: String

    @OptionGroup var target: TargetOptions

    func perform(on server: ServerClient) async throws { try await server.setDisabled(job, true) }

    func done() -> String { "disabled \(job)" }
}

/// `chronos-sync enable JOB`.
struct EnableJob: JobRequestCommand {
    static let configuration = CommandConfiguration(commandName: "enable", abstract: "Enable a job again; it owes no runs from while it was disabled.")
    @Argument(help: "The job.")
    var job: String

    @OptionGroup var target: TargetOptions

    func perform(on server: ServerClient) async throws { try await server.setDisabled(job, false) }

    func done() -> String { "enabled \(job)" }
}
