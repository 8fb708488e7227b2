import Logging
import Synchronization

/// Log lines with their level, kept for a test to read.
final class LogRecord: Sendable {
    private let lines = Mutex<[(level: Logger.Level, message: String)]>([])

    func append(_ level: Logger.Level, _ message: String) { lines.withLock { $0.append((level, message)) } }

    func messages(at level: Logger.Level) -> [String] { lines.withLock { $0.filter { $0.level == level }.map(\.message) } }

    /// A logger that writes here.
    func logger() -> Logger {
        Logger(label: "test") { _ in RecordingLogHandler(record: self) }
    }
}

struct RecordingLogHandler: LogHandler {
    let record: LogRecord
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        record.append(event.level, event.message.description)
    }
}
