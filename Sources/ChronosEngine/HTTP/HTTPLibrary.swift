internal import CCurl

/// The libcurl the engine fetches `uris` and talks to Mesos with.
package enum HTTPLibrary {
    /// libcurl's version, e.g. `7.88.1`.
    package static var version: String {
        guard let info = chronos_curl_version_info(), let text = info.pointee.version else { return "unknown" }
        return String(cString: text)
    }
}
