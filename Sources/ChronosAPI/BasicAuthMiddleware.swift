import Foundation
import Hummingbird

/// HTTP basic auth on every route, compared in constant time.
struct BasicAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let expected: [UInt8]

    init(credentials: String) {
        expected = Array(credentials.utf8)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("basic "),
              let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              Self.constantTimeEqual(Array(decoded), expected) else {
            throw APIError(.unauthorized, "authentication required: send HTTP basic auth with the server's --http-credentials")
        }
        return try await next(request, context)
    }

    /// Compares every byte whatever the first difference, so the time taken tells nothing.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for i in 0..<max(a.count, b.count) {
            difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return difference == 0
    }
}
