import ChronosAPI
import ChronosEngine
import Foundation
import JobSpec
import ServiceLifecycle
import Synchronization

/// The scheduling delay of a frequent job and the latency of `/ping`, first with the server idle (the
/// baseline), then during a burst of the largest job bodies the API accepts, posted back to back by
/// `clients` clients for `seconds`.
func apiBurst(seconds: Int, clients: Int) async throws {
    let folder = try benchFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let store = try SQLiteStateStore(path: folder + "/state.sqlite")
    let launcher = RecordingLauncher()
    let scheduler = Scheduler(store: store, launcher: launcher, logger: quietLogger())
    var tick = Job(name: "tick")
    tick.command = "true"
    tick.schedule = "R//PT0.2S"
    try await scheduler.apply([try AppliedJob(job: tick, source: .spec(location: "bench"), appliedAt: Instant.now.millis)])
    var configuration = APIServer.Configuration()
    configuration.port = 0
    let api = APIServer(scheduler: scheduler, store: store, configuration: configuration, logger: quietLogger())
    let port = Counted()
    let application = api.application { bound in port.set(bound) }
    // A valid job of just under 1 MiB: 40,000 arguments.
    let body = Data(("name: big\ncommand: \"true\"\nschedule: R/2030-01-01T00:00:00Z/P1D\narguments:\n"
        + String(repeating: "  - argument-of-twenty\n", count: 40_000)).utf8)
    let group = ServiceGroup(services: [scheduler, application], gracefulShutdownSignals: [], logger: quietLogger())
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        while port.value == 0 { try await Task.sleep(for: .milliseconds(20)) }
        let base = "http://127.0.0.1:\(port.value)"
        try await Task.sleep(for: .seconds(1))

        func measure(_ label: String, burst: Bool) async throws {
            let from = WallClock().now()
            let posted = Counted()
            try await withThrowingTaskGroup(of: Void.self) { load in
                if burst {
                    for _ in 0..<clients {
                        load.addTask {
                            while WallClock().now() - from < Int64(seconds) * 1000 {
                                let answer = try await HTTPClient.send(HTTPRequest(.post, base + "/v1/scheduler/iso8601", body: body, contentType: "application/yaml"))
                                guard answer.status == 204 else { throw BenchFailure("a burst POST answered \(answer.status)") }
                                posted.add()
                            }
                        }
                    }
                }
                var pings: [Double] = []
                while WallClock().now() - from < Int64(seconds) * 1000 {
                    let sent = ContinuousClock.now
                    _ = try await HTTPClient.send(HTTPRequest(.get, base + "/ping"))
                    pings.append(Double((ContinuousClock.now - sent) / .microseconds(1)) / 1000)
                    try await Task.sleep(for: .milliseconds(50))
                }
                try await load.waitForAll()
                let delays = launcher.launched.filter { $0.due >= from }.map { Double($0.at - $0.due) }
                print(String(format: "api-burst %@ posts %d (%.1f MB/s) tick-delay p50 %.1f ms p99 %.1f ms max %.1f ms (%d runs) ping p50 %.1f ms p99 %.1f ms",
                             label, posted.value, Double(posted.value * body.count) / 1e6 / Double(seconds),
                             percentile(delays, 0.5), percentile(delays, 0.99), delays.max() ?? 0, delays.count,
                             percentile(pings, 0.5), percentile(pings, 0.99)))
            }
        }
        try await measure("idle ", burst: false)
        try await measure("burst", burst: true)
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}

/// A number shared between tasks: the burst's count of posts, the port the server bound.
final class Counted: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    func set(_ value: Int) { count.withLock { $0 = value } }
    var value: Int { count.withLock { $0 } }
}

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}
