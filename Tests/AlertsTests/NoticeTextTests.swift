import Alerts
import ChronosEngine
import Foundation
import Testing

@Suite struct NoticeTextTests {
    static func failedRun() -> RunRecord {
        var run = RunRecord(taskID: TaskID(due: 1_767_225_600_000, attempt: 2, job: "nightly-report"), state: .failed,
                            trigger: .retry, readyAt: 1_767_225_600_000, queuedAt: 1_767_225_600_000)
        run.startedAt = 1_767_225_601_000
        run.endedAt = 1_767_225_661_000
        run.exitStatus = 3
        run.reason = "exited with status 3"
        run.host = "worker-1"
        run.sandbox = "/nonexistent/sandbox"
        return run
    }

    static let notice = Notice(kind: .retriesExhausted, at: 1_767_225_661_000, job: "nightly-report",
                               owner: "ops@example.com, dev@example.com", run: failedRun(),
                               summary: "job nightly-report failed after 3 attempts: exited with status 3")

    let text = NoticeText(clusterName: "prod", publicURL: "https://chronos.example.com/")

    @Test func subjectCarriesTheClusterAndWhatHappened() {
        #expect(text.subject(Self.notice) == "[prod] chronos-sync: job nightly-report failed after 3 attempts")
        #expect(NoticeText().subject(Notice(kind: .syncFailed, at: 0, summary: "x")) == "chronos-sync: git sync failed")
    }

    @Test func linkOpensTheRunInTheWebUI() {
        #expect(text.link(Self.notice) == "https://chronos.example.com/#/job/nightly-report?run=ct%3A1767225600000%3A2%3Anightly-report")
        #expect(text.link(Notice(kind: .drift, at: 0, summary: "x")) == "https://chronos.example.com/#/sync")
        #expect(NoticeText().link(Self.notice) == nil)
    }

    @Test func bodyNamesTheRunItsStatusAndItsStderr() {
        let body = text.body(Self.notice, stderrTail: "line 1\nline 2")
        for expected in ["Job:      nightly-report", "Run:      ct:1767225600000:2:nightly-report", "Attempt:  3", "Trigger:  retry",
                         "Exit:     3", "Reason:   exited with status 3", "Host:     worker-1", "Started:  2026-01-01T00:00:01.000Z",
                         "Last lines of stderr:\nline 1\nline 2", "https://chronos.example.com/#/job/nightly-report?run="] {
            #expect(body.contains(expected), "missing \(expected)")
        }
    }

    @Test func webhookDocumentIsStable() throws {
        let object = try #require(try JSONSerialization.jsonObject(with: text.webhook(Self.notice)) as? [String: Any])
        #expect(object["event"] as? String == "retries_exhausted")
        #expect(object["job"] as? String == "nightly-report")
        #expect(object["cluster"] as? String == "prod")
        #expect(object["owner"] as? [String] == ["ops@example.com", "dev@example.com"])
        let run = try #require(object["run"] as? [String: Any])
        #expect(run["taskId"] as? String == "ct:1767225600000:2:nightly-report")
        #expect(run["attempt"] as? Int == 2)
        #expect(run["exitStatus"] as? Int == 3)
        #expect(run["trigger"] as? String == "retry")
    }

    @Test func slackAndMattermostBodies() throws {
        let slack = try #require(try JSONSerialization.jsonObject(with: text.slack(Self.notice)) as? [String: Any])
        #expect((slack["text"] as? String)?.hasPrefix("[prod] chronos-sync: job nightly-report failed after 3 attempts") == true)
        let mattermost = try #require(try JSONSerialization.jsonObject(with: text.mattermost(Self.notice)) as? [String: Any])
        #expect(mattermost["username"] as? String == "chronos-sync")
    }

    @Test func genericWebhookIsSignedWithHMAC() throws {
        let channel = WebhookChannel(.webhook, url: "http://127.0.0.1:9/hook", text: text, secret: "s3cret")
        let request = channel.request(for: Self.notice)
        let body = try #require(request.body)
        let expected = "X-Chronos-Signature: sha256=" + Digest.hex(Digest.hmacSHA256(key: Array("s3cret".utf8), message: Array(body)))
        #expect(request.headers.contains(expected))
        #expect(request.headers.contains("X-Chronos-Event: retries_exhausted"))
        // Slack's request carries no signature header.
        #expect(WebhookChannel(.slack, url: "http://127.0.0.1:9/x", text: text, secret: "s3cret").request(for: Self.notice).headers.isEmpty)
    }

    @Test func webhookErrorsNeverShowTheURLPath() {
        let channel = WebhookChannel(.slack, url: "http://127.0.0.1:1/services/T000/B000/SECRETTOKEN", text: text)
        #expect(throws: DeliveryError.self) { try channel.deliver(Self.notice) }
        do { try channel.deliver(Self.notice) } catch {
            #expect(!error.message.contains("SECRETTOKEN"))
            #expect(error.message.contains("127.0.0.1"))
        }
    }

    @Test func mailMessageHasHeadersAndCRLF() {
        let mail = MailChannel(.init(server: "127.0.0.1:25", from: "chronos@example.com"), text: text, stderrTail: { _ in "boom" })
        let message = mail.message(Self.notice, date: Date(timeIntervalSince1970: 1_767_225_661))
        #expect(message.contains("From: chronos@example.com\r\n"))
        #expect(message.contains("To: ops@example.com, dev@example.com\r\n"))
        #expect(message.contains("Subject: [prod] chronos-sync: job nightly-report failed after 3 attempts\r\n"))
        #expect(message.contains("Date: Thu, 01 Jan 2026 00:01:01 +0000\r\n"))
        #expect(message.contains("\r\n\r\njob nightly-report failed after 3 attempts"))
        #expect(message.contains("Last lines of stderr:\r\nboom"))
        #expect(!message.contains("\n\n"))
        #expect(mail.accepts(Self.notice))
        #expect(!mail.accepts(Notice(kind: .syncFailed, at: 0, summary: "x")))
        #expect(!mail.accepts(Notice(kind: .failed, at: 0, job: "a", owner: "", summary: "x")))
    }

    @Test func tailKeepsTheLastLines() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tail-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try (1...120).map { "line \($0)" }.joined(separator: "\n").appending("\n").write(toFile: path, atomically: true, encoding: .utf8)
        let tail = try #require(NoticeText.tail(of: path))
        let lines = tail.split(separator: "\n")
        #expect(lines.count == 50)
        #expect(lines.first == "line 71")
        #expect(lines.last == "line 120")
        #expect(NoticeText.tail(of: path + ".missing") == nil)
    }
}
