internal import CCurl
import Foundation

/// Downloads one URL to a file with libcurl. Blocking: call it off the cooperative pool.
package enum CurlDownload {
    private static let setup: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// Fetches `url` into `path`, following redirects; fails on an HTTP error status.
    static func fetch(_ url: String, to path: String, timeoutSeconds: Int = 300) throws(LaunchError) {
        _ = setup
        guard let handle = curl_easy_init() else { throw LaunchError(.fetch, "libcurl: curl_easy_init failed") }
        defer { curl_easy_cleanup(handle) }
        guard let file = fopen(path, "wb") else { throw LaunchError(.fetch, "cannot create \(path): \(String(cString: strerror(errno)))") }
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
            if c == CURLE_OK { c = chronos_curl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(buffer.baseAddress!)) }
            if c == CURLE_OK { c = curl_easy_perform(handle) }
            return c
        }
        guard code == CURLE_OK else {
            let message = HTTPLibrary.failure(code: code.rawValue, errorBuffer: errorBuffer)
            throw LaunchError(.fetch, "fetching \(Scrub.secrets(in: url)) failed: \(message)")
        }
    }
}

/// Keeps tokens and passwords out of messages.
package enum Scrub {
    /// Replaces `user:password@` in URLs and any query string.
    package static func secrets(in text: String) -> String {
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
