import ChronosEngine
import Foundation
import Hummingbird

/// What the `/v1/sync` routes show and do; the reconciler provides it (the API does not depend on it).
package protocol SyncProvider: Sendable {
    /// The sync status as JSON.
    func statusJSON() async -> Data
    /// The current plan against the live jobs, as JSON, computed now.
    func planJSON() async throws -> Data
    /// Applies a saved plan (JSON) exactly, or throws `SyncRequestError`; returns the status as JSON.
    func applyJSON(_ plan: Data) async throws -> Data
    /// Drift as JSON.
    func driftJSON() async -> Data
    /// Recent syncs as JSON.
    func historyJSON() async -> Data
    /// Asks for a sync now.
    func trigger()
}

/// A sync request that cannot be carried out: a bad body (400), or a stale plan (409).
package struct SyncRequestError: Error, Sendable {
    package var message: String
    package var conflict = false

    package init(message: String, conflict: Bool = false) {
        self.message = message
        self.conflict = conflict
    }
}

/// The webhook's shared secret, and how each sender signs.
package struct WebhookSecret: Sendable {
    package var secret: String
    package init(_ secret: String) { self.secret = secret }

    /// True when the request carries a valid GitHub (`X-Hub-Signature-256`), GitLab (`X-Gitlab-Token`)
    /// or generic (`X-Chronos-Signature: sha256=<hex>`) signature of `body`.
    func verifies(_ request: Request, body: [UInt8]) -> Bool {
        func header(_ name: String) -> String? {
            request.headers.first { $0.name.canonicalName == name }?.value
        }
        if let token = header("x-gitlab-token") {
            return Digest.constantTimeEqual(Array(token.utf8), Array(secret.utf8))
        }
        guard let signature = header("x-hub-signature-256") ?? header("x-chronos-signature"), signature.hasPrefix("sha256=") else { return false }
        let expected = Array(("sha256=" + Digest.hex(Digest.hmacSHA256(key: Array(secret.utf8), message: body))).utf8)
        return Digest.constantTimeEqual(Array(signature.lowercased().utf8), expected)
    }
}

extension Routes {
    func addSync(to group: RouterGroup<BasicRequestContext>) {
        group.get("status") { _, _ in
            try await sync { provider in
                let status = await provider.statusJSON()
                // An HA instance adds who leads, since when, and the members.
                guard let cluster = server.cluster, var object = try? JSONSerialization.jsonObject(with: status) as? [String: Any],
                      let snapshot = try? JSONSerialization.jsonObject(with: JSONEncoder().encode(cluster.snapshot())) else { return status }
                object["cluster"] = snapshot
                return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? status
            }
        }
        group.get("plan") { _, _ in try await sync { try await $0.planJSON() } }
        group.get("drift") { _, _ in try await sync { await $0.driftJSON() } }
        group.get("history") { _, _ in try await sync { await $0.historyJSON() } }
        group.post("apply") { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 64 << 20)
            do {
                return try await sync { try await $0.applyJSON(Data(buffer: body)) }
            } catch let error as SyncRequestError {
                throw APIError(error.conflict ? .conflict : .badRequest, error.message)
            }
        }
        group.post("trigger") { _, _ in
            guard let provider = server.sync else { throw noSync }
            provider.trigger()
            return JSONResponse(["triggered": true], status: .accepted)
        }
        group.post("webhook") { request, _ in
            guard let provider = server.sync else { throw noSync }
            guard let secret = server.webhookSecret else {
                throw APIError(.forbidden, "the webhook is off: start serve with --webhook-secret")
            }
            var request = request
            let body = try await request.collectBody(upTo: server.configuration.bodyLimit)
            guard secret.verifies(request, body: Array(buffer: body)) else {
                throw APIError(.unauthorized, "the webhook signature does not match the secret (X-Hub-Signature-256, X-Gitlab-Token or X-Chronos-Signature)")
            }
            provider.trigger()
            return JSONResponse(["triggered": true], status: .accepted)
        }
    }

    var noSync: APIError { APIError(.notFound, "this server runs a plain folder of specs, not a git repository (start serve with --repo)") }

    func sync(_ body: (any SyncProvider) async throws -> Data) async throws -> Response {
        guard let provider = server.sync else { throw noSync }
        let data = try await body(provider)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
