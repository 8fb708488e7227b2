import Logging
import ServiceLifecycle

/// Carries out the requests the command line leaves in the state file, and keeps a heartbeat there so
/// the command line can tell that a server is running.
public struct ControlService: Service {
    public static let heartbeatKey = "server.heartbeat"

    let store: SQLiteStateStore
    let scheduler: Scheduler
    let clock: any SchedulerClock
    let logger: Logger
    let interval: Duration
    /// Applies a saved plan; set when the server syncs git.
    let applyPlan: (@Sendable (String) async throws -> String)?

    public init(store: SQLiteStateStore, scheduler: Scheduler, clock: any SchedulerClock = WallClock(),
                logger: Logger = Logger(label: "chronos-sync.control"), interval: Duration = .milliseconds(200),
                applyPlan: (@Sendable (String) async throws -> String)? = nil) {
        self.applyPlan = applyPlan
        self.store = store
        self.scheduler = scheduler
        self.clock = clock
        self.logger = logger
        self.interval = interval
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown { try await self.loop() }
        try? await store.setValue(nil, for: Self.heartbeatKey)
    }

    private func loop() async throws {
        // Requests name jobs: answer them only once the stored jobs are back.
        try await scheduler.restore()
        var lastBeat: Int64 = 0
        while !Task.isCancelled {
            let now = clock.now()
            if now - lastBeat >= 2000 {
                try? await store.setValue(String(now), for: Self.heartbeatKey)
                lastBeat = now
            }
            for request in (try? await store.pendingRequests()) ?? [] {
                await handle(request)
            }
            try await Task.sleep(for: interval)
        }
    }

    func handle(_ request: ControlRequest) async {
        // Taken before it is carried out: after a crash in between it is not carried out twice.
        guard (try? await store.take(request.id, now: clock.now())) == true else { return }
        var result = ""
        var failure = ""
        do {
            switch request.action {
            case .run: result = try await scheduler.runNow(request.job, arguments: request.arguments).description
            case .kill: try await scheduler.kill(request.job)
            case .markSuccess: try await scheduler.markSuccess(request.job)
            case .disable: try await scheduler.setDisabled(request.job, true)
            case .enable: try await scheduler.setDisabled(request.job, false)
            case .applyPlan:
                guard let applyPlan else { throw JobRejection("this server runs a plain folder of specs, not a git repository") }
                result = try await applyPlan(request.arguments.first ?? "")
            }
        } catch {
            failure = "\(error)"
        }
        logger.info("request \(request.action.rawValue) \(request.job): \(failure.isEmpty ? "done \(result)" : failure)")
        try? await store.complete(request.id, result: result, error: failure, now: clock.now())
    }
}
