import ChronosAPI
import Foundation

/// The JSON documents of the `/v1/sync` routes.
extension SyncController {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    func statusJSON() async -> Data {
        var shown = status
        shown.plan = nil
        let messages = await source.summaries(of: [shown.revision, shown.appliedRevision])
        shown.revisionMessage = messages[shown.revision]
        shown.appliedMessage = messages[shown.appliedRevision]
        return (try? Self.encoder.encode(shown)) ?? Data("{}".utf8)
    }

    func planJSON() async throws -> Data {
        let (plan, diagnostics) = try await plan()
        struct Document: Encodable {
            var plan: Plan
            var errors: [String]
        }
        return try Self.encoder.encode(Document(plan: plan, errors: diagnostics.errors.map(\.description)))
    }

    func applyJSON(_ plan: Data) async throws -> Data {
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

    func driftJSON() -> Data {
        (try? Self.encoder.encode(["drift": status.drift])) ?? Data("{}".utf8)
    }

    func historyJSON() async -> Data {
        var syncs = recentHistory()
        let messages = await source.summaries(of: syncs.map(\.revision))
        for i in syncs.indices { syncs[i].commitMessage = messages[syncs[i].revision] }
        return (try? Self.encoder.encode(["syncs": syncs])) ?? Data("{}".utf8)
    }
}
