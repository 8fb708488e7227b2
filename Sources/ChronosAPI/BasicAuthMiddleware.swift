import Crypto
import Foundation
import Hummingbird

/// HTTP basic auth on every route, compared in constant time.
struct BasicAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The SHA-256 digest of the expected `user:password`.
    let expected: [UInt8]

    init(credentials: String) {
        expected = Array(SHA256.hash(data: Array(credentials.utf8)))
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("basic "),
              let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              Self.matches(Array(decoded), expected) else {
            throw APIError(.unauthorized, "authentication required: send HTTP basic auth with the server's --http-credentials")
        }
        return try await next(request, context)
    }

    /// Compares digests of equal length, every byte whatever the first difference, so neither the time
    /// taken nor the length of what was sent tells anything, and no padding of the password can match.
    static func matches(_ sent: [UInt8], _ expected: [UInt8]) -> Bool {
        let digest = Array(SHA256.hash(data: sent))
        guard digest.count == expected.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<digest.count { difference |= digest[i] ^ expected[i] }
        return difference == 0
    }

    /// Compares two secrets in constant time, through their digests (so lengths need no comparing).
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        matches(a, Array(SHA256.hash(data: b)))
    }
}
