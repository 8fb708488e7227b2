internal import CCurl
import Foundation

/// One HTTP request made with libcurl: what the command line sends to a running server, and what
/// `import` reads from a Chronos server.
package struct HTTPRequest: Sendable {
    package enum Method: String, Sendable {
        case get = "GET", post = "POST", put = "PUT", delete = "DELETE"
    }

    package var method: Method
    package var url: String
    package var body: Data?
    package var contentType: String?
    /// `user:password` for HTTP basic auth.
    package var credentials: String?
    /// More header lines (`Name: value`).
    package var headers: [String] = []
    package var timeoutSeconds = 120
    package var connectTimeoutSeconds = 10

    package init(_ method: Method, _ url: String, body: Data? = nil, contentType: String? = nil, credentials: String? = nil) {
        self.method = method
        self.url = url
        self.body = body
        self.contentType = contentType
        self.credentials = credentials
    }
}

/// A response: its status and body, whatever the status.
package struct HTTPResponse: Sendable {
    package var status: Int
    package var body: Data
}

/// A request that got no HTTP answer (no server listening, a timeout, a bad URL).
package struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    /// libcurl's code for the failure.
    package var code: Int
    /// The URL, without credentials or query.
    package var url: String
    package var message: String

    package var description: String { "\(url): \(message)" }
}

/// Sends requests with libcurl, each on a thread of its own: libcurl blocks, and the cooperative pool
/// must not.
package enum HTTPClient {
    private static let setup: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// Sends `request` and returns the response whatever its status; throws only when no answer came.
    package static func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { () throws(HTTPClientError) in try perform(request) })
            }
        }
    }

    /// Collects a response body; passed to libcurl's write callback as its context.
    private final class Sink {
        var data = Data()
    }

    /// Sends `request` on the calling thread (which it blocks until the answer or the timeout).
    package static func perform(_ request: HTTPRequest) throws(HTTPClientError) -> HTTPResponse {
        _ = setup
        let shownURL = Scrub.secrets(in: request.url)
        guard let handle = curl_easy_init() else { throw HTTPClientError(code: -1, url: shownURL, message: "libcurl: curl_easy_init failed") }
        defer { curl_easy_cleanup(handle) }
        let sink = Sink()
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE))
        let body = request.body ?? Data()
        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { buffer in
            body.withUnsafeBytes { raw in
                withExtendedLifetime(sink) {
                    var c = chronos_curl_easy_setopt_string(handle, CURLOPT_URL, request.url)
                    if c == CURLE_OK { c = chronos_curl_easy_setopt_write_function(handle) { data, size, count, context in
                        guard let data, let context else { return 0 }
                        let sink = Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue()
                        sink.data.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: size * count)
                        return size * count
                    } }
                    if c == CURLE_OK { c = chronos_curl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(sink).toOpaque()) }
                    if c == CURLE_OK { c = chronos_curl_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method.rawValue) }
                    if c == CURLE_OK { c = chronos_curl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, request.connectTimeoutSeconds) }
                    if c == CURLE_OK { c = chronos_curl_easy_setopt_long(handle, CURLOPT_TIMEOUT, request.timeoutSeconds) }
                    if c == CURLE_OK { c = chronos_curl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1) }
                    if c == CURLE_OK { c = chronos_curl_easy_setopt_long(handle, CURLOPT_FOLLOWLOCATION, request.method == .get ? 1 : 0) }
                    if c == CURLE_OK, let credentials = request.credentials {
                        c = chronos_curl_easy_setopt_string(handle, CURLOPT_USERPWD, credentials)
                    }
                    if c == CURLE_OK { c = chronos_curl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(buffer.baseAddress!)) }
                    // The header list and the body must live until the transfer ends: it happens in this scope.
                    var headers: UnsafeMutablePointer<curl_slist>?
                    for line in (request.contentType.map { ["Content-Type: \($0)"] } ?? []) + request.headers {
                        headers = curl_slist_append(headers, line)
                    }
                    defer { curl_slist_free_all(headers) }
                    if c == CURLE_OK, headers != nil {
                        c = chronos_curl_easy_setopt_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headers))
                    }
                    if c == CURLE_OK, request.body != nil {
                        c = chronos_curl_easy_setopt_long(handle, CURLOPT_POSTFIELDSIZE, raw.count)
                        if c == CURLE_OK {
                            // A body of zero bytes still needs a pointer, or libcurl reads one with strlen.
                            let pointer = raw.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) } ?? UnsafeMutableRawPointer(buffer.baseAddress!)
                            c = chronos_curl_easy_setopt_pointer(handle, CURLOPT_POSTFIELDS, pointer)
                        }
                    }
                    if c == CURLE_OK { c = curl_easy_perform(handle) }
                    return c
                }
            }
        }
        guard code == CURLE_OK else {
            throw HTTPClientError(code: Int(code.rawValue), url: shownURL,
                                  message: Scrub.secrets(in: HTTPLibrary.failure(code: code.rawValue, errorBuffer: errorBuffer)))
        }
        var status = 0
        _ = chronos_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, body: sink.data)
    }
}
