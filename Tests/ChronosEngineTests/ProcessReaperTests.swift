import Foundation
import Testing
@testable import ChronosEngine

@Suite(.timeLimit(.minutes(1))) struct ProcessReaperTests {
    @Test func everyChildRunningAtOnceIsReapedWithItsOwnStatus() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let ended = Watched<[pid_t: Int32]>([:])
        var expected: [pid_t: Int32] = [:]
        for code in 0..<100 {
            // The last one ends by a signal: 128 + SIGKILL.
            let script = code == 99 ? "kill -9 $$" : "sleep 0.2; exit \(code)"
            let request = ProcessSpawner.Request(argv: ["/bin/sh", "-c", script], environment: ["PATH": "/usr/bin:/bin"],
                                                 directory: folder, stdout: "/dev/null", stderr: "/dev/null")
            let pid = try ProcessSpawner.spawn(request)
            expected[pid] = code == 99 ? 128 + SIGKILL : Int32(code)
            ProcessReaper.shared.watch(pid) { status in ended.update { $0[pid] = status } }
        }
        let statuses = await ended.wait { $0.count == 100 }
        #expect(statuses == expected)
        let reapers = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").filter { task in
            (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8))?.hasPrefix("chronos-reaper") == true
        }
        #expect(reapers.count == 1, "one reaper thread for all of them")
    }
}
