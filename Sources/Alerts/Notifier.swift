import ChronosEngine
import Foundation
import Logging
import Metrics

/// Delivers notices on every configured channel. `post` only queues (a lock and an append), so the
/// scheduler never waits on a mail server or a webhook; each channel has its own bounded queue and its
/// own thread, so a dead mail server holds up no webhook. Dropped and given-up notices are counted
/// (`chronos_notifications_total{result="dropped"|"gave_up"}`) and logged.
package final class Notifier: NoticeSink, @unchecked Sendable {
    private let workers: [ChannelWorker]

    package init(channels: [any AlertChannel], limits: DeliveryQueue<Notice>.Limits = .init(),
                 logger: Logger = Logger(label: "chronos-sync.notify"), now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) {
        workers = channels.map { ChannelWorker(channel: $0, limits: limits, logger: logger, now: now) }
        workers.forEach { $0.start() }
    }

    /// The names of the channels, for the startup log.
    package var channelNames: [String] { workers.map(\.channel.name) }

    package func post(_ notices: [Notice]) {
        for worker in workers { worker.offer(notices.filter(worker.channel.accepts)) }
    }

    /// Items waiting or being sent, per channel.
    package var queued: [String: Int] {
        Dictionary(workers.map { ($0.channel.name, $0.count) }, uniquingKeysWith: +)
    }

    /// Stops the threads; what is still queued is dropped (and counted).
    package func stop() {
        workers.forEach { $0.stop() }
    }
}

/// One channel's queue and the thread that sends from it.
final class ChannelWorker: @unchecked Sendable {
    let channel: any AlertChannel
    private let condition = NSCondition()
    private var queue: DeliveryQueue<Notice>
    private var stopped = false
    private let logger: Logger
    private let now: @Sendable () -> Int64
    private let queuedGauge: Gauge
    private let capacity: Int

    init(channel: any AlertChannel, limits: DeliveryQueue<Notice>.Limits, logger: Logger, now: @escaping @Sendable () -> Int64) {
        self.channel = channel
        queue = DeliveryQueue(limits: limits)
        capacity = limits.capacity
        self.logger = logger
        self.now = now
        queuedGauge = Gauge(label: "chronos_notifications_queued", dimensions: [("channel", channel.name)])
    }

    var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return queue.count
    }

    func start() {
        let thread = Thread { [self] in loop() }
        thread.name = "notify-\(channel.name)"
        thread.start()
    }

    func offer(_ notices: [Notice]) {
        guard !notices.isEmpty else { return }
        condition.lock()
        let time = now()
        var dropped: [Notice] = []
        for notice in notices where !queue.offer(notice, now: time) { dropped.append(notice) }
        let size = queue.count
        condition.signal()
        condition.unlock()
        queuedGauge.record(size)
        for notice in dropped {
            count("dropped")
            logger.warning("\(channel.name): queue full (\(capacity)); dropped: \(notice.summary)")
        }
    }

    func stop() {
        condition.lock()
        stopped = true
        let dropped = queue.drain()
        condition.signal()
        condition.unlock()
        if dropped > 0 {
            Counter(label: "chronos_notifications_total", dimensions: [("channel", channel.name), ("result", "dropped")]).increment(by: dropped)
            logger.warning("\(channel.name): \(dropped) notifications not sent at shutdown")
        }
    }

    private func count(_ result: String) {
        Counter(label: "chronos_notifications_total", dimensions: [("channel", channel.name), ("result", result)]).increment()
    }

    private func loop() {
        while true {
            condition.lock()
            var entry: DeliveryQueue<Notice>.Entry?
            while !stopped {
                let time = now()
                if let next = queue.take(now: time) { entry = next; break }
                if let due = queue.nextDue {
                    _ = condition.wait(until: Date(timeIntervalSince1970: Double(max(due, time + 1)) / 1000))
                } else {
                    condition.wait()
                }
            }
            condition.unlock()
            guard let entry, !stoppedNow else { return }
            var failure: DeliveryError?
            do {
                try channel.deliver(entry.item)
            } catch {
                failure = error
            }
            condition.lock()
            let outcome = queue.finished(ok: failure == nil, now: now())
            let size = queue.count
            condition.unlock()
            queuedGauge.record(size)
            switch outcome {
            case .sent:
                count("sent")
                logger.info("\(channel.name): sent \(entry.item.kind.rawValue) notice\(entry.item.job.map { " of job \($0)" } ?? "")")
            case .retry(let at):
                count("failed")
                logger.warning("\(channel.name): \(failure?.message ?? "failed"); attempt \(entry.attempts + 1), next in \(max(0, at - now()) / 1000) s")
            case .gaveUp:
                count("failed")
                count("gave_up")
                logger.error("\(channel.name): \(failure?.message ?? "failed"); gave up after \(entry.attempts + 1) attempts: \(entry.item.summary)")
            }
        }
    }

    private var stoppedNow: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopped
    }
}
