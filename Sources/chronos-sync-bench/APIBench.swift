import ChronosAPI
import ChronosEngine
import Foundation
import Hummingbird
import JobSpec
import Logging
import ServiceLifecycle

/// Serves the API with `count` jobs loaded, and beside it a bare Hummingbird server with two routes that
/// do nothing (`GET /bare` and `POST /bare`), for wrk to measure both in the same run. Prints
/// `api-port N` and `bare-port N`, then serves until stdin closes.
func apiServe(jobs count: Int) async throws {
    let folder = try benchFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let store = try SQLiteStateStore(path: folder + "/state.sqlite")
    let scheduler = Scheduler(store: store, launcher: RecordingLauncher(), logger: quietLogger())
    let now = Instant.now.millis
    try await scheduler.apply((0..<count).map { i throws in
        var job = Job(name: "job-\(i)")
        job.command = "echo \(i)"
        job.schedule = "R/2030-01-01T00:00:00Z/P1D"
        if i % 3 == 0 { job.parents = nil }
        return try AppliedJob(job: job, source: .spec(location: "bench"), appliedAt: now)
    })
    var configuration = APIServer.Configuration()
    configuration.port = 0
    let api = APIServer(scheduler: scheduler, store: store, configuration: configuration, logger: quietLogger())
    let bareRouter = Router()
    bareRouter.get("bare") { _, _ in "ok" }
    bareRouter.post("bare") { request, _ -> Response in
        var request = request
        _ = try await request.collectBody(upTo: 1 << 20)
        return Response(status: .noContent)
    }
    let bare = Application(router: bareRouter, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                           onServerRunning: { announce("bare-port \($0.localAddress?.port ?? 0)") }, logger: quietLogger())
    let application = api.application { port in announce("api-port \(port)") }
    let group = ServiceGroup(services: [scheduler, application, bare], gracefulShutdownSignals: [.sigterm], logger: quietLogger())
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        tasks.addTask {
            // Serve until stdin closes.
            while readLine() != nil {}
            await group.triggerGracefulShutdown()
        }
        try await tasks.waitForAll()
    }
}

/// Prints a line at once (stdout is a pipe to the bench script).
func announce(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
