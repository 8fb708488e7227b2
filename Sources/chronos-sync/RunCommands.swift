import ArgumentParser
import ChronosEngine
import Foundation
import JobSpec

/// `chronos-sync history JOB`: a job's runs, newest first.
struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a job's runs, newest first.")

    @Argument(help: "The job.")
    var job: String

    @OptionGroup var data: DataOptions

    @Option(help: "How many runs.")
    var limit: Int = 20

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let store = try data.openStore(create: false)
        let runs = try await store.runs(of: job, limit: limit)
        if json {
            try Output.printJSON(runs)
            return
        }
        if runs.isEmpty {
            print("no runs of \(job) in \(data.directory)")
            return
        }
        print("TASK                                      STATE      TRIGGER     STARTED                   SECONDS  EXIT  REASON")
        for run in runs {
            let started = run.startedAt.map { Instant(millis: $0).description } ?? "-"
            let seconds = run.startedAt.flatMap { s in run.endedAt.map { String(format: "%.1f", Double($0 - s) / 1000) } } ?? "-"
            let exit = run.exitStatus.map(String.init) ?? "-"
            let reason = run.state == .skipped ? "\(run.skippedCount) skipped: \(run.reason)" : run.reason
            print([pad(run.taskID.description, 41), pad(run.state.rawValue, 10), pad(run.trigger.rawValue, 11), pad(started, 25), pad(seconds, 8), pad(exit, 5), reason].joined(separator: " "))
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

    @OptionGroup var data: DataOptions

    func run() async throws {
        let store = try data.openStore(create: false)
        let record: RunRecord?
        if let task {
            guard let id = TaskID(task) else { throw CommandError("\(task) is not a task id (ct:<due>:<attempt>:<job>)") }
            record = try await store.run(id)
        } else {
            record = try await store.runs(of: job, limit: 50).first { !$0.sandbox.isEmpty }
        }
        guard let record, !record.sandbox.isEmpty else { throw CommandError("no run of \(job) with output in \(data.directory)") }
        let path = record.sandbox + (stderr ? "/stderr" : "/stdout")
        guard let contents = FileManager.default.contents(atPath: path) else { throw CommandError("cannot read \(path)") }
        FileHandle.standardOutput.write(contents)
    }
}

/// Sends a request to the server running on the data folder and waits for its answer.
struct ServerRequest {
    let data: DataOptions

    func send(_ action: ControlRequest.Action, job: String, arguments: [String] = []) async throws -> String {
        let store = try data.openStore(create: false)
        let now = Instant.now.millis
        guard let beat = try await store.value(for: ControlService.heartbeatKey).flatMap(Int64.init), now - beat < 10_000 else {
            throw CommandError("no chronos-sync server is running on \(data.directory) (start it with: chronos-sync serve --data \(data.directory))")
        }
        let id = try await store.submit(action, job: job, arguments: arguments, now: now)
        for _ in 0..<100 {
            if let request = try await store.request(id), request.doneAt != nil, request.error != "interrupted" {
                if !request.error.isEmpty { throw CommandError(request.error) }
                return request.result
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        if try await store.withdraw(id) {
            throw CommandError("the server did not answer within 10 seconds; the request was withdrawn")
        }
        throw CommandError("the server took the request but did not finish it within 10 seconds")
    }
}

/// `chronos-sync run JOB`: run a job now.
struct RunJob: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run a job now on the server of --data; prints the run's task id.")

    @Argument(help: "The job.")
    var job: String

    @Option(name: .customLong("arg"), help: "An extra argument for this run (repeatable).")
    var arguments: [String] = []

    @OptionGroup var data: DataOptions

    func run() async throws {
        print(try await ServerRequest(data: data).send(.run, job: job, arguments: arguments))
    }
}

/// `chronos-sync kill JOB`: kill a job's running runs.
struct KillJob: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kill", abstract: "Kill a job's running runs and drop its queued ones.")

    @Argument(help: "The job.")
    var job: String

    @OptionGroup var data: DataOptions

    func run() async throws {
        _ = try await ServerRequest(data: data).send(.kill, job: job)
        print("killed the runs of \(job)")
    }
}

/// A command that asks the server of a data folder to do one thing to one job, and says it did.
protocol JobRequestCommand: AsyncParsableCommand {
    static var action: ControlRequest.Action { get }
    var job: String { get }
    var data: DataOptions { get }
    func done() -> String
}

extension JobRequestCommand {
    func run() async throws {
        _ = try await ServerRequest(data: data).send(Self.action, job: job)
        print(done())
    }
}

/// `chronos-sync mark-success JOB`: count a success by hand, so that the job's children can run.
struct MarkSuccess: JobRequestCommand {
    static let configuration = CommandConfiguration(commandName: "mark-success", abstract: "Mark a job successful by hand; its children advance as if it had run.")
    static let action = ControlRequest.Action.markSuccess

    @Argument(help: "The job.")
    var job: String

    @OptionGroup var data: DataOptions

    func done() -> String { "marked \(job) as successful" }
}

/// `chronos-sync disable JOB`.
struct DisableJob: JobRequestCommand {
    static let configuration = CommandConfiguration(commandName: "disable", abstract: "Disable a job: it is not scheduled until enabled.")
    static let action = ControlRequest.Action.disable

    @Argument(help: "The job.")
    var job: String

    @OptionGroup var data: DataOptions

    func done() -> String { "disabled \(job)" }
}

/// `chronos-sync enable JOB`.
struct EnableJob: JobRequestCommand {
    static let configuration = CommandConfiguration(commandName: "enable", abstract: "Enable a job again; it owes no runs from while it was disabled.")
    static let action = ControlRequest.Action.enable

    @Argument(help: "The job.")
    var job: String

    @OptionGroup var data: DataOptions

    func done() -> String { "enabled \(job)" }
}
