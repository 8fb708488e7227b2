import Hummingbird

/// Refuses a request that would change state when a browser sends it from another origin without
/// credentials: a page the user happens to visit cannot create, run or delete jobs through the user's
/// browser. Reads (GET, HEAD) and preflights pass: Chronos's API is open to dashboards on any origin.
struct CrossOriginGuard<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        switch request.method {
        case .get, .head, .options:
            return try await next(request, context)
        default:
            break
        }
        if request.headers[.authorization] == nil, let origin = request.headers[.origin], !Self.sameOrigin(origin, host: request.head.authority) {
            throw APIError(.forbidden, "a request from the page \(origin) may not change anything without credentials")
        }
        return try await next(request, context)
    }

    /// True when `origin` (`scheme://host[:port]`) names the host the request was sent to.
    static func sameOrigin(_ origin: String, host: String?) -> Bool {
        guard let host, let range = origin.range(of: "://") else { return false }
        return origin[range.upperBound...].lowercased() == host.lowercased()
    }
}
