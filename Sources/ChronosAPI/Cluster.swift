import ChronosEngine
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import Prometheus
import Synchronization

/// The API of an HA instance: a front that answers `/ping`, `/v1/cluster`, `leader` and (when not
/// leading) `/metrics` itself, and hands every other request to the current term's API when this
/// instance leads, proxies it to the leader when another does, and answers 503 while none does.
package final class ClusterFront: Sendable {
    let membership: any ClusterMembership
    let configuration: APIServer.Configuration
    let registry: PrometheusCollectorRegistry
    let logger: Logger
    let webhookOpen: Bool
    private let term = Mutex<(any HTTPResponder<BasicRequestContext>)?>(nil)
    private let leading = Mutex<APIServer?>(nil)

    package init(membership: any ClusterMembership, configuration: APIServer.Configuration, webhookOpen: Bool,
                 registry: PrometheusCollectorRegistry, logger: Logger = Logger(label: "chronos-sync.api")) {
        self.membership = membership
        self.configuration = configuration
        self.webhookOpen = webhookOpen
        self.registry = registry
        self.logger = logger
    }

    /// Serves this instance's term: `server`'s routes answer from now on (nil when the term ended).
    package func lead(with server: APIServer?) {
        let responder = server.map { $0.engineRouter().buildResponder() }
        term.withLock { $0 = responder }
        leading.withLock { $0 = server }
    }

    /// The metrics page's text: the term's (with the scheduler's gauges) while this instance leads.
    package func metricsText() async -> String {
        if let server = leading.withLock({ $0 }) { return await server.metricsText() }
        return registry.emitToString()
    }

    var termResponder: (any HTTPResponder<BasicRequestContext>)? { term.withLock { $0 } }

    /// The front's router: middleware as on a single server, the local routes, then the dispatch.
    func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        APIServer.addMiddleware(to: router, configuration: configuration, webhookOpen: webhookOpen)
        router.add(middleware: LeaderDispatch(front: self))
        router.get("ping") { _, _ in textResponse("pong") }
        router.get("metrics") { [self] _, _ in
            textResponse(await metricsText(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("openapi.yaml") { _, _ in textResponse(OpenAPIDocument.yaml, contentType: "application/yaml") }
        router.get("v1/cluster") { [membership] _, _ in JSONResponse(membership.snapshot()) }
        // The web UI's own files come from every instance, so the page loads, and says so, while no instance leads.
        router.get("/") { _, _ in try UIAssets.response(for: "index.html") }
        router.get("ui/:file") { _, context in try UIAssets.response(for: try context.parameters.require("file")) }
        for prefix in ["v1/scheduler", "scheduler"] {
            router.get("\(prefix)/leader") { [membership] _, _ in
                let snapshot = membership.snapshot()
                guard let leader = snapshot.leader else { throw APIError(.serviceUnavailable, Self.noLeader(snapshot)) }
                return JSONResponse(["leader": leader.id])
            }
        }
        return router
    }

    static func noLeader(_ snapshot: ClusterSnapshot) -> String {
        "no chronos-sync instance leads at the moment" + (snapshot.reason.map { ": \($0)" } ?? "") + "; retry shortly"
    }

    /// The front as a service; `onRunning` gets the port it listens on.
    package func application(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        APIServer.application(router: router(), configuration: configuration, logger: logger, onRunning: onRunning)
    }
}

/// Sends each request where it is answered: the local routes, this instance's term, or the leader.
struct LeaderDispatch: RouterMiddleware {
    typealias Context = BasicRequestContext
    let front: ClusterFront
    /// Answered by every instance itself.
    static let local: Set<String> = ["/ping", "/v1/cluster", "/v1/scheduler/leader", "/scheduler/leader", "/openapi.yaml"]
    /// Marks a request a follower forwarded: a follower never forwards one twice (no loops while the
    /// election settles).
    static let proxiedHeader = "X-Chronos-Sync-Forwarded"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if Self.local.contains(path) || path == "/" || path.hasPrefix("/ui/") { return try await next(request, context) }
        if let responder = front.termResponder { return try await responder.respond(to: request, context: context) }
        if path == "/metrics" { return try await next(request, context) }
        let snapshot = front.membership.snapshot()
        guard let leader = snapshot.leader, !snapshot.isLeader else {
            throw APIError(.serviceUnavailable, ClusterFront.noLeader(snapshot))
        }
        if request.headers.contains(where: { $0.name.canonicalName == Self.proxiedHeader.lowercased() }) {
            throw APIError(.serviceUnavailable, "the request was forwarded to this instance, which does not lead (the election is settling); retry shortly")
        }
        return try await LeaderProxy.forward(request, to: leader.api, bodyLimit: front.configuration.bodyLimit, logger: front.logger)
    }
}
