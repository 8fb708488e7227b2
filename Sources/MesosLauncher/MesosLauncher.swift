import ChronosEngine
import Foundation
import JobSpec
import Logging
import Metrics
import ServiceLifecycle

/// Runs jobs on a Mesos cluster: a framework on the v1 scheduler HTTP API. `FrameworkCore` decides; this
/// actor feeds it the stream's events, the engine's launches and kills and the clock, and performs the
/// effects it returns one after another, in order (so a store write is done before the call behind it).
package actor MesosLauncher: BatchLauncher, Service {
    package struct Configuration: Sendable {
        /// Base URLs of the masters, `http://host:5050`.
        package var masters: [String]
        package var settings: FrameworkSettings
        /// The secret of `settings.principal` (HTTP basic authentication).
        package var secret: String?
        /// How often the clock ticks (heartbeat watchdog, reconciliation, resubscription).
        package var tick: Duration = .milliseconds(200)

        package init(masters: [String], settings: FrameworkSettings) {
            self.masters = masters
            self.settings = settings
        }
    }

    /// Where the framework id is stored.
    package static let frameworkIDKey = "mesos.framework_id"
    /// Where a task's record is stored (`mesos.task:<task id>`).
    package static func taskKey(_ id: TaskID) -> String { "mesos.task:\(id)" }

    let configuration: Configuration
    let store: any StateStore
    let logger: Logger
    package nonisolated let masters: MasterAddress
    private var core: FrameworkCore
    private var loaded = false
    /// Where each task's start, wait and end are reported (a batch's tasks share one).
    private var callbacks: [TaskID: LaunchReports] = [:]
    private var streams: [Int: MesosStream] = [:]
    private var streamID: String?
    private let effects: AsyncStream<[Effect]>
    private let effectSink: AsyncStream<[Effect]>.Continuation
    private let inputs: AsyncStream<StreamInput>
    private let inputSink: AsyncStream<StreamInput>.Continuation

    package init(configuration: Configuration, store: any StateStore, logger: Logger = Logger(label: "chronos-sync.mesos")) {
        self.configuration = configuration
        self.store = store
        self.logger = logger
        masters = MasterAddress(masters: configuration.masters)
        core = FrameworkCore(settings: configuration.settings, frameworkID: nil)
        (effects, effectSink) = AsyncStream.makeStream()
        (inputs, inputSink) = AsyncStream.makeStream()
    }

    var credentials: String? {
        guard let principal = configuration.settings.principal, let secret = configuration.secret else { return nil }
        return "\(principal):\(secret)"
    }

    static var now: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Reads the stored framework id once, before the first subscription or adoption.
    private func load() async {
        guard !loaded else { return }
        loaded = true
        do {
            core.frameworkID = try await store.value(for: Self.frameworkIDKey)
        } catch {
            logger.error("cannot read the stored Mesos framework id: \(error); subscribing as a new framework")
        }
    }

    private func enqueue(_ batch: [Effect]) {
        if !batch.isEmpty { effectSink.yield(batch) }
    }

    // MARK: - Launcher

    package func launch(_ run: RunRecord, job: Job, onStart: @escaping @Sendable (LaunchInfo) -> Void,
                        onExit: @escaping @Sendable (TaskID, RunOutcome) -> Void) async throws {
        try await launch(run, job: job, onStart: onStart, onWait: { _ in }, onExit: onExit)
    }

    package func launch(_ run: RunRecord, job: Job, onStart: @escaping @Sendable (LaunchInfo) -> Void,
                        onWait: @escaping @Sendable (String) -> Void,
                        onExit: @escaping @Sendable (TaskID, RunOutcome) -> Void) async throws {
        callbacks[run.taskID] = LaunchReports(onStart: onStart, onWait: onWait, onExit: onExit)
        enqueue(core.launch(run, job: job, now: Self.now))
    }

    /// Queues a batch for the next offers in one step.
    package func launch(_ launches: [SchedulerStep.Launch], reports: LaunchReports) async {
        var effects: [Effect] = []
        for launch in launches {
            callbacks[launch.run.taskID] = reports
            effects += core.launch(launch.run, job: launch.job, now: Self.now)
        }
        enqueue(effects)
    }

    package func kill(_ id: TaskID, reason: String) async -> Bool {
        let (known, effects) = core.kill(id, reason: reason, now: Self.now)
        enqueue(effects)
        return known
    }

    /// A task the framework no longer holds is found by implicit reconciliation and killed then.
    package func killOrphan(_ run: RunRecord) async {}

    package func adopt(_ run: RunRecord, job: Job, onExit: @escaping @Sendable (TaskID, RunOutcome) -> Void) async -> Bool {
        // A run with a process id ran on the local launcher: not a Mesos task.
        guard run.pid == nil else { return false }
        await load()
        var record: TaskRecord?
        if let text = try? await store.value(for: Self.taskKey(run.taskID)) {
            record = try? JSONDecoder().decode(TaskRecord.self, from: Data(text.utf8))
        }
        callbacks[run.taskID] = LaunchReports(onExit: onExit)
        enqueue(core.adopt(run, job: job, record: record, now: Self.now))
        logger.info("\(run.taskID) was running before the restart; its task is reconciled once subscribed")
        return true
    }

    // MARK: - Service

    package func run() async throws {
        await load()
        logger.info("Mesos framework \(configuration.settings.name) on \(configuration.masters.joined(separator: ", "))\(core.frameworkID.map { " as \($0)" } ?? "")")
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await batch in self.effects {
                    for effect in batch { await self.perform(effect) }
                }
            }
            group.addTask {
                for await input in self.inputs { await self.handle(input) }
            }
            group.addTask {
                while !Task.isCancelled {
                    await self.tick()
                    try? await Task.sleep(for: self.configuration.tick)
                }
            }
            try? await gracefulShutdown()
            self.stop()
            group.cancelAll()
        }
        logger.info("Mesos framework stopped; its tasks keep running for the failover timeout")
    }

    private func stop() {
        for stream in streams.values { stream.cancel() }
        streams = [:]
        effectSink.finish()
        inputSink.finish()
    }

    private func tick() {
        enqueue(core.tick(now: Self.now))
    }

    private func handle(_ input: StreamInput) {
        let now = Self.now
        switch input {
        case .opened(let generation, let id):
            if generation == core.generation { streamID = id }
        case .record(let generation, let data):
            guard let json = try? JSON.decode(data), let event = Event(json) else {
                logger.warning("not an event: \(String(decoding: data.prefix(200), as: UTF8.self))")
                return
            }
            if case .offers(let offers) = event {
                Counter(label: "chronos_mesos_offers_received_total").increment(by: offers.count)
            }
            enqueue(core.received(event, generation: generation, now: now))
        case .closed(let generation, let reason):
            streams[generation] = nil
            enqueue(core.streamClosed(generation: generation, reason: reason, now: now))
        }
    }

    private func perform(_ effect: Effect) async {
        switch effect {
        case .subscribe(let generation, let call):
            streamID = nil
            let stream = MesosStream(generation: generation)
            streams[generation] = stream
            let sink = inputSink
            stream.start(call: call.encoded(), masters: masters, credentials: credentials) { sink.yield($0) }
        case .closeStream(let generation):
            streams.removeValue(forKey: generation)?.cancel()
        case .call(let call):
            guard let streamID else {
                logger.debug("\(call["type"].string ?? "call") not sent: no subscription")
                enqueue(core.callFailed(call, status: 0, message: "no subscription", now: Self.now))
                return
            }
            Self.count(call)
            let answer = await MesosCall.post(call.encoded(), streamID: streamID, masters: masters, credentials: credentials)
            if answer.status != 202 && answer.status != 200 {
                enqueue(core.callFailed(call, status: answer.status, message: answer.message, now: Self.now))
            }
        case .storeFrameworkID(let id):
            await persist(id, key: Self.frameworkIDKey)
        case .storeTask(let id, let record):
            let text = record.flatMap { try? JSONEncoder().encode($0) }.map { String(decoding: $0, as: UTF8.self) }
            await persist(text, key: Self.taskKey(id))
        case .started(let id, let info):
            callbacks[id]?.started(id, info)
        case .waiting(let id, let reason):
            callbacks[id]?.waiting(id, reason)
        case .ended(let id, let outcome):
            callbacks.removeValue(forKey: id)?.ended(id, outcome)
        case .log(let message):
            logger.info("\(message)")
        }
    }

    /// Counts a call by type, and the tasks an ACCEPT launches.
    private static func count(_ call: JSON) {
        let type = call["type"].string ?? "UNKNOWN"
        Counter(label: "chronos_mesos_calls_total", dimensions: [("type", type)]).increment()
        if type == "ACCEPT" {
            let tasks = call["accept"]["operations"].array.reduce(0) { $0 + $1["launch"]["task_infos"].array.count }
            if tasks > 0 { Counter(label: "chronos_mesos_tasks_launched_total").increment(by: tasks) }
        }
    }

    /// Writes a value, retrying until it is stored: what follows it (a launch, an acknowledgement) must
    /// not happen before.
    private func persist(_ value: String?, key: String) async {
        var delay = Duration.milliseconds(100)
        while true {
            do {
                try await store.setValue(value, for: key)
                return
            } catch {
                logger.error("cannot store \(key): \(error); retrying")
                if Task.isCancelled { return }
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }
}
