import ChronosEngine
import Foundation
import Hummingbird
import JobSpec
import Prometheus

extension Routes {
    /// `/v1/jobs/{name}/runs` and each run's output.
    func addRuns(to group: RouterGroup<BasicRequestContext>) {
        group.get(":name/runs") { request, context in
            let name = try name(context)
            guard await scheduler.status(of: name) != nil else { throw APIError(.notFound, "no job named \"\(name)\"") }
            let limit = try number(request.uri.queryParameters.get("limit"), "limit", default: 20)
            return JSONResponse(try await server.store.runs(of: name, limit: min(limit, 1000)))
        }
        group.post(":name/run") { request, context in try await runNowWithAnswer(request, context) }
        group.post(":name/disable") { _, context in try await setDisabled(context, true) }
        group.post(":name/enable") { _, context in try await setDisabled(context, false) }
        group.get(":name/runs/:taskId/stdout") { request, context in try await output(request, context, "stdout") }
        group.get(":name/runs/:taskId/stderr") { request, context in try await output(request, context, "stderr") }
    }

    /// `POST /v1/jobs/{name}/run` with `{"arguments": [...]}` (optional): runs the job now and answers with
    /// the run's task id, which Chronos's `PUT job/{name}` does not tell.
    func runNowWithAnswer(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        struct Body: Decodable { var arguments: [String]? }
        var request = request
        let buffer = try await request.collectBody(upTo: server.configuration.bodyLimit)
        var arguments: [String] = []
        if buffer.readableBytes > 0 {
            try requireJSON(request)
            do {
                arguments = try JSONDecoder().decode(Body.self, from: Data(buffer: buffer)).arguments ?? []
            } catch {
                throw APIError(.badRequest, "the body must be {\"arguments\": [\"…\"]}: \(error)")
            }
        }
        try await requireJob(context)
        var id: TaskID?
        _ = try await onJob(context) { id = try await scheduler.runNow($0, arguments: arguments) }
        return try JSONResponse(["taskId": id?.description ?? ""]).response(from: request, context: context)
    }

    /// Our own routes answer 404 for a job that does not exist (Chronos's answer 400).
    func requireJob(_ context: BasicRequestContext) async throws {
        let name = try name(context)
        guard await scheduler.status(of: name) != nil else { throw APIError(.notFound, "no job named \"\(name)\"") }
    }

    /// A body that changes state must say it is JSON, so that a cross-site form cannot send one.
    func requireJSON(_ request: Request) throws {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        guard type.hasPrefix("application/json") else {
            throw APIError(.unsupportedMediaType, "send the body with Content-Type: application/json (got \(type.isEmpty ? "none" : type))")
        }
    }

    /// A job body must be JSON or YAML: a cross-site form (`text/plain`, `application/x-www-form-urlencoded`,
    /// `multipart/form-data`) cannot create one.
    func requireSpecBody(_ request: Request) throws {
        let type = (request.headers[.contentType] ?? "").lowercased().split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let accepted: Set<String> = ["application/json", "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"]
        guard accepted.contains(type) else {
            throw APIError(.unsupportedMediaType, "send the job with Content-Type: application/json or application/yaml (got \(type.isEmpty ? "none" : type))")
        }
    }

    /// `POST /v1/jobs/{name}/disable` and `enable`.
    func setDisabled(_ context: BasicRequestContext, _ disabled: Bool) async throws -> JSONResponse<DisabledAnswer> {
        try await requireJob(context)
        let name = try await onJob(context) { try await scheduler.setDisabled($0, disabled) }
        return JSONResponse(DisabledAnswer(name: name, disabled: disabled))
    }

    struct DisabledAnswer: Encodable, Sendable {
        var name: String
        var disabled: Bool
    }

    func output(_ request: Request, _ context: BasicRequestContext, _ stream: String) async throws -> Response {
        let name = try name(context)
        let text = try context.parameters.require("taskId")
        guard let id = TaskID(text), id.job == name else {
            throw APIError(.badRequest, "\"\(text)\" is not a task id of job \(name) (ct:<due>:<attempt>:\(name))")
        }
        let query = request.uri.queryParameters
        if let follow = query.get("follow"), follow == "true" || follow == "1" {
            return try await self.follow(id, stream, offset: try number(query.get("offset"), "offset", default: 0))
        }
        guard let run = try await server.store.run(id) else { throw APIError(.notFound, "no run \(text)") }
        guard let data = await RunOutput.read(sandbox: run.sandbox, stream) else {
            throw APIError(.notFound, "run \(text) has no \(stream) (it never started, or its sandbox is gone)")
        }
        return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    func addSystem(to router: Router<BasicRequestContext>) {
        router.get("ping") { _, _ in textResponse("pong") }
        router.get("metrics") { _, _ in
            textResponse(await metricsText(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("openapi.yaml") { _, _ in textResponse(OpenAPIDocument.yaml, contentType: "application/yaml") }
        // A server without --zk is a cluster of one; an HA instance's front answers this route itself.
        router.get("v1/cluster") { _, _ in
            let me = ClusterMember(id: server.leaderAddress, api: "http://\(server.leaderAddress)", joined: server.startedAt)
            return JSONResponse(ClusterSnapshot(instance: me, leader: me, leaderSince: server.startedAt, isLeader: true, connected: true, members: [me]))
        }
    }

    /// The metrics page: the gauges read from the scheduler now, and every metric in the registry.
    func metricsText() async -> String {
        await updateGauges()
        return server.registry.emitToString()
    }

    /// Gauges read at scrape time from the scheduler.
    func updateGauges() async {
        let statuses = await scheduler.statuses()
        let registry = server.registry
        func gauge(_ name: String, _ help: String) -> Gauge {
            registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "chronos", metricName: name, unitName: "", helpText: help))
        }
        gauge("jobs", "Jobs in the scheduler").set(Double(statuses.count))
        gauge("jobs_disabled", "Disabled jobs").set(Double(statuses.filter(\.disabled).count))
        gauge("runs_running", "Runs running now").set(Double(statuses.reduce(0) { $0 + $1.running }))
        gauge("runs_queued", "Runs queued now").set(Double(statuses.reduce(0) { $0 + $1.queued }))
        // Jobs by state: one series per state, whatever the number of jobs.
        var byState: [String: Int] = ["disabled": 0, "running": 0, "queued": 0, "failing": 0, "idle": 0]
        for status in statuses {
            let state = status.disabled ? "disabled" : status.running > 0 ? "running" : status.queued > 0 ? "queued"
                : status.state.errorsSinceLastSuccess > 0 ? "failing" : "idle"
            byState[state, default: 0] += 1
        }
        let byStateName = MetricNameDescriptor(namespace: "chronos", metricName: "jobs_by_state", unitName: "", helpText: "Jobs by state")
        for (state, count) in byState {
            registry.makeGauge(descriptor: byStateName, labels: [("state", state)]).set(Double(count))
        }
    }
}
