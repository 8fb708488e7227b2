import Synchronization

/// Holds whoever passes it until it is opened. Opening does not wait, so a test can open it in a
/// `defer` and never leave a task waiting when an expectation fails.
final class Gate: Sendable {
    private struct State {
        var isOpen = false
        var arrived = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// How many have reached the gate.
    var arrived: Int { state.withLock { $0.arrived } }

    func pass() async {
        await withCheckedContinuation { continuation in
            let open = state.withLock { state in
                state.arrived += 1
                if !state.isOpen { state.waiters.append(continuation) }
                return state.isOpen
            }
            if open { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.isOpen = true
            defer { state.waiters = [] }
            return state.waiters
        }
        waiters.forEach { $0.resume() }
    }
}

/// Waits, yielding, until `condition` holds; fails the wait after many turns instead of hanging.
func eventually(_ what: String, _ condition: () async -> Bool) async throws {
    for _ in 0..<1_000_000 {
        if await condition() { return }
        await Task.yield()
    }
    struct Timeout: Error, CustomStringConvertible { var description: String }
    throw Timeout(description: "never happened: \(what)")
}
