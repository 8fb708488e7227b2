import Foundation
import Hummingbird
import JobSpec

/// An API error: its status, and a JSON body that says what is wrong and where.
package struct APIError: HTTPResponseError, Sendable {
    /// One problem in a request body, at a line and column of it.
    package struct Problem: Encodable, Sendable {
        var line: Int?
        var column: Int?
        var message: String
    }

    package var status: HTTPResponse.Status
    package var message: String
    package var problems: [Problem] = []

    package init(_ status: HTTPResponse.Status, _ message: String, problems: [Problem] = []) {
        self.status = status
        self.message = message
        self.problems = problems
    }

    /// A 400 for a job body that does not load, listing every error with its line and column.
    static func invalidJob(_ diagnostics: [Diagnostic]) -> APIError {
        let errors = diagnostics.filter { $0.severity == .error }
        let summary = errors.first.map { "line \($0.mark.line), column \($0.mark.column): \($0.message)" } ?? "invalid job"
        return APIError(.badRequest, errors.count > 1 ? "\(summary) (and \(errors.count - 1) more)" : summary,
                        problems: (errors + diagnostics.warnings).map { d in
                            Problem(line: d.mark.line, column: d.mark.column, message: (d.severity == .warning ? "warning: " : "") + d.message)
                        })
    }

    struct Body: Encodable {
        var status: Int
        var message: String
        var errors: [Problem]?
    }

    package func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try JSONResponse(Body(status: Int(status.code), message: message, errors: problems.isEmpty ? nil : problems), status: status)
            .response(from: request, context: context)
        if status == .unauthorized {
            response.headers[.wwwAuthenticate] = "Basic realm=\"chronos-sync\""
            // The server closes the connection after a 401; the client learns it here.
            response.headers[.connection] = "close"
        }
        return response
    }
}

/// A JSON response with a status.
struct JSONResponse<Value: Encodable & Sendable>: ResponseGenerator {
    var value: Value
    var status: HTTPResponse.Status = .ok

    init(_ value: Value, status: HTTPResponse.Status = .ok) {
        self.value = value
        self.status = status
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// A plain-text response.
func textResponse(_ text: String, status: HTTPResponse.Status = .ok, contentType: String = "text/plain; charset=utf-8") -> Response {
    Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: text)))
}
