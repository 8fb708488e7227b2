import Foundation
import Testing
@testable import ChronosEngine

@Suite(.timeLimit(.minutes(1))) struct ProcessReaperTests {
    @Test func everyChildRunningAtOnceIsReapedWithItsOwnStatus() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let ended = Watched<[pid_t: Int32]>([:])
        let fallbacksBefore = ProcessReaper.shared.fallbackThreads
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
        // One reaper thread waited for all of them: none needed a thread of its own.
        #expect(ProcessReaper.shared.usesEpoll)
        #expect(ProcessReaper.shared.fallbackThreads == fallbacksBefore)
    }
}
