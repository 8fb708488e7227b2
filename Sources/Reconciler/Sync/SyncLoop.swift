import ChronosEngine
import Logging
import ServiceLifecycle
import Synchronization

/// The sync service: syncs once when it starts, then whenever a trigger arrives on its stream: the
/// interval's timer (with jitter), `POST /v1/sync/trigger`, the webhook. Syncs run one at a time, and
/// requests that arrive during a sync fold into one sync after it (`SyncSchedule` decides). A failed
/// sync is recorded and logged by the controller and the loop goes on; an error that stops the loop
/// (the store cannot record a status) is logged and thrown, which stops the server.
package final class SyncLoop: Service, Sendable {
    package let controller: SyncController
    let clock: any SchedulerClock
    let random: @Sendable () -> Double
    let logger: Logger
    private let schedule: Mutex<SyncSchedule>
    private let triggers: AsyncStream<SyncSchedule.Trigger>
    private let triggerSink: AsyncStream<SyncSchedule.Trigger>.Continuation
    /// Deadlines for the timer task; only the newest matters, and each is later than the one before.
    private let deadlines: AsyncStream<Int64>
    private let deadlineSink: AsyncStream<Int64>.Continuation

    package init(controller: SyncController, interval: Duration, jitter: Double = 0.1, clock: any SchedulerClock = WallClock(),
                 random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) },
                 logger: Logger = Logger(label: "chronos-sync.git")) {
        self.controller = controller
        self.clock = clock
        self.random = random
        self.logger = logger
        let (seconds, attoseconds) = interval.components
        schedule = Mutex(SyncSchedule(interval: seconds * 1000 + attoseconds / 1_000_000_000_000_000, jitter: jitter))
        // Unbounded: no trigger is dropped for another; the schedule tells which still need a sync.
        (triggers, triggerSink) = AsyncStream.makeStream()
        (deadlines, deadlineSink) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks for a sync that starts after now: at once, or as soon as the one running has ended.
    package func request() {
        triggerSink.yield(schedule.withLock { $0.request() })
    }

    package func run() async throws {
        do {
            try await controller.restore()
            // A graceful shutdown ends the trigger stream: the sync under way finishes, and no other starts.
            try await withGracefulShutdownHandler {
                try await self.loop()
            } onGracefulShutdown: {
                self.triggerSink.finish()
            }
        } catch {
            logger.error("the sync loop stopped: \(error)")
            throw error
        }
    }

    private func loop() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await self.tick() }
            try await self.sync(.start)
            for await trigger in self.triggers where self.schedule.withLock({ $0.accepts(trigger) }) {
                try await self.sync(trigger)
            }
            self.deadlineSink.finish()
            group.cancelAll()
        }
    }

    private func sync(_ trigger: SyncSchedule.Trigger) async throws {
        logger.debug("sync (\(trigger))")
        schedule.withLock { $0.starting() }
        try await controller.sync()
        let next = schedule.withLock { $0.synced(at: clock.now(), random: random()) }
        deadlineSink.yield(next)
    }

    /// The timer: sleeps until each deadline it is given and asks for a sync then, unless a later
    /// sync has set a new deadline meanwhile.
    private func tick() async throws {
        for await deadline in deadlines {
            do {
                try await clock.sleep(until: deadline)
            } catch is CancellationError {
                return
            }
            if schedule.withLock({ $0.accepts(.interval(deadline)) }) { triggerSink.yield(.interval(deadline)) }
        }
    }
}
