import ArgumentParser
import ChronosEngine
import Foundation

/// The server a command talks to: `--server URL`, or the one holding the data folder (it writes its API
/// address beside its lock); and the data folder itself, for the commands that can read it offline.
struct TargetOptions: ParsableArguments {
    @Option(help: "A running chronos-sync server, e.g. http://127.0.0.1:4400 (default: the server of --data).")
    var server: String?

    @Option(name: [.customLong("http-credentials"), .customLong("http_credentials")], help: "user:password for the server (or MESOSPHERE_HTTP_CREDENTIALS).")
    var httpCredentials: String?

    @OptionGroup var data: DataOptions

    private var credentials: String? {
        httpCredentials ?? ProcessInfo.processInfo.environment["MESOSPHERE_HTTP_CREDENTIALS"]
    }

    /// The server named by `--server`, or the one running on the data folder; nil when neither.
    func client() -> ServerClient? {
        if let server { return ServerClient(base: server, credentials: credentials) }
        guard let api = DataFolderLock.holder(of: data.directory)?.api else { return nil }
        return ServerClient(base: api, credentials: credentials)
    }

    /// The server to act on; an error that says how to start one when there is none.
    func requireClient() throws -> ServerClient {
        if let client = client() { return client }
        if DataFolderLock.holder(of: data.directory) != nil {
            throw CommandError("the chronos-sync server on \(data.directory) is starting up; try again in a moment")
        }
        throw CommandError("no chronos-sync server is running on \(data.directory) (start one with: chronos-sync serve --data \(data.directory), or name one with --server URL)")
    }

    /// `GET` of a document of `--server`.
    func get(_ path: String) async throws -> Data {
        try await requireClient().get(path)
    }
}
