internal import CCurl
import ChronosEngine
import Foundation
import Synchronization

/// One POST to a master with libcurl, run on the calling thread (a thread of its own: libcurl blocks).
/// Collects the status and headers; the body goes to `onData` for a 200 (the SUBSCRIBE stream) and is
/// kept otherwise.
///
/// `@unchecked Sendable`: its fields are touched only by the thread running `perform` (through libcurl's
/// callbacks), except `cancelled`, which is atomic.
final class CurlExchange: @unchecked Sendable {
    private static let setup: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// Set from any thread to abort the transfer (checked by libcurl's progress callback).
    let cancelled: CancelFlag
    private(set) var status = 0
    private(set) var headers: [String: String] = [:]
    private(set) var body = Data()
    /// Called once the headers of a 200 are in.
    var onOpen: (([String: String]) -> Void)?
    /// Gets the body of a 200 as it arrives; returns false to abort.
    var onData: ((UnsafeRawBufferPointer) -> Bool)?
    private var opened = false

    init(cancelled: CancelFlag = CancelFlag()) {
        self.cancelled = cancelled
    }

    /// Sends `body` to `url`; returns nil when an answer came (whatever its status), else what went wrong.
    func perform(url: String, body payload: Data, headers extra: [String], credentials: String?, timeoutSeconds: Int?) -> String? {
        _ = Self.setup
        guard let handle = curl_easy_init() else { return "curl_easy_init failed" }
        defer { curl_easy_cleanup(handle) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE))
        var list: UnsafeMutablePointer<curl_slist>?
        for header in ["Content-Type: application/json", "Accept: application/json", "Expect:"] + extra {
            list = curl_slist_append(list, header)
        }
        defer { curl_slist_free_all(list) }
        let context = Unmanaged.passUnretained(self).toOpaque()
        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { buffer in
            payload.withUnsafeBytes { raw in
                withExtendedLifetime(self) {
                    var c = chronos_curl_easy_setopt_string(handle, CURLOPT_URL, url)
                    if c == CURLE_OK { c = chronos_curl_easy_setopt_long(handle, CURLOPT_POST, 1) }
                    if c == CURLE_OK { c = chronos_curl_easy_setopt_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(list)) }
                    if c == CURLE_OK { c = chronos_curl_easy_setopt_long(handle, CURLOPT_POSTFIELDSIZE, raw.count) }
                    if c == CURLE_OK {
                        // A body of zero bytes still needs a pointer, or libcurl reads one with strlen.
                        let pointer = raw.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) } ?? UnsafeMutableRawPointer(buffer.baseAddress!)
                        c = chronos_curl_easy_setopt_pointer(handle, CURLOPT_POSTFIELDS, pointer)
                    }
                    if c == CURLE_OK { c = chronos_curl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1) }
                    if c == CURLE_OK { c = chronos_curl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, 10) }
                    if c == CURLE_OK { c = chronos_curl_easy_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1) }
                    // The stream has no overall timeout: the heartbeat watchdog closes a silent one.
                    if c == CURLE_OK, let timeoutSeconds { c = chronos_curl_easy_setopt_long(handle, CURLOPT_TIMEOUT, timeoutSeconds) }
                    if c == CURLE_OK, let credentials { c = chronos_curl_easy_setopt_string(handle, CURLOPT_USERPWD, credentials) }
                    if c == CURLE_OK { c = chronos_curl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(buffer.baseAddress!)) }
                    if c == CURLE_OK { c = chronos_curl_easy_setopt_header_function(handle) { data, size, count, context in
                        guard let data, let context else { return 0 }
                        let exchange = Unmanaged<CurlExchange>.fromOpaque(context).takeUnretainedValue()
                        exchange.header(UnsafeRawBufferPointer(start: data, count: size * count))
                        return size * count
                    } }
                    if c == CURLE_OK { c = chronos_curl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, context) }
                    if c == CURLE_OK { c = chronos_curl_easy_setopt_write_function(handle) { data, size, count, context in
                        guard let data, let context else { return 0 }
                        let exchange = Unmanaged<CurlExchange>.fromOpaque(context).takeUnretainedValue()
                        return exchange.write(UnsafeRawBufferPointer(start: data, count: size * count)) ? size * count : 0
                    } }
                    if c == CURLE_OK { c = chronos_curl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, context) }
                    if c == CURLE_OK { c = chronos_curl_easy_setopt_xferinfo_function(handle) { context, _, _, _, _ in
                        guard let context else { return 0 }
                        return Unmanaged<CurlExchange>.fromOpaque(context).takeUnretainedValue().cancelled.isSet ? 1 : 0
                    } }
                    if c == CURLE_OK { c = chronos_curl_easy_setopt_pointer(handle, CURLOPT_XFERINFODATA, context) }
                    if c == CURLE_OK { c = chronos_curl_easy_setopt_long(handle, CURLOPT_NOPROGRESS, 0) }
                    if c == CURLE_OK { c = curl_easy_perform(handle) }
                    return c
                }
            }
        }
        if code == CURLE_OK { return nil }
        if cancelled.isSet { return "closed by the framework" }
        return HTTPLibrary.failure(code: code.rawValue, errorBuffer: errorBuffer)
    }

    private func header(_ bytes: UnsafeRawBufferPointer) {
        let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("HTTP/") {
            // A new response (after an interim one): start over.
            status = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
            headers = [:]
        } else if line.isEmpty {
            if status == 200 && !opened {
                opened = true
                onOpen?(headers)
            }
        } else if let colon = line.firstIndex(of: ":") {
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
    }

    private func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if status == 200, let onData { return onData(bytes) }
        if body.count < 65_536 { body.append(contentsOf: bytes.prefix(65_536 - body.count)) }
        return true
    }
}

/// A flag set once, from any thread.
final class CancelFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .relaxed) }
    func set() { value.store(true, ordering: .relaxed) }
}
