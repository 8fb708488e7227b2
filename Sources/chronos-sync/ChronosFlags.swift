import ArgumentParser

/// Chronos's flags whose feature chronos-sync does not have (`SchedulerConfiguration`, `CassandraConfiguration`,
/// `GraphiteConfiguration` and the HTTP flags of Chronos's `chaos`), accepted so that an operator's Chronos
/// command line starts the server; each one given is named in one warning that says why it does nothing.
struct ChronosFlags: ParsableArguments {
    /// One accepted flag: its Chronos name and why it is ignored.
    struct Ignored: Sendable {
        var name: String
        var reason: String
    }

    static let cassandra = "run history is kept in the state store (SQLite, or ZooKeeper with --zk), not in Cassandra"
    static let http = "the API serves plain HTTP on --http-port and --http-address; put a TLS proxy in front for HTTPS"

    @Option(name: .customLong("cassandra_contact_points"), help: .hidden) var cassandraContactPoints: String?
    @Option(name: .customLong("cassandra_port"), help: .hidden) var cassandraPort: String?
    @Option(name: .customLong("cassandra_user"), help: .hidden) var cassandraUser: String?
    @Option(name: .customLong("cassandra_password"), help: .hidden) var cassandraPassword: String?
    @Option(name: .customLong("cassandra_keyspace"), help: .hidden) var cassandraKeyspace: String?
    @Option(name: .customLong("cassandra_table"), help: .hidden) var cassandraTable: String?
    @Option(name: .customLong("cassandra_stat_count_table"), help: .hidden) var cassandraStatCountTable: String?
    @Option(name: .customLong("cassandra_consistency"), help: .hidden) var cassandraConsistency: String?
    @Option(name: .customLong("cassandra_ttl"), help: .hidden) var cassandraTTL: String?
    @Option(name: .customLong("raven_dsn"), help: .hidden) var ravenDSN: String?
    @Option(name: .customLong("leader_max_idle_time"), help: .hidden) var leaderMaxIdleTime: String?
    @Option(name: .customLong("zk_auth"), help: .hidden) var zkAuth: String?
    @Option(name: .customLong("min_revive_offers_interval"), help: .hidden) var minReviveOffersInterval: String?
    @Flag(name: .customLong("revive_offers_for_new_jobs"), help: .hidden) var reviveOffersForNewJobs = false
    @Option(name: .customLong("https_port"), help: .hidden) var httpsPort: String?
    @Option(name: .customLong("https_address"), help: .hidden) var httpsAddress: String?
    @Option(name: .customLong("ssl_keystore_path"), help: .hidden) var sslKeystorePath: String?
    @Option(name: .customLong("ssl_keystore_password"), help: .hidden) var sslKeystorePassword: String?
    @Option(name: .customLong("http_realm"), help: .hidden) var httpRealm: String?
    @Flag(name: .customLong("disable_http"), help: .hidden) var disableHTTP = false
    @Flag(name: .customLong("http_compression"), help: .hidden) var httpCompression = false
    @Flag(name: .customLong("disable_http_compression"), help: .hidden) var disableHTTPCompression = false

    /// The flags given, each with why it does nothing here; a secret's value is never shown.
    var given: [Ignored] {
        let options: [(String, String?, String)] = [
            ("cassandra_contact_points", cassandraContactPoints, Self.cassandra), ("cassandra_port", cassandraPort, Self.cassandra),
            ("cassandra_user", cassandraUser, Self.cassandra), ("cassandra_password", cassandraPassword, Self.cassandra),
            ("cassandra_keyspace", cassandraKeyspace, Self.cassandra), ("cassandra_table", cassandraTable, Self.cassandra),
            ("cassandra_stat_count_table", cassandraStatCountTable, Self.cassandra),
            ("cassandra_consistency", cassandraConsistency, Self.cassandra), ("cassandra_ttl", cassandraTTL, Self.cassandra),
            ("raven_dsn", ravenDSN, "Sentry is not supported; --notification-url sends every notice as JSON to a receiver of your own"),
            ("leader_max_idle_time", leaderMaxIdleTime, "the leader proxies requests without an idle limit of its own"),
            ("zk_auth", zkAuth, "ZooKeeper authentication is not implemented; connect to an ensemble that allows this server"),
            ("min_revive_offers_interval", minReviveOffersInterval, "the Mesos framework revives offers when it has runs waiting"),
            ("https_port", httpsPort, Self.http), ("https_address", httpsAddress, Self.http),
            ("ssl_keystore_path", sslKeystorePath, Self.http), ("ssl_keystore_password", sslKeystorePassword, Self.http),
            ("http_realm", httpRealm, "the basic-auth realm is chronos-sync"),
        ]
        let flags: [(String, Bool, String)] = [
            ("revive_offers_for_new_jobs", reviveOffersForNewJobs, "the Mesos framework revives offers when it has runs waiting"),
            ("disable_http", disableHTTP, "the REST API is how chronos-sync is driven; it cannot be turned off"),
            ("http_compression", httpCompression, "responses are not compressed"),
            ("disable_http_compression", disableHTTPCompression, "responses are not compressed"),
        ]
        return options.compactMap { $0.1 == nil ? nil : Ignored(name: $0.0, reason: $0.2) }
            + flags.compactMap { $0.1 ? Ignored(name: $0.0, reason: $0.2) : nil }
    }

    /// One line per flag given: `--mail_server is ignored: …`.
    var warnings: [String] {
        given.map { "--\($0.name) is accepted for Chronos compatibility and ignored: \($0.reason)" }
    }
}
