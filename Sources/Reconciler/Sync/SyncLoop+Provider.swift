import ChronosAPI
import Foundation

/// The `/v1/sync` routes: reads and plans go to the controller, triggers to the loop.
extension SyncLoop: SyncProvider {
    package func statusJSON() async -> Data { await controller.statusJSON() }
    package func planJSON() async throws -> Data { try await controller.planJSON() }
    package func applyJSON(_ plan: Data) async throws -> Data { try await controller.applyJSON(plan) }
    package func driftJSON() async -> Data { await controller.driftJSON() }
    package func historyJSON() async -> Data { await controller.historyJSON() }
    package func trigger() { request() }
}
