import Foundation
import Hummingbird
import JobSpec

extension Routes {
    /// True for a `Content-Type: application/json` request.
    static func isJSON(_ request: Request) -> Bool {
        (request.headers[.contentType] ?? "").lowercased().split(separator: ";").first?.trimmingCharacters(in: .whitespaces) == "application/json"
    }

    /// What a Chronos route answers for a stored job: 204, as Chronos does, or, when something was ignored
    /// or coerced, 200 with `{"warnings": [...]}` and the first of them in a `Warning` header.
    static func accepted(warnings: [Diagnostic]) -> Response {
        guard let first = warnings.first else { return Response(status: .noContent) }
        struct Body: Encodable { var warnings: [String] }
        let lines = warnings.map { "line \($0.mark.line), column \($0.mark.column): \($0.message)" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data = (try? encoder.encode(Body(warnings: lines))) ?? Data("{}".utf8)
        var headers: HTTPFields = [.contentType: "application/json"]
        headers[.init("Warning")!] = "299 chronos-sync \"\(Self.headerSafe(first.message))\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A message fit for a quoted header value: printable ASCII, without quotes or backslashes.
    static func headerSafe(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            (32..<127).contains(scalar.value) && scalar != "\"" && scalar != "\\" ? scalar : "'"
        }))
    }
}
