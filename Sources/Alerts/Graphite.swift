import Foundation
import Logging
import Metrics
import Synchronization
import ServiceLifecycle

/// Graphite's plaintext protocol from the Prometheus text the server already exposes: one line per
/// sample, `prefix.name.labelvalue… value timestamp`. Histogram buckets are left out (their `_sum` and
/// `_count` are sent), so the series stay as bounded as the metrics page.
package enum GraphiteLines {
    /// The lines for one push at `timestamp` (epoch seconds).
    package static func from(prometheus text: String, prefix: String, timestamp: Int64) -> String {
        var out = ""
        let head = prefix.split(separator: ".").map { clean(String($0)) }.filter { !$0.isEmpty }
        for line in text.split(separator: "\n") {
            guard let first = line.first, first != "#" else { continue }
            guard let space = line.lastIndex(of: " ") else { continue }
            let series = line[..<space].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: space)...]
            guard let number = Double(value), number.isFinite else { continue }
            var name = series
            var labels: [(String, String)] = []
            if let brace = series.firstIndex(of: "{") {
                name = String(series[..<brace])
                labels = parseLabels(series[series.index(after: brace)...].dropLast())
            }
            if name.hasSuffix("_bucket") { continue }
            let path = head + [clean(name)] + labels.map { clean($0.1) }
            out += path.joined(separator: ".") + " " + format(number) + " \(timestamp)\n"
        }
        return out
    }

    /// `a="x",b="y"` → [(a, x), (b, y)], with `\"` and `\\` unescaped.
    static func parseLabels(_ text: Substring) -> [(String, String)] {
        var labels: [(String, String)] = []
        var rest = text[...]
        while let eq = rest.firstIndex(of: "=") {
            let key = rest[..<eq].trimmingCharacters(in: CharacterSet(charactersIn: ", "))
            rest = rest[rest.index(after: eq)...]
            guard rest.first == "\"" else { break }
            rest = rest.dropFirst()
            var value = ""
            var escaped = false
            var end = rest.endIndex
            for index in rest.indices {
                let c = rest[index]
                if escaped { value.append(c == "n" ? "\n" : c); escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { end = index; break } else { value.append(c) }
            }
            labels.append((key, value))
            rest = end < rest.endIndex ? rest[rest.index(after: end)...] : ""
        }
        return labels
    }

    /// A path component: letters, digits, `_` and `-`; anything else becomes `_`.
    static func clean(_ text: String) -> String {
        String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") ? $0 : "_" })
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// Pushes the metrics to Graphite every interval (Chronos's `--graphite_host_port`), on a thread of its
/// own: a slow or dead Graphite delays nothing else, and a push still under way skips the next.
package struct GraphiteReporter: Service {
    package var host: String
    package var port: Int
    package var prefix: String
    package var interval: Duration
    /// The metrics page's text, read at each push.
    package var metrics: @Sendable () async -> String
    package var logger = Logger(label: "chronos-sync.graphite")

    package init(hostPort: String, prefix: String, interval: Duration, metrics: @escaping @Sendable () async -> String) throws(DeliveryError) {
        guard let colon = hostPort.lastIndex(of: ":"), let port = Int(hostPort[hostPort.index(after: colon)...]), (1...65535).contains(port) else {
            throw DeliveryError("--graphite-host-port takes host:port, not \(hostPort)")
        }
        host = String(hostPort[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        self.port = port
        self.prefix = prefix
        self.interval = interval
        self.metrics = metrics
    }

    package func run() async throws {
        // A graceful shutdown cancels the wait between pushes.
        try await cancelWhenGracefulShutdown { try await pushes() }
    }

    private func pushes() async throws {
        let busy = Mutex(false)
        var failing = false
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            guard !Task.isCancelled else { break }
            guard busy.withLock({ let was = $0; $0 = true; return !was }) else {
                logger.warning("graphite at \(host):\(port): the previous push is still under way; this one is skipped")
                continue
            }
            let lines = GraphiteLines.from(prometheus: await metrics(), prefix: prefix, timestamp: Int64(Date().timeIntervalSince1970))
            let (host, port) = (self.host, self.port)
            let error = await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
                Thread.detachNewThread {
                    continuation.resume(returning: TCPPush.push(Array(lines.utf8), host: host, port: port, timeoutSeconds: 10))
                    busy.withLock { $0 = false }
                }
            }
            if let error {
                Counter(label: "chronos_graphite_pushes_total", dimensions: [("result", "failed")]).increment()
                if !failing { logger.warning("graphite at \(host):\(port): \(error)") }
                failing = true
            } else {
                Counter(label: "chronos_graphite_pushes_total", dimensions: [("result", "sent")]).increment()
                if failing { logger.notice("graphite at \(host):\(port): pushes go through again") }
                failing = false
            }
        }
    }
}
