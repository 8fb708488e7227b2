import ChronosEngine
import Foundation

/// How notices read: the mail's subject and body, the chat line, the webhook's JSON. Pure functions of
/// the notice, so what a person receives is tested without sending anything.
package struct NoticeText: Sendable {
    /// `--cluster-name`: a prefix in subjects and chat lines.
    package var clusterName: String?
    /// `--public-url`: where the web UI is, for links to the job and the run.
    package var publicURL: String?

    package init(clusterName: String? = nil, publicURL: String? = nil) {
        self.clusterName = clusterName.flatMap { $0.isEmpty ? nil : $0 }
        self.publicURL = publicURL.flatMap { $0.isEmpty ? nil : String($0.trimmingSuffix("/")) }
    }

    /// The subject line: `[cluster] chronos-sync: job nightly failed after 3 attempts`.
    package func subject(_ notice: Notice) -> String {
        let prefix = clusterName.map { "[\($0)] " } ?? ""
        let what: String
        switch notice.kind {
        case .failed: what = "job \(notice.job ?? "?") failed"
        case .retriesExhausted: what = "job \(notice.job ?? "?") failed after \((notice.run?.taskID.attempt ?? 0) + 1) attempts"
        case .disabled: what = "job \(notice.job ?? "?") disabled after repeated failures"
        case .succeeded: what = "job \(notice.job ?? "?") succeeded"
        case .syncFailed: what = "git sync failed"
        case .drift: what = "jobs changed outside git"
        }
        return prefix + "chronos-sync: " + what
    }

    /// The web UI's page of the run (or the job, or the sync page), when `--public-url` is set.
    package func link(_ notice: Notice) -> String? {
        guard let base = publicURL else { return nil }
        guard let job = notice.job else { return base + "/#/sync" }
        let name = job.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? job
        guard let run = notice.run else { return base + "/#/job/\(name)" }
        let id = run.taskID.description.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? ""
        return base + "/#/job/\(name)?run=\(id)"
    }

    /// URI's unreserved characters: everything else in a query value is percent-encoded.
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// The plain-text body of a mail: what happened, the run, its exit status or reason, its last stderr lines, a link.
    package func body(_ notice: Notice, stderrTail: String?) -> String {
        var lines = [notice.summary, ""]
        if let job = notice.job { lines.append("Job:      \(job)") }
        if let run = notice.run {
            lines.append("Run:      \(run.taskID)")
            lines.append("Attempt:  \(run.taskID.attempt + 1)")
            lines.append("Trigger:  \(run.trigger.rawValue)")
            lines.append("State:    \(run.state.rawValue)")
            if let status = run.exitStatus { lines.append("Exit:     \(status)") }
            if !run.reason.isEmpty { lines.append("Reason:   \(run.reason)") }
            if !run.host.isEmpty { lines.append("Host:     \(run.host)") }
            if let started = run.startedAt { lines.append("Started:  \(Self.iso(started))") }
            if let ended = run.endedAt { lines.append("Ended:    \(Self.iso(ended))") }
        }
        if let cluster = clusterName { lines.append("Cluster:  \(cluster)") }
        if let link = link(notice) { lines += ["", link] }
        if let tail = stderrTail {
            lines += ["", "Last lines of stderr:", tail.isEmpty ? "(empty)" : tail]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One chat line (Slack's and Mattermost's markdown), with the link when there is one.
    package func chatText(_ notice: Notice) -> String {
        var text = subject(notice)
        if notice.summary != text { text += "\n" + notice.summary }
        if let run = notice.run { text += "\nrun `\(run.taskID)` (\(run.trigger.rawValue))" }
        if let link = link(notice) { text += "\n<\(link)|open in chronos-sync>" }
        return text
    }

    /// Slack's incoming-webhook body.
    package func slack(_ notice: Notice) -> Data {
        json(["text": chatText(notice)])
    }

    /// Mattermost's incoming-webhook body (Mattermost reads Slack's `<url|text>` links too).
    package func mattermost(_ notice: Notice) -> Data {
        json(["text": chatText(notice), "username": "chronos-sync"])
    }

    /// The generic webhook's document (README, "Notifications"): the event, the job, the run, the summary.
    package func webhook(_ notice: Notice) -> Data {
        var object: [String: Any] = ["event": notice.kind.rawValue, "at": Self.iso(notice.at), "summary": notice.summary,
                                     "subject": subject(notice)]
        if let cluster = clusterName { object["cluster"] = cluster }
        if let job = notice.job { object["job"] = job }
        if !notice.owner.isEmpty { object["owner"] = notice.ownerAddresses }
        if let link = link(notice) { object["url"] = link }
        if let run = notice.run {
            var r: [String: Any] = ["taskId": run.taskID.description, "attempt": run.taskID.attempt, "trigger": run.trigger.rawValue,
                                    "state": run.state.rawValue, "due": Self.iso(run.taskID.due)]
            if let status = run.exitStatus { r["exitStatus"] = Int(status) }
            if !run.reason.isEmpty { r["reason"] = run.reason }
            if !run.host.isEmpty { r["host"] = run.host }
            if let started = run.startedAt { r["startedAt"] = Self.iso(started) }
            if let ended = run.endedAt { r["endedAt"] = Self.iso(ended) }
            object["run"] = r
        }
        return json(object)
    }

    private func json(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    }

    /// `2026-12-03T14:05:00.123Z`.
    package static func iso(_ ms: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    /// The last `count` lines of a file (at most its last 64 KB are read); nil when it cannot be read.
    package static func tail(of path: String, lines count: Int = 50) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd() else { return nil }
        let window: UInt64 = 64 << 10
        try? handle.seek(toOffset: size > window ? size - window : 0)
        guard let data = try? handle.readToEnd() else { return "" }
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        if size > window, !lines.isEmpty { lines.removeFirst() }  // the first line was cut
        return lines.suffix(count).joined(separator: "\n")
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: Character) -> Substring {
        var s = Substring(self)
        while s.last == suffix { s = s.dropLast() }
        return s
    }
}
