import Logging
import Synchronization

/// The writer stopped: a batch could not be stored and its retries were abandoned (the task waiting
/// for it was cancelled, as at shutdown). No later batch is written, so the store keeps a prefix.
struct StoreWriterStopped: Error, CustomStringConvertible {
    /// The last error of the abandoned batch.
    var cause: any Error
    var description: String { "state store writes stopped after a failed batch: \(cause)" }
}

/// Hands batches to a `StateStore` one at a time, in the order of the calls, and retries a failed batch
/// with capped backoff (logging each failure with its cause) before any batch behind it runs. Batches
/// that queue up meanwhile wait, so the store always holds a prefix of the batches written.
///
/// On success the next batch is handed to the store from the completion of the one before, so a
/// healthy store sees no extra hop between batches; only a failed batch needs its caller's task,
/// which sleeps on the scheduler's clock between attempts.
final class OrderedStoreWriter: Sendable {
    private struct Pending {
        var batch: StoreBatch
        var continuation: CheckedContinuation<(any Error)?, Never>
    }

    private struct State {
        /// A batch is with the store, or being retried; later ones wait in `queue`.
        var busy = false
        var queue = FIFO<Pending>()
        var stopped: StoreWriterStopped?
    }

    let store: any StateStore
    let clock: any SchedulerClock
    let logger: Logger
    /// The first retry waits this long (ms); each next one twice as long, up to `maxDelay`.
    let initialDelay: Int64
    let maxDelay: Int64
    private let state = Mutex(State())

    init(store: any StateStore, clock: any SchedulerClock, logger: Logger, initialDelay: Int64 = 100, maxDelay: Int64 = 5000) {
        self.store = store
        self.clock = clock
        self.logger = logger
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
    }

    /// Batches waiting behind the one with the store.
    var waiting: Int { state.withLock { $0.queue.count } }

    /// Returns once `batch` is stored, after every batch of earlier calls. Throws `StoreWriterStopped`
    /// when it never will be: its retries were cancelled, or an earlier batch's were. Runs on the
    /// caller's actor, so a batch is queued before the caller first suspends: calls made in turn on
    /// one actor reach the store in that order.
    func write(_ batch: StoreBatch, isolation: isolated (any Actor)? = #isolation) async throws(StoreWriterStopped) {
        guard !batch.isEmpty else { return }
        var failure = await withCheckedContinuation { enqueue(Pending(batch: batch, continuation: $0)) }
        var delay = initialDelay
        var attempts = 1
        while let storeError = failure {
            if let stopped = storeError as? StoreWriterStopped { throw stopped }
            // Retrying cannot help (the store's term is over): this batch and every one behind it fail.
            if storeError is any PermanentStoreError { throw stop(cause: storeError) }
            logger.error("state store write failed (attempt \(attempts)); later writes wait; retrying in \(delay) ms: \(storeError)")
            do {
                try await clock.sleep(until: clock.now() + delay)
            } catch {
                throw stop(cause: storeError)
            }
            delay = min(delay * 2, maxDelay)
            attempts += 1
            // Still the head: nothing behind it was handed to the store.
            failure = await withCheckedContinuation { submit(Pending(batch: batch, continuation: $0)) }
        }
        if attempts > 1 { logger.notice("state store write succeeded after \(attempts) attempts") }
    }

    /// Hands the batch to the store now if it is first, else queues it behind the others.
    private func enqueue(_ pending: Pending) {
        enum Turn { case now, later, never(StoreWriterStopped) }
        let turn = state.withLock { state -> Turn in
            if let stopped = state.stopped { return .never(stopped) }
            if state.busy {
                state.queue.push(pending)
                return .later
            }
            state.busy = true
            return .now
        }
        switch turn {
        case .now: submit(pending)
        case .later: break
        case .never(let stopped): pending.continuation.resume(returning: stopped)
        }
    }

    private func submit(_ pending: Pending) {
        store.write(pending.batch) { [self] error in
            // A failed batch keeps the turn: its caller retries it and nothing behind it moves.
            if error == nil { handOn() }
            pending.continuation.resume(returning: error)
        }
    }

    /// The head was stored: the next batch goes to the store now.
    private func handOn() {
        let next: Pending? = state.withLock { state in
            if let next = state.queue.pop() { return next }
            state.busy = false
            return nil
        }
        if let next { submit(next) }
    }

    /// Abandons the head batch: it and every batch behind it, now and later, fail with the cause.
    private func stop(cause: any Error) -> StoreWriterStopped {
        let stopped = StoreWriterStopped(cause: cause)
        let dropped: [Pending] = state.withLock { state in
            state.stopped = stopped
            var dropped: [Pending] = []
            while let next = state.queue.pop() { dropped.append(next) }
            return dropped
        }
        logger.error("\(stopped); \(dropped.count) queued batches dropped")
        dropped.forEach { $0.continuation.resume(returning: stopped) }
        return stopped
    }
}
