import ChronosEngine
import Foundation
import Hummingbird

/// HTTP basic auth on every route, compared in constant time.
struct BasicAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The SHA-256 digest of the expected `user:password`.
    let expected: [UInt8]
    /// Paths the operator opened on purpose (`/ping` for health checks), and the webhook, which its HMAC
    /// authenticates.
    let open: Set<String>
    /// The most of a refused request's body that is read before its connection closes.
    let bodyLimit: Int

    init(credentials: String, open: Set<String> = [], bodyLimit: Int = 1 << 20) {
        expected = Digest.sha256(Array(credentials.utf8))
        self.open = open
        self.bodyLimit = bodyLimit
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if open.contains(request.uri.path) { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("basic "),
              let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              Self.matches(Array(decoded), expected) else {
            // The body is read (bounded by the request limit) before the connection closes: a socket closed
            // with unread data resets, and the client would lose the 401.
            var request = request
            _ = try? await request.collectBody(upTo: bodyLimit)
            throw APIError(.unauthorized, "authentication required: send HTTP basic auth with the server's --http-credentials")
        }
        return try await next(request, context)
    }

    /// Compares digests of equal length, every byte whatever the first difference, so neither the time
    /// taken nor the length of what was sent tells anything, and no padding of the password can match.
    static func matches(_ sent: [UInt8], _ expected: [UInt8]) -> Bool {
        let digest = Digest.sha256(sent)
        guard digest.count == expected.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<digest.count { difference |= digest[i] ^ expected[i] }
        return difference == 0
    }

}
