import Alerts
import ArgumentParser
import ChronosEngine
import Foundation
import Logging

/// `serve`'s notification and metrics flags, with Chronos's names (snake_case) accepted too.
struct AlertOptions: ParsableArguments {
    @Option(name: [.customLong("mail-server"), .customLong("mail_server")], help: "SMTP server (host:port) for mail to job owners.")
    var mailServer: String?

    @Option(name: [.customLong("mail-from"), .customLong("mail_from")], help: "The From address of the mail.")
    var mailFrom: String?

    @Option(name: [.customLong("mail-user"), .customLong("mail_user")], help: "SMTP user (the password comes from the environment variable named by --mail-password-env).")
    var mailUser: String?

    @Option(name: [.customLong("mail-password-env")], help: "The environment variable that holds the SMTP password.")
    var mailPasswordEnv = "CHRONOS_SYNC_MAIL_PASSWORD"

    @Option(name: [.customLong("mail_password")], help: .hidden)
    var chronosMailPassword: String?

    @Option(name: [.customLong("mail-ssl")], help: "none, starttls (required before anything is sent) or smtps (TLS from the first byte).")
    var mailSSL = "none"

    @Flag(name: [.customLong("mail_ssl")], help: .hidden)
    var chronosMailSSL = false

    @Option(name: [.customLong("mail-ca-file")], help: "CA bundle that signed the SMTP server's certificate (default: the system's).")
    var mailCAFile: String?

    @Option(name: [.customLong("cluster-name"), .customLong("cluster_name")], help: "Prefix of notification subjects and chat lines.")
    var clusterName: String?

    @Option(name: [.customLong("public-url")], help: "Where users reach the web UI (https://chronos.example.com), for links in notifications.")
    var publicURL: String?

    @Option(name: [.customLong("slack-url"), .customLong("slack_url")], help: "Slack incoming-webhook URL.")
    var slackURL: String?

    @Option(name: [.customLong("mattermost-url"), .customLong("mattermost_url")], help: "Mattermost incoming-webhook URL.")
    var mattermostURL: String?

    @Option(name: [.customLong("notification-url"), .customLong("http_notification_url")], help: "URL that receives every notice as a JSON POST (README, Notifications).")
    var notificationURL: String?

    @Option(name: [.customLong("notification-secret")], help: "Sign --notification-url's bodies with HMAC-SHA256 (X-Chronos-Signature); or CHRONOS_SYNC_NOTIFICATION_SECRET.")
    var notificationSecret: String?

    @Option(name: [.customLong("notification-credentials"), .customLong("http_notification_credentials")], help: "user:password for basic auth on --notification-url.")
    var notificationCredentials: String?

    @Option(name: [.customLong("notification-queue")], help: "Most notices waiting per channel; more are dropped, counted and logged.")
    var notificationQueue = 1000

    @Option(name: [.customLong("graphite-host-port"), .customLong("graphite_host_port")], help: "Push the metrics to Graphite's plaintext port, host:port.")
    var graphiteHostPort: String?

    @Option(name: [.customLong("graphite-reporting-interval"), .customLong("graphite_reporting_interval")], help: "Time between Graphite pushes (60s; a bare number is seconds).")
    var graphiteReportingInterval = DurationFlag(milliseconds: 60_000)

    @Option(name: [.customLong("graphite-group-prefix"), .customLong("graphite_group_prefix")], help: "Prefix of the Graphite metric paths.")
    var graphiteGroupPrefix = ""

    @Flag(name: [.customLong("metrics-per-job")], help: "Label run metrics with the job too: one series per job (100,000 jobs make 100,000 series).")
    var metricsPerJob = false

    var security: MailChannel.Security? {
        chronosMailSSL && mailSSL == "none" ? .smtps : MailChannel.Security(rawValue: mailSSL)
    }

    func check() throws {
        guard security != nil else { throw ValidationError("--mail-ssl takes none, starttls or smtps, not \(mailSSL)") }
        if let server = mailServer, !server.contains(":") { throw ValidationError("--mail-server takes host:port, not \(server)") }
        for (flag, url) in [("--slack-url", slackURL), ("--mattermost-url", mattermostURL), ("--notification-url", notificationURL)] {
            if let url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                throw ValidationError("\(flag) takes an http:// or https:// URL")
            }
        }
        if let credentials = notificationCredentials, !credentials.contains(":") {
            throw ValidationError("--notification-credentials takes user:password")
        }
        guard notificationQueue > 0, graphiteReportingInterval.milliseconds > 0 else {
            throw ValidationError("--notification-queue and --graphite-reporting-interval must be positive")
        }
        if let hostPort = graphiteHostPort {
            do { _ = try GraphiteReporter(hostPort: hostPort, prefix: "", interval: .seconds(1), metrics: { "" }) } catch { throw ValidationError(error.message) }
        }
    }

    /// The channels the flags configure; warnings for what a user should know (a password on the command line).
    func notifier(logger: Logger) -> Notifier? {
        let text = NoticeText(clusterName: clusterName, publicURL: publicURL)
        let environment = ProcessInfo.processInfo.environment
        var channels: [any AlertChannel] = []
        if mailServer != nil, mailFrom == nil { logger.warning("--mail-server needs --mail-from: no mail is sent") }
        if let server = mailServer, let from = mailFrom {
            if chronosMailPassword != nil {
                logger.warning("--mail_password puts the SMTP password in the process list; set it in \(mailPasswordEnv) instead")
            }
            let settings = MailChannel.Settings(server: server, from: from, user: mailUser,
                                                password: environment[mailPasswordEnv] ?? chronosMailPassword,
                                                security: security ?? .none, caFile: mailCAFile)
            channels.append(MailChannel(settings, text: text))
        }
        if let slackURL { channels.append(WebhookChannel(.slack, url: slackURL, text: text)) }
        if let mattermostURL { channels.append(WebhookChannel(.mattermost, url: mattermostURL, text: text)) }
        if let notificationURL {
            channels.append(WebhookChannel(.webhook, url: notificationURL, text: text,
                                           secret: notificationSecret ?? environment["CHRONOS_SYNC_NOTIFICATION_SECRET"],
                                           credentials: notificationCredentials))
        }
        guard !channels.isEmpty else { return nil }
        let notifier = Notifier(channels: channels, limits: .init(capacity: notificationQueue))
        logger.info("notifications: \(notifier.channelNames.joined(separator: ", "))")
        return notifier
    }

    /// The Graphite push, when asked for.
    func graphite(metrics: @escaping @Sendable () async -> String) -> GraphiteReporter? {
        guard let hostPort = graphiteHostPort else { return nil }
        return try? GraphiteReporter(hostPort: hostPort, prefix: graphiteGroupPrefix, interval: graphiteReportingInterval.duration, metrics: metrics)
    }
}
