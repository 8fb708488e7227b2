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
        group.get(":name/runs/:taskId/stdout") { _, context in try await output(context, "stdout") }
        group.get(":name/runs/:taskId/stderr") { _, context in try await output(context, "stderr") }
    }

    func output(_ context: BasicRequestContext, _ stream: String) async throws -> Response {
        let name = try name(context)
        let text = try context.parameters.require("taskId")
        guard let id = TaskID(text), id.job == name else {
            throw APIError(.badRequest, "\"\(text)\" is not a task id of job \(name) (ct:<due>:<attempt>:\(name))")
        }
        guard let run = try await server.store.run(id) else { throw APIError(.notFound, "no run \(text)") }
        guard !run.sandbox.isEmpty, let data = FileManager.default.contents(atPath: run.sandbox + "/" + stream) else {
            throw APIError(.notFound, "run \(text) has no \(stream) (it never started, or its sandbox is gone)")
        }
        return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    func addSystem(to router: Router<BasicRequestContext>) {
        router.get("ping") { _, _ in textResponse("pong") }
        router.get("metrics") { _, _ in
            await updateGauges()
            return textResponse(server.registry.emitToString(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("openapi.yaml") { _, _ in textResponse(OpenAPIDocument.yaml, contentType: "application/yaml") }
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
    }
}
