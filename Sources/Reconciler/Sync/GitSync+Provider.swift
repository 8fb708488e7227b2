import ChronosAPI
import Foundation

extension GitSync: SyncProvider {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    public func statusJSON() async -> Data {
        var shown = status
        shown.plan = nil
        return (try? Self.encoder.encode(shown)) ?? Data("{}".utf8)
    }

    public func planJSON() async throws -> Data {
        let (plan, diagnostics) = try await plan()
        struct Document: Encodable {
            var plan: Plan
            var errors: [String]
        }
        return try Self.encoder.encode(Document(plan: plan, errors: diagnostics.errors.map(\.description)))
    }

    public func applyJSON(_ plan: Data) async throws -> Data {
        guard let saved = try? JSONDecoder().decode(Plan.self, from: plan) else {
            throw SyncRequestError(message: "the body is not a plan saved by `chronos-sync plan --out`")
        }
        do {
            var status = try await applySaved(saved)
            status.plan = nil
            return try Self.encoder.encode(status)
        } catch let stale as StalePlan {
            throw SyncRequestError(message: stale.description, conflict: true)
        }
    }

    public func driftJSON() async -> Data {
        (try? Self.encoder.encode(["drift": status.drift])) ?? Data("{}".utf8)
    }

    public func historyJSON() async -> Data {
        (try? Self.encoder.encode(["syncs": recentHistory()])) ?? Data("{}".utf8)
    }
}
