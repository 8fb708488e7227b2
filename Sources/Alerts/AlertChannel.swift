import ChronosEngine
import Foundation

/// One way notices leave the server: mail to the owner, Slack, Mattermost, a webhook.
package protocol AlertChannel: Sendable {
    /// `mail`, `slack`, `mattermost` or `webhook`: the label of its metrics and log lines.
    var name: String { get }
    /// True for the notices this channel sends.
    func accepts(_ notice: Notice) -> Bool
    /// Sends one notice, blocking the calling thread (a worker's own) until it is sent or has failed.
    func deliver(_ notice: Notice) throws(DeliveryError)
}

/// A send that failed. The message names the channel's host, never a URL path, a token or a password.
package struct DeliveryError: Error, Sendable, CustomStringConvertible {
    package var message: String
    package init(_ message: String) { self.message = message }
    package var description: String { message }
}

/// Where a URL points, for messages: `hooks.slack.com`, without its path (a Slack webhook's path is its secret).
func hostOnly(_ url: String) -> String {
    URLComponents(string: url)?.host ?? "the configured URL"
}

/// Slack, Mattermost and the generic webhook: one JSON POST per notice.
package struct WebhookChannel: AlertChannel {
    package enum Flavor: String, Sendable {
        case slack, mattermost, webhook
    }

    package var flavor: Flavor
    package var url: String
    package var text: NoticeText
    /// `--notification-secret`: the generic webhook's body is signed with HMAC-SHA256 under it.
    package var secret: String?
    /// `user:password` for basic auth (Chronos's `--http_notification_credentials`).
    package var credentials: String?
    package var timeoutSeconds = 10

    package init(_ flavor: Flavor, url: String, text: NoticeText, secret: String? = nil, credentials: String? = nil) {
        self.flavor = flavor
        self.url = url
        self.text = text
        self.secret = secret.flatMap { $0.isEmpty ? nil : $0 }
        self.credentials = credentials.flatMap { $0.isEmpty ? nil : $0 }
    }

    package var name: String { flavor.rawValue }

    package func accepts(_ notice: Notice) -> Bool { true }

    /// The request for one notice (its body, and for the generic webhook its event and signature headers).
    package func request(for notice: Notice) -> HTTPRequest {
        let body: Data
        switch flavor {
        case .slack: body = text.slack(notice)
        case .mattermost: body = text.mattermost(notice)
        case .webhook: body = text.webhook(notice)
        }
        var request = HTTPRequest(.post, url, body: body, contentType: "application/json", credentials: credentials)
        request.timeoutSeconds = timeoutSeconds
        request.connectTimeoutSeconds = min(timeoutSeconds, 10)
        if flavor == .webhook {
            request.headers.append("X-Chronos-Event: \(notice.kind.rawValue)")
            if let secret {
                request.headers.append("X-Chronos-Signature: sha256=" + Digest.hex(Digest.hmacSHA256(key: Array(secret.utf8), message: Array(body))))
            }
        }
        return request
    }

    package func deliver(_ notice: Notice) throws(DeliveryError) {
        let response: HTTPResponse
        do {
            response = try HTTPClient.perform(request(for: notice))
        } catch {
            throw DeliveryError("\(name) at \(hostOnly(url)): no answer (libcurl error \(error.code))")
        }
        guard (200..<300).contains(response.status) else {
            throw DeliveryError("\(name) at \(hostOnly(url)) answered \(response.status)")
        }
    }
}
