import Foundation
import Synchronization
import Testing
import JobSpec
@testable import ChronosEngine

/// Collects a run's end, reported from the launcher's waiter thread.
final class ExitBox: Sendable {
    private let value = Mutex<RunOutcome?>(nil)
    func set(_ outcome: RunOutcome) { value.withLock { $0 = outcome } }

    /// Waits (at most `seconds`) for the outcome.
    func wait(seconds: Double = 10) async throws -> RunOutcome? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let outcome = value.withLock({ $0 }) { return outcome }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }
}

func launch(_ job: Job, data: String, attempt: Int = 0, arguments: [String] = [], launcher: LocalLauncher? = nil) async throws -> (LaunchInfo, ExitBox, LocalLauncher) {
    let launcher = launcher ?? LocalLauncher(dataDirectory: data, host: "test-host")
    var run = RunRecord(taskID: TaskID(due: t0, attempt: attempt, job: job.name), state: .running, trigger: .manual, readyAt: t0, queuedAt: t0)
    run.arguments = arguments
    let box = ExitBox()
    let started = Mutex<LaunchInfo?>(nil)
    try await launcher.launch(run, job: job, onStart: { info in started.withLock { $0 = info } }, onExit: { _, outcome in box.set(outcome) })
    return (started.withLock { $0! }, box, launcher)
}

@Suite struct LocalLauncherTests {
    @Test func aShellRunGetsItsSandboxOutputFilesAndChronosVariables() async throws {
        let data = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        var job = Job(name: "env-check")
        job.command = "echo \"$CHRONOS_JOB_NAME $MESOS_TASK_ID $CHRONOS_JOB_RUN_ATTEMPT $CHRONOS_RESOURCE_MEM $HOST $MINE\"; pwd; echo oops >&2; exit 7"
        job.owner = "me@example.com"
        job.environmentVariables = [EnvironmentVariable(name: "MINE", value: "yes")]
        let (info, box, _) = try await launch(job, data: data, attempt: 2)
        #expect(try await box.wait() == .exited(7))
        #expect(info.sandbox == "\(data)/sandboxes/env-check/ct_\(t0)_2_env-check")
        let out = try String(contentsOfFile: info.sandbox + "/stdout", encoding: .utf8)
        #expect(out == "env-check ct:\(t0):2:env-check 2 128 test-host yes\n\(info.sandbox)\n")
        #expect(try String(contentsOfFile: info.sandbox + "/stderr", encoding: .utf8) == "oops\n")
    }

    @Test func withoutShellTheCommandGetsItsArgumentsVerbatim() async throws {
        let data = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        var job = Job(name: "argv")
        job.shell = false
        job.command = "printf"
        job.arguments = ["%s|%s|", "a b", "$HOME"]
        let (info, box, _) = try await launch(job, data: data, arguments: ["extra"])
        #expect(try await box.wait() == .exited(0))
        #expect(try String(contentsOfFile: info.sandbox + "/stdout", encoding: .utf8) == "a b|$HOME|extra||", "printf reuses its format for the third argument")
    }

    @Test func urisAreFetchedAndArchivesExtracted() async throws {
        let data = try temporaryFolder()
        let source = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data); try? FileManager.default.removeItem(atPath: source) }
        try "#!/bin/sh\necho from-script\n".write(toFile: source + "/run.sh", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: source + "/pkg", withIntermediateDirectories: true)
        try "payload\n".write(toFile: source + "/pkg/data.txt", atomically: true, encoding: .utf8)
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "-czf", source + "/bundle.tgz", "-C", source, "pkg"]
        try tar.run()
        tar.waitUntilExit()
        var job = Job(name: "fetcher")
        job.command = "./run.sh && cat pkg/data.txt"
        job.fetch = [FetchURI(uri: "file://\(source)/run.sh"), FetchURI(uri: source + "/bundle.tgz")]
        job.fetch[0].executable = true
        job.fetch[0].extract = false
        let (info, box, _) = try await launch(job, data: data)
        #expect(try await box.wait() == .exited(0))
        #expect(try String(contentsOfFile: info.sandbox + "/stdout", encoding: .utf8) == "from-script\npayload\n")
    }

    @Test func aMissingURIFailsTheLaunchWithTheReason() async throws {
        let data = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        var job = Job(name: "missing")
        job.command = "true"
        job.uris = ["/nonexistent/file.sh"]
        await #expect(throws: LaunchError.self) { _ = try await launch(job, data: data) }
    }

    @Test func killingARunKillsItsWholeProcessGroup() async throws {
        let data = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        var job = Job(name: "sleeper")
        job.command = "sleep 30 & echo $! > child.pid; wait"
        let (info, box, launcher) = try await launch(job, data: data)
        var childPID: Int32?
        for _ in 0..<100 where childPID == nil {
            childPID = (try? String(contentsOfFile: info.sandbox + "/child.pid", encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            try await Task.sleep(for: .milliseconds(20))
        }
        let child = try #require(childPID)
        #expect(await launcher.kill(TaskID(due: t0, attempt: 0, job: "sleeper"), reason: "timed out after 1 s"))
        #expect(try await box.wait() == .killed("timed out after 1 s"))
        try await Task.sleep(for: .milliseconds(100))
        // Gone, or a zombie waiting for its new parent to reap it: either way no longer running.
        let stat = (try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8)) ?? ""
        let state = stat.split(separator: ")").last?.split(separator: " ").first.map(String.init) ?? "gone"
        #expect(state == "gone" || state == "Z", "the background child died with its group (state \(state))")
    }

    @Test func aContainerJobFailsClearlyWithoutARuntime() async throws {
        let data = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        var job = Job(name: "docker")
        job.command = "true"
        var container = Container()
        container.image = "busybox"
        job.container = container
        do {
            _ = try await launch(job, data: data)
            Issue.record("expected a launch error")
        } catch let error as LaunchError {
            #expect(error.message.contains("no container runtime"))
        }
    }
}
