import Foundation

/// What the SUBSCRIBE stream reports, tagged with its generation so that a late report of an old
/// stream is not taken for the current one.
enum StreamInput: Sendable {
    case opened(generation: Int, streamID: String)
    case record(generation: Int, Data)
    case closed(generation: Int, reason: String)
}

/// One SUBSCRIBE: POSTs it on a thread of its own, follows 307s to the leader, and reports the stream's
/// records as they are complete, whatever chunks they arrive in.
final class MesosStream: Sendable {
    let generation: Int
    private let cancelled = CancelFlag()

    init(generation: Int) {
        self.generation = generation
    }

    /// Closes the stream (from any thread); it reports `closed`.
    func cancel() {
        cancelled.set()
    }

    func start(call: Data, masters: MasterAddress, credentials: String?, report: @escaping @Sendable (StreamInput) -> Void) {
        let generation = self.generation
        let cancelled = self.cancelled
        Thread.detachNewThread {
            for hop in 0..<5 {
                let exchange = CurlExchange(cancelled: cancelled)
                let base = masters.current
                var parser = RecordIOParser()
                var malformed: String?
                exchange.onOpen = { headers in
                    report(.opened(generation: generation, streamID: headers["mesos-stream-id"] ?? ""))
                }
                exchange.onData = { bytes in
                    do {
                        for record in try parser.feed(bytes) { report(.record(generation: generation, record)) }
                        return true
                    } catch {
                        malformed = "\(error)"
                        return false
                    }
                }
                let failure = exchange.perform(url: base + "/api/v1/scheduler", body: call, headers: [], credentials: credentials, timeoutSeconds: nil)
                if cancelled.isSet {
                    report(.closed(generation: generation, reason: "closed by the framework"))
                    return
                }
                if exchange.status == 307, let location = exchange.headers["location"], hop < 4 {
                    masters.redirect(location, from: base)
                    continue
                }
                let reason: String
                if let malformed {
                    reason = "\(base) sent a stream that is not RecordIO: \(malformed)"
                } else if exchange.status == 0 {
                    masters.next()
                    reason = "\(base): \(failure ?? "no answer")"
                } else if exchange.status == 200 {
                    reason = "\(base) ended the stream\(failure.map { ": \($0)" } ?? "")"
                } else {
                    if exchange.status == 503 { masters.next() }
                    reason = "\(base) answered \(exchange.status): \(String(decoding: exchange.body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))"
                }
                report(.closed(generation: generation, reason: reason))
                return
            }
            report(.closed(generation: generation, reason: "too many redirects"))
        }
    }
}

/// Sends one call to the current master with the stream id, on a thread of its own.
enum MesosCall {
    struct Answer: Sendable {
        var status: Int
        var message: String
    }

    static func post(_ call: Data, streamID: String, masters: MasterAddress, credentials: String?) async -> Answer {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let exchange = CurlExchange()
                let base = masters.current
                let failure = exchange.perform(url: base + "/api/v1/scheduler", body: call, headers: ["Mesos-Stream-Id: \(streamID)"],
                                               credentials: credentials, timeoutSeconds: 75)
                if exchange.status == 307, let location = exchange.headers["location"] {
                    masters.redirect(location, from: base)
                }
                let message = failure ?? String(decoding: exchange.body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                continuation.resume(returning: Answer(status: exchange.status, message: message))
            }
        }
    }
}
