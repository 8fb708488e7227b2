import Synchronization

/// What the doubles were asked to do, in order, so a test can assert the order of effects.
final class EffectLog: Sendable {
    private let entries = Mutex<[String]>([])

    func append(_ entry: String) { entries.withLock { $0.append(entry) } }

    var all: [String] { entries.withLock { $0 } }
}
