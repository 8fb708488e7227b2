internal import CCurl
import ChronosEngine
import Foundation

/// Mail to a job's owner through an SMTP server, sent by libcurl: plain, STARTTLS or SMTPS.
package struct MailChannel: AlertChannel {
    package enum Security: String, Sendable, CaseIterable {
        /// Plain SMTP (a relay on the same host or network).
        case none
        /// SMTP, then STARTTLS before anything else is sent; a server without it is an error.
        case starttls
        /// TLS from the first byte (port 465).
        case smtps
    }

    package struct Settings: Sendable {
        /// `host:port`.
        package var server: String
        package var from: String
        package var user: String?
        /// Read from an environment variable; never shown.
        package var password: String?
        package var security: Security = .none
        /// A CA bundle for a server whose certificate a private CA signed.
        package var caFile: String?
        package var timeoutSeconds = 30

        package init(server: String, from: String, user: String? = nil, password: String? = nil, security: Security = .none, caFile: String? = nil) {
            self.server = server
            self.from = from
            self.user = user
            self.password = password
            self.security = security
            self.caFile = caFile
        }
    }

    package var settings: Settings
    package var text: NoticeText
    /// Reads the last lines of a run's stderr (a local sandbox's file); nil when it cannot.
    package var stderrTail: @Sendable (RunRecord) -> String?

    package init(_ settings: Settings, text: NoticeText,
                 stderrTail: @escaping @Sendable (RunRecord) -> String? = { NoticeText.tail(of: $0.sandbox + "/stderr") }) {
        self.settings = settings
        self.text = text
        self.stderrTail = stderrTail
    }

    package var name: String { "mail" }

    /// Run notices of jobs with an owner; the sync's go to chat and webhooks.
    package func accepts(_ notice: Notice) -> Bool {
        notice.job != nil && !notice.ownerAddresses.isEmpty
    }

    /// The whole message, headers and body, with CRLF line ends.
    package func message(_ notice: Notice, date: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let tail = notice.run.flatMap { $0.sandbox.isEmpty ? nil : stderrTail($0) }
        let body = text.body(notice, stderrTail: notice.run == nil ? nil : (tail ?? "(not available on this server)"))
        let id = "\(notice.run?.taskID.description ?? notice.kind.rawValue).\(notice.kind.rawValue).\(notice.at)"
            .map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? String($0) : "-" }.joined()
        var headers = [
            "Date: \(formatter.string(from: date))",
            "From: \(settings.from)",
            "To: \(notice.ownerAddresses.joined(separator: ", "))",
            "Subject: \(Self.encodedHeader(text.subject(notice)))",
            "Message-ID: <\(id)@chronos-sync>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
            "X-Chronos-Event: \(notice.kind.rawValue)",
        ]
        if let job = notice.job { headers.append("X-Chronos-Job: \(job)") }
        // SMTP lines end in CRLF and hold at most 998 characters.
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            var line = String(line)
            if line.hasSuffix("\r") { line.removeLast() }
            return line.utf8.count > 990 ? String(decoding: line.utf8.prefix(990), as: UTF8.self) + "…" : line
        }
        return (headers + [""] + lines).joined(separator: "\r\n")
    }

    /// A header value with non-ASCII text as an RFC 2047 encoded word.
    static func encodedHeader(_ value: String) -> String {
        guard value.unicodeScalars.contains(where: { !$0.isASCII }) else { return value }
        return "=?UTF-8?B?\(Data(value.utf8).base64EncodedString())?="
    }

    /// The SMTP URL: `smtp://host:port` or `smtps://host:port`.
    var url: String { (settings.security == .smtps ? "smtps://" : "smtp://") + settings.server }

    package func deliver(_ notice: Notice) throws(DeliveryError) {
        let payload = Payload(Array(message(notice).utf8))
        try send(payload, to: notice.ownerAddresses)
    }

    /// The message being read by libcurl; passed to its read callback as the context.
    private final class Payload {
        let bytes: [UInt8]
        var offset = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
    }

    private static let setup: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    private func send(_ payload: Payload, to recipients: [String]) throws(DeliveryError) {
        _ = Self.setup
        guard let handle = curl_easy_init() else { throw DeliveryError("mail: curl_easy_init failed") }
        defer { curl_easy_cleanup(handle) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE))
        var list: UnsafeMutablePointer<curl_slist>?
        for address in recipients { list = curl_slist_append(list, "<\(address)>") }
        defer { curl_slist_free_all(list) }
        let settings = self.settings
        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { buffer in
            withExtendedLifetime(payload) {
                var c = chronos_curl_easy_setopt_string(handle, CURLOPT_URL, url)
                if c == CURLE_OK { c = chronos_curl_easy_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(settings.from)>") }
                if c == CURLE_OK { c = chronos_curl_easy_setopt_pointer(handle, CURLOPT_MAIL_RCPT, UnsafeMutableRawPointer(list)) }
                if c == CURLE_OK, settings.security == .starttls {
                    c = chronos_curl_easy_setopt_long(handle, CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue))
                }
                if c == CURLE_OK, let ca = settings.caFile { c = chronos_curl_easy_setopt_string(handle, CURLOPT_CAINFO, ca) }
                if c == CURLE_OK, let user = settings.user, !user.isEmpty {
                    c = chronos_curl_easy_setopt_string(handle, CURLOPT_USERNAME, user)
                    if c == CURLE_OK { c = chronos_curl_easy_setopt_string(handle, CURLOPT_PASSWORD, settings.password ?? "") }
                }
                if c == CURLE_OK { c = chronos_curl_easy_setopt_long(handle, CURLOPT_UPLOAD, 1) }
                if c == CURLE_OK { c = chronos_curl_easy_setopt_read_function(handle) { data, size, count, context in
                    guard let data, let context else { return 0 }
                    let payload = Unmanaged<Payload>.fromOpaque(context).takeUnretainedValue()
                    let n = min(size * count, payload.bytes.count - payload.offset)
                    guard n > 0 else { return 0 }
                    payload.bytes.withUnsafeBufferPointer { bytes in
                        UnsafeMutableRawPointer(data).copyMemory(from: bytes.baseAddress! + payload.offset, byteCount: n)
                    }
                    payload.offset += n
                    return n
                } }
                if c == CURLE_OK { c = chronos_curl_easy_setopt_pointer(handle, CURLOPT_READDATA, Unmanaged.passUnretained(payload).toOpaque()) }
                if c == CURLE_OK { c = chronos_curl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, min(settings.timeoutSeconds, 10)) }
                if c == CURLE_OK { c = chronos_curl_easy_setopt_long(handle, CURLOPT_TIMEOUT, settings.timeoutSeconds) }
                if c == CURLE_OK { c = chronos_curl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1) }
                if c == CURLE_OK { c = chronos_curl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(buffer.baseAddress!)) }
                if c == CURLE_OK { c = curl_easy_perform(handle) }
                return c
            }
        }
        guard code == CURLE_OK else {
            let reason = HTTPLibrary.failure(code: code.rawValue, errorBuffer: errorBuffer)
            throw DeliveryError("mail through \(settings.server): \(Scrub.secrets(in: reason))")
        }
    }
}
