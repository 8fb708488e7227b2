internal import CCurl

/// The libcurl the engine fetches `uris` and talks to Mesos with.
package enum HTTPLibrary {
    /// libcurl's version, e.g. `7.88.1`.
    package static var version: String {
        guard let info = chronos_curl_version_info(), let text = info.pointee.version else { return "unknown" }
        return String(cString: text)
    }

    /// Why a transfer failed: libcurl's error buffer, or the text of its code when the buffer is empty.
    package static func failure(code: UInt32, errorBuffer: [CChar]) -> String {
        let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return detail.isEmpty ? String(cString: curl_easy_strerror(CURLcode(rawValue: code))) : detail
    }
}
