import Logging
import ServiceLifecycle

/// Runs a service's loop until a graceful shutdown cancels it. The cancellation that the shutdown
/// causes is the normal end; any other error is logged at `error` with its cause and thrown on, so the
/// `ServiceGroup` stops the server and it exits non-zero instead of running on without the loop.
package func runUntilShutdown(_ name: String, logger: Logger, _ loop: @escaping @Sendable () async throws -> Void) async throws {
    do {
        try await cancelWhenGracefulShutdown(loop)
    } catch is CancellationError {
        return
    } catch {
        if Task.isCancelled { return }
        logger.error("\(name) failed: \(error)", metadata: ["cause": "\(type(of: error))"])
        throw error
    }
}
