import Foundation
import Hummingbird
import HummingbirdTesting
import JobSpec
import Testing
@testable import ChronosAPI
@testable import ChronosEngine

/// A launcher that starts nothing: these tests look at what the API stores and answers.
struct IdleLauncher: Launcher {
    func launch(_ run: RunRecord, job: Job, onStart: @escaping @Sendable (LaunchInfo) -> Void,
                onExit: @escaping @Sendable (TaskID, RunOutcome) -> Void) async throws {}
    func kill(_ id: TaskID, reason: String) async -> Bool { false }
    func killOrphan(_ run: RunRecord) async {}
}

/// A server on a fresh SQLite store in a temporary folder, with one hourly job `a`.
struct TestServer {
    let folder: String
    let store: SQLiteStateStore
    let scheduler: Scheduler
    let server: APIServer

    init(credentials: String? = nil) async throws {
        folder = NSTemporaryDirectory() + "chronos-api-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        store = try SQLiteStateStore(path: folder + "/state.sqlite")
        scheduler = Scheduler(store: store, launcher: IdleLauncher())
        var job = Job(name: "a")
        job.command = "echo a"
        job.schedule = "R/2026-01-01T00:00:00Z/PT1H"
        try await scheduler.apply([try AppliedJob(job: job, source: .spec(location: "jobs/a.yaml:1:1"), appliedAt: 0)])
        var configuration = APIServer.Configuration()
        configuration.credentials = credentials
        server = APIServer(scheduler: scheduler, store: store, configuration: configuration)
    }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }
}

func json(_ buffer: ByteBuffer) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any]) ?? [:]
}

@Suite struct JobCommandRoutesTests {
    @Test func disableAndEnableAnswerTheJobsNewState() async throws {
        let test = try await TestServer()
        defer { test.remove() }
        try await test.server.application().test(.router) { client in
            try await client.execute(uri: "/v1/jobs/a/disable", method: .post) { response in
                #expect(response.status == .ok)
                #expect(json(response.body)["disabled"] as? Bool == true)
                #expect(json(response.body)["name"] as? String == "a")
            }
            #expect(await test.scheduler.status(of: "a")?.disabled == true)
            try await client.execute(uri: "/v1/jobs/a/enable", method: .post) { response in
                #expect(response.status == .ok)
                #expect(json(response.body)["disabled"] as? Bool == false)
            }
            #expect(await test.scheduler.status(of: "a")?.disabled == false)
        }
    }

    @Test func anUnknownJobIsA404WithAMessage() async throws {
        let test = try await TestServer()
        defer { test.remove() }
        try await test.server.application().test(.router) { client in
            for path in ["/v1/jobs/nope/disable", "/v1/jobs/nope/enable", "/v1/jobs/nope/run"] {
                try await client.execute(uri: path, method: .post) { response in
                    #expect(response.status == .notFound)
                    #expect(json(response.body)["message"] as? String == "no job named \"nope\"")
                }
            }
        }
    }

    @Test func runNowStoresTheRunWithItsArgumentsAndAnswersItsTaskID() async throws {
        let test = try await TestServer()
        defer { test.remove() }
        try await test.server.application().test(.router) { client in
            let body = ByteBuffer(string: #"{"arguments": ["--day", "2026-01-02"]}"#)
            let taskID = try await client.execute(uri: "/v1/jobs/a/run", method: .post, headers: [.contentType: "application/json"], body: body) { response in
                #expect(response.status == .ok)
                return json(response.body)["taskId"] as? String
            }
            let id = try #require(taskID.flatMap(TaskID.init))
            #expect(id.job == "a")
            let run = try #require(try await test.store.run(id))
            #expect(run.trigger == .manual)
            #expect(run.arguments == ["--day", "2026-01-02"])
        }
    }

    @Test func aRunBodyThatIsNotJSONIsRefused() async throws {
        let test = try await TestServer()
        defer { test.remove() }
        try await test.server.application().test(.router) { client in
            // What a cross-site form can send.
            try await client.execute(uri: "/v1/jobs/a/run", method: .post, headers: [.contentType: "text/plain"],
                                     body: ByteBuffer(string: #"{"arguments": ["x"]}"#)) { response in
                #expect(response.status == .unsupportedMediaType)
            }
            try await client.execute(uri: "/v1/jobs/a/run", method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: #"{"arguments": "x"}"#)) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test func basicAuthRefusesThePasswordPaddedWithNULs() async throws {
        let test = try await TestServer(credentials: "ops:secret")
        defer { test.remove() }
        @Sendable func basic(_ credentials: [UInt8]) -> HTTPFields { [.authorization: "Basic " + Data(credentials).base64EncodedString()] }
        let right = Array("ops:secret".utf8)
        try await test.server.application().test(.router) { client in
            try await client.execute(uri: "/v1/scheduler/jobs", method: .get, headers: basic(right)) { #expect($0.status == .ok) }
            for wrong in [right + [UInt8](repeating: 0, count: 256), right + [0], Array("ops:secreT".utf8), [], Array("ops:".utf8)] {
                try await client.execute(uri: "/v1/scheduler/jobs", method: .get, headers: basic(wrong)) { response in
                    #expect(response.status == .unauthorized, "accepted \(wrong.count) bytes")
                }
            }
            try await client.execute(uri: "/v1/jobs/a/disable", method: .post) { #expect($0.status == .unauthorized) }
            #expect(await test.scheduler.status(of: "a")?.disabled == false)
        }
    }
}
