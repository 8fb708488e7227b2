import ChronosEngine
import Foundation
import JobSpec

/// A running chronos-sync server, as the commands that act on it see it: one typed method per request,
/// over its HTTP API.
struct ServerClient {
    /// The API's base URL, without a trailing slash.
    let base: String
    let credentials: String?

    init(base: String, credentials: String?) {
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.credentials = credentials
    }

    // MARK: Jobs

    /// Runs a job now; returns the run's task id.
    func runNow(_ job: String, arguments: [String]) async throws -> String {
        struct Body: Encodable { var arguments: [String] }
        struct Answer: Decodable { var taskId: String }
        let answer: Answer = try await decode(.post, "/v1/jobs/\(escaped(job))/run", json: Body(arguments: arguments))
        return answer.taskId
    }

    func kill(_ job: String) async throws {
        _ = try await send(.delete, "/v1/scheduler/task/kill/\(escaped(job))")
    }

    func markSuccess(_ job: String) async throws {
        _ = try await send(.put, "/v1/scheduler/job/success/\(escaped(job))", body: Data())
    }

    func setDisabled(_ job: String, _ disabled: Bool) async throws {
        _ = try await send(.post, "/v1/jobs/\(escaped(job))/\(disabled ? "disable" : "enable")", body: Data())
    }

    /// A job's runs, newest first.
    func runs(of job: String, limit: Int) async throws -> [RunRecord] {
        try await decode(.get, "/v1/jobs/\(escaped(job))/runs?limit=\(limit)")
    }

    /// One run's `stdout` or `stderr`.
    func output(of job: String, task: String, stream: String) async throws -> Data {
        try await send(.get, "/v1/jobs/\(escaped(job))/runs/\(escaped(task))/\(stream)")
    }

    // MARK: Sync

    /// `GET` of one of the server's documents, as JSON bytes.
    func get(_ path: String) async throws -> Data { try await send(.get, path) }

    /// Applies a saved plan (JSON); returns the sync status the server answers with.
    func apply(plan: Data) async throws -> Data {
        try await send(.post, "/v1/sync/apply", body: plan, contentType: "application/json")
    }

    // MARK: Transport

    private func escaped(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? segment
    }

    private func decode<T: Decodable>(_ method: HTTPRequest.Method, _ path: String, json body: (some Encodable)? = nil as String?) async throws -> T {
        let data = try await send(method, path, body: try body.map { try JSONEncoder().encode($0) }, contentType: body == nil ? nil : "application/json")
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw CommandError("\(base)\(path) answered with a document this chronos-sync cannot read (\(error)); is it a chronos-sync server of the same version?")
        }
    }

    /// Sends a request; a status other than 2xx becomes an error with the server's message.
    private func send(_ method: HTTPRequest.Method, _ path: String, body: Data? = nil, contentType: String? = nil) async throws -> Data {
        let response: HTTPResponse
        do {
            response = try await HTTPClient.send(HTTPRequest(method, base + path, body: body, contentType: contentType, credentials: credentials))
        } catch let error as HTTPClientError {
            throw CommandError("cannot reach the chronos-sync server at \(base): \(error.message)")
        }
        guard (200..<300).contains(response.status) else {
            let message = (try? JSONDecoder().decode(ErrorBody.self, from: response.body))?.message
                ?? String(decoding: response.body.prefix(500), as: UTF8.self)
            if response.status == 401 {
                throw CommandError("the server at \(base) wants credentials: pass --http-credentials user:password (or set MESOSPHERE_HTTP_CREDENTIALS)")
            }
            throw ServerRefusal(status: response.status, message: message.isEmpty ? "HTTP \(response.status)" : message)
        }
        return response.body
    }

    private struct ErrorBody: Decodable { var message: String }
}

/// The server answered with an error status.
struct ServerRefusal: Error, CustomStringConvertible {
    var status: Int
    var message: String
    var description: String { message }
}
