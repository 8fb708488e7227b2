internal import CCurl
import Foundation

/// Downloads one URL to a file with libcurl. Blocking: call it off the cooperative pool.
public enum CurlDownload {
    /// The body of a GET of `url` (basic auth with `credentials`, `user:password`), fetched on a
    /// thread of its own; fails on an HTTP error status.
    public static func get(_ url: String, credentials: String? = nil) async throws -> Data {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                let path = NSTemporaryDirectory() + "chronos-get-" + UUID().uuidString
                defer { try? FileManager.default.removeItem(atPath: path) }
                continuation.resume(with: Result {
                    try fetch(url, to: path, timeoutSeconds: 60, credentials: credentials)
                    return FileManager.default.contents(atPath: path) ?? Data()
                })
            }
        }
    }

    private static let setup: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// POSTs a JSON `body` to `url`; returns the status code and the response body, whatever the status.
    public static func post(_ url: String, json body: Data, credentials: String? = nil) async throws -> (status: Int, body: Data) {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                let path = NSTemporaryDirectory() + "chronos-post-" + UUID().uuidString
                defer { try? FileManager.default.removeItem(atPath: path) }
                continuation.resume(with: Result {
                    let status = try fetch(url, to: path, timeoutSeconds: 120, credentials: credentials, post: body)
                    return (status, FileManager.default.contents(atPath: path) ?? Data())
                })
            }
        }
    }

    /// Fetches `url` into `path`, following redirects; fails on an HTTP error status unless it POSTs
    /// `post`, in which case it returns the status.
    @discardableResult
    static func fetch(_ url: String, to path: String, timeoutSeconds: Int = 300, credentials: String? = nil, post: Data? = nil) throws(LaunchError) -> Int {
        _ = setup
        guard let handle = curl_easy_init() else { throw LaunchError("libcurl: curl_easy_init failed") }
        defer { curl_easy_cleanup(handle) }
        guard let file = fopen(path, "wb") else { throw LaunchError("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { fclose(file) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE))
        let body = post ?? Data()
        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { buffer in
            body.withUnsafeBytes { raw in
                var c = chronos_curl_easy_setopt_string(handle, CURLOPT_URL, url)
                if c == CURLE_OK { c = chronos_curl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, UnsafeMutableRawPointer(file)) }
                if c == CURLE_OK { c = chronos_curl_easy_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 1) }
                if c == CURLE_OK { c = chronos_curl_easy_setopt_long(handle, CURLOPT_FAILONERROR, post == nil ? 1 : 0) }
                if c == CURLE_OK { c = chronos_curl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, 30) }
                if c == CURLE_OK { c = chronos_curl_easy_setopt_long(handle, CURLOPT_TIMEOUT, timeoutSeconds) }
                if c == CURLE_OK { c = chronos_curl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1) }
                if c == CURLE_OK, let credentials { c = chronos_curl_easy_setopt_string(handle, CURLOPT_USERPWD, credentials) }
                if c == CURLE_OK { c = chronos_curl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(buffer.baseAddress!)) }
                // The header list and the body must live until the transfer ends: it happens in this scope.
                let headers = post == nil ? nil : curl_slist_append(nil, "Content-Type: application/json")
                defer { curl_slist_free_all(headers) }
                if post != nil {
                    if c == CURLE_OK { c = chronos_curl_easy_setopt_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headers)) }
                    if c == CURLE_OK { c = chronos_curl_easy_setopt_long(handle, CURLOPT_POSTFIELDSIZE, raw.count) }
                    if c == CURLE_OK { c = chronos_curl_easy_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress)) }
                }
                if c == CURLE_OK { c = curl_easy_perform(handle) }
                return c
            }
        }
        guard code == CURLE_OK else {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            throw LaunchError("fetching \(Scrub.secrets(in: url)) failed: \(message)")
        }
        var status = 0
        _ = chronos_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return status
    }
}

/// Keeps tokens and passwords out of messages.
public enum Scrub {
    /// Replaces `user:password@` in URLs and any query string.
    public static func secrets(in text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let scheme = rest.range(of: "://") {
            result += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
            let end = rest.firstIndex(where: { $0 == " " || $0 == "'" || $0 == "\"" }) ?? rest.endIndex
            var authority = rest[..<end]
            if let at = authority.lastIndex(of: "@") { authority = "***@" + authority[authority.index(after: at)...] }
            if let query = authority.firstIndex(of: "?") { authority = authority[..<query] }
            result += authority
            rest = rest[end...]
        }
        return result + rest
    }
}
