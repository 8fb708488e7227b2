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

    /// Fetches `url` into `path`, following redirects; fails on an HTTP error status.
    static func fetch(_ url: String, to path: String, timeoutSeconds: Int = 300, credentials: String? = nil) throws(LaunchError) {
        _ = setup
        guard let handle = curl_easy_init() else { throw LaunchError("libcurl: curl_easy_init failed") }
        defer { curl_easy_cleanup(handle) }
        guard let file = fopen(path, "wb") else { throw LaunchError("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { fclose(file) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE))
        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { buffer in
            var c = chronos_curl_easy_setopt_string(handle, CURLOPT_URL, url)
            if c == CURLE_OK { c = chronos_curl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, UnsafeMutableRawPointer(file)) }
            if c == CURLE_OK { c = chronos_curl_easy_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 1) }
            if c == CURLE_OK { c = chronos_curl_easy_setopt_long(handle, CURLOPT_FAILONERROR, 1) }
            if c == CURLE_OK { c = chronos_curl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, 30) }
            if c == CURLE_OK { c = chronos_curl_easy_setopt_long(handle, CURLOPT_TIMEOUT, timeoutSeconds) }
            if c == CURLE_OK { c = chronos_curl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1) }
            if c == CURLE_OK, let credentials { c = chronos_curl_easy_setopt_string(handle, CURLOPT_USERPWD, credentials) }
            if c == CURLE_OK { c = chronos_curl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(buffer.baseAddress!)) }
            if c == CURLE_OK { c = curl_easy_perform(handle) }
            return c
        }
        guard code == CURLE_OK else {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            throw LaunchError("fetching \(Redact.url(url)) failed: \(message)")
        }
    }
}

/// Keeps secrets out of messages and logs.
enum Redact {
    /// The URL without its user information and query string.
    static func url(_ text: String) -> String {
        guard var parts = URLComponents(string: text) else { return text }
        parts.user = nil
        parts.password = nil
        parts.query = nil
        return parts.string ?? text
    }
}
