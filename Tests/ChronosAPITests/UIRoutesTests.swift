import Foundation
import Hummingbird
import HummingbirdTesting
import JobSpec
import Testing
@testable import ChronosAPI
@testable import ChronosEngine

/// The routes the web UI reads and calls, in process.
@Suite struct UIRoutesTests {
    /// A finished or running run of job `a`, stored.
    func run(_ test: TestServer, due: Int64, _ state: RunState, sandbox: String = "") async throws -> RunRecord {
        var run = RunRecord(taskID: TaskID(due: due, attempt: 0, job: "a"), state: state, trigger: .schedule, readyAt: due, queuedAt: due)
        run.startedAt = due
        run.endedAt = state.isFinal ? due + 10 : nil
        run.sandbox = sandbox
        var batch = StoreBatch()
        batch.runs = [run]
        try await test.store.write(batch)
        return run
    }

    @Test func thePageAndItsFilesComeFromTheBinary() async throws {
        let test = try await TestServer()
        defer { test.remove() }
        try await test.server.application().test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
                #expect(String(buffer: response.body).contains("<script src=\"ui/core.js\" defer></script>"))
            }
            try await client.execute(uri: "/ui/jobs.js", method: .get) { response in
                #expect(response.headers[.contentType] == "text/javascript; charset=utf-8")
                #expect(String(buffer: response.body).contains("CS.views.jobs"))
            }
            try await client.execute(uri: "/ui/../Package.swift", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/ui/nothing.js", method: .get) { #expect($0.status == .notFound) }
        }
    }

    @Test func theListCarriesEachJobsSourceTriggerNextRunAndLatestRunsOldestFirst() async throws {
        let test = try await TestServer()
        defer { test.remove() }
        _ = try await run(test, due: 1_000, .succeeded)
        _ = try await run(test, due: 2_000, .failed)
        _ = try await run(test, due: 3_000, .killed)
        try await test.server.application().test(.router) { client in
            try await client.execute(uri: "/v1/jobs?runs=2", method: .get) { response in
                let jobs = try #require(json(response.body)["jobs"] as? [[String: Any]])
                #expect(jobs.count == 1)
                #expect(jobs[0]["name"] as? String == "a")
                #expect(jobs[0]["source"] as? String == "jobs/a.yaml:1:1")
                #expect(jobs[0]["trigger"] as? String == "R/2026-01-01T00:00:00Z/PT1H")
                #expect(jobs[0]["runs"] as? String == "fk", "the latest two, oldest first")
                let next = try #require((jobs[0]["next"] as? NSNumber)?.int64Value)
                #expect(next % 3_600_000 == 0, "on the hour, as the schedule says")
            }
            try await client.execute(uri: "/v1/jobs?runs=x", method: .get) { #expect($0.status == .badRequest) }
        }
    }

    @Test func aPollingPageGetsNoBodyUntilTheJobsOrTheirRunsChange() async throws {
        let test = try await TestServer()
        defer { test.remove() }
        _ = try await run(test, due: 1_000, .succeeded)
        try await test.server.application().test(.router) { client in
            var tag = try await client.execute(uri: "/v1/jobs", method: .get) { response in
                #expect(response.status == .ok)
                return try #require(response.headers[.eTag])
            }
            // The first read of a job's runs is read again once its writes have surely landed; after that, 304.
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<3 where statuses.last != .notModified {
                (statuses, tag) = try await client.execute(uri: "/v1/jobs", method: .get, headers: [.ifNoneMatch: tag]) { response in
                    (statuses + [response.status], response.headers[.eTag] ?? tag)
                }
            }
            #expect(statuses.last == .notModified, "\(statuses)")
            _ = try await test.scheduler.runNow("a")
            try await client.execute(uri: "/v1/jobs", method: .get, headers: [.ifNoneMatch: tag]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.eTag] != tag)
                let jobs = json(response.body)["jobs"] as? [[String: Any]]
                #expect(jobs?.first?["running"] as? Int == 1)
                #expect(jobs?.first?["runs"] as? String == "sr", "the run, read once the counters moved")
            }
        }
    }

    @Test func runsReadJustAfterTheCountersMovedAreReadAgainOnceSettled() async throws {
        let test = try await TestServer()
        defer { test.remove() }
        _ = try await run(test, due: 1_000, .succeeded)
        let statuses = await test.scheduler.statuses()
        let settled = RunStripCache(settle: .zero)
        #expect(await settled.strips(for: statuses, store: test.store, limit: 5) == ["a": [.succeeded]])
        #expect(!settled.needsRead(statuses, limit: 5) && settled.generation == 1)
        _ = await settled.strips(for: statuses, store: test.store, limit: 5)
        #expect(settled.generation == 1, "nothing moved: no read")
        #expect(settled.needsRead(statuses, limit: 10), "another length is another read")

        let provisional = RunStripCache(settle: .seconds(3600))
        _ = await provisional.strips(for: statuses, store: test.store, limit: 5)
        #expect(!provisional.needsRead(statuses, limit: 5), "used as read while it settles")
        _ = try await test.scheduler.runNow("a")
        #expect(provisional.needsRead(await test.scheduler.statuses(), limit: 5), "the counters moved")
    }

    @Test func aJobsPageShowsItsSpecAsYAMLAndItsNextRuns() async throws {
        let test = try await TestServer()
        defer { test.remove() }
        try await test.server.application().test(.router) { client in
            try await client.execute(uri: "/v1/jobs/a", method: .get) { response in
                let detail = json(response.body)
                #expect(detail["yaml"] as? String == "name: a\ncommand: \"echo a\"\nschedule: \"R/2026-01-01T00:00:00Z/PT1H\"\n")
                #expect(detail["timeZone"] as? String == "UTC")
                let next = try #require(detail["nextRuns"] as? [NSNumber]).map(\.int64Value)
                #expect(next.count == JobDetail.nextRunCount)
                #expect(zip(next, next.dropFirst()).allSatisfy { $1 - $0 == 3_600_000 })
            }
            try await client.execute(uri: "/v1/jobs/nope", method: .get) { #expect($0.status == .notFound) }
        }
    }

    @Test func validateAnswersValidatesMessagesAtTheirPositionsAndTheSpecToCommit() async throws {
        let test = try await TestServer()
        defer { test.remove() }
        let yaml: HTTPFields = [.contentType: "application/yaml"]
        try await test.server.application().test(.router) { client in
            let bad = "name: b\ncomand: echo b\nparents: [a, nope]\n"
            try await client.execute(uri: "/v1/validate", method: .post, headers: yaml, body: ByteBuffer(string: bad)) { response in
                #expect(response.status == .ok)
                let answer = json(response.body)
                #expect(answer["valid"] as? Bool == false)
                let found = (answer["diagnostics"] as? [[String: Any]] ?? []).map { "\($0["line"]!):\($0["column"]!) \($0["message"]!)" }
                let expected = JobLoader.parse(bad, file: "x").diagnostics.map { "\($0.mark.line):\($0.mark.column) \($0.message)" }
                    + ["3:14 parent \"nope\" of job \"b\" does not exist"]
                #expect(found.sorted() == expected.sorted())
            }
            try await client.execute(uri: "/v1/validate", method: .post, headers: yaml,
                                     body: ByteBuffer(string: "name: a\ncommand: echo A\nschedule: \"R/2026-01-01T00:00:00Z/PT1H\"\n")) { response in
                let answer = json(response.body)
                #expect(answer["valid"] as? Bool == true)
                #expect(answer["yaml"] as? String == "name: a\ncommand: \"echo A\"\nschedule: \"R/2026-01-01T00:00:00Z/PT1H\"\n")
                #expect(answer["liveSource"] as? String == "jobs/a.yaml:1:1", "saving it would change a job that git manages")
            }
            // Nothing was saved, and a cross-site form cannot send a body here.
            #expect(await test.scheduler.status(of: "a")?.job.command == "echo a")
            try await client.execute(uri: "/v1/validate", method: .post, headers: [.contentType: "text/plain"],
                                     body: ByteBuffer(string: "name: x")) { #expect($0.status == .unsupportedMediaType) }
        }
    }

    @Test func followingARunsOutputStreamsWhatItWritesUntilItEnds() async throws {
        let test = try await TestServer()
        defer { test.remove() }
        let sandbox = test.folder + "/sandbox"
        try FileManager.default.createDirectory(atPath: sandbox, withIntermediateDirectories: true)
        try Data("one\n".utf8).write(to: URL(fileURLWithPath: sandbox + "/stdout"))
        let running = try await run(test, due: 5_000, .running, sandbox: sandbox)
        let id = running.taskID.description
        let store = test.store
        try await test.server.application().test(.router) { client in
            // The run writes a second line and ends while the request is streaming.
            let writer = Task {
                try await Task.sleep(for: .milliseconds(500))
                guard let handle = FileHandle(forWritingAtPath: sandbox + "/stdout") else { return }
                try handle.seekToEnd()
                try handle.write(contentsOf: Data("two\n".utf8))
                try handle.close()
                try await Task.sleep(for: .milliseconds(500))
                var ended = running
                ended.state = .succeeded
                ended.endedAt = 6_000
                var batch = StoreBatch()
                batch.runs = [ended]
                try await store.write(batch)
            }
            try await client.execute(uri: "/v1/jobs/a/runs/\(id)/stdout?follow=true", method: .get) { response in
                #expect(response.headers[.init("X-Run-State")!] == "running")
                #expect(String(buffer: response.body) == "one\ntwo\n")
            }
            try await writer.value
            try await client.execute(uri: "/v1/jobs/a/runs/\(id)/stdout?follow=true&offset=4", method: .get) { response in
                #expect(response.headers[.init("X-Run-State")!] == "succeeded")
                #expect(String(buffer: response.body) == "two\n", "from the offset on, and at once for a run that has ended")
            }
        }
    }
}
