import ChronosEngine
import Foundation
import Hummingbird
import JobSpec

/// The handlers, shared by the `/v1/scheduler` and `/scheduler` prefixes.
struct Routes: Sendable {
    let server: APIServer
    var scheduler: Scheduler { server.scheduler }

    func addScheduler(to group: RouterGroup<BasicRequestContext>) {
        group.get("jobs") { _, _ in JSONResponse(await scheduler.statuses().map(chronosJSON)) }
        group.get("job/:name") { _, context in try await job(context) }
        group.get("jobs/summary") { _, _ in
            let bytes = await server.summaryCache.document(scheduler) { JobSummary.document($0) }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        group.get("jobs/search") { request, _ in try await search(request) }
        group.post("iso8601") { request, context in try await upsert(request, context, dependent: false) }
        group.put("iso8601") { request, context in try await upsert(request, context, dependent: false) }
        group.post("dependency") { request, context in try await upsert(request, context, dependent: true) }
        group.put("dependency") { request, context in try await upsert(request, context, dependent: true) }
        group.put("job/:name") { request, context in try await runNow(request, context) }
        group.delete("job/:name") { _, context in try await delete(context) }
        group.put("job/success/:name") { _, context in try await markSuccess(context) }
        group.delete("task/kill/:name") { _, context in try await kill(context) }
        group.get("job/stat/:name") { _, context in try await stat(context) }
        group.get("stats/:percentile") { _, context in try await stats(context) }
        group.get("graph/dot") { _, _ in textResponse(Graph.dot(await scheduler.statuses())) }
        group.get("graph/csv") { _, _ in textResponse(Graph.csv(await scheduler.statuses())) }
        group.get("leader") { _, _ in JSONResponse(["leader": server.leaderAddress]) }
        group.put("task/:taskId") { request, context in try await asyncCallback(request, context) }
        group.post("job/:name/task/:taskId/progress") { request, context in try await progress(request, context) }
        group.delete("task/all") { _, _ in try await purgeTasks() }
    }

    func name(_ context: BasicRequestContext) throws -> String {
        try context.parameters.require("name")
    }

    func job(_ context: BasicRequestContext) async throws -> JSONResponse<ChronosJobJSON> {
        let name = try name(context)
        guard let status = await scheduler.status(of: name) else { throw APIError(.badRequest, "no job named \"\(name)\"") }
        return JSONResponse(chronosJSON(status))
    }

    func search(_ request: Request) async throws -> JSONResponse<[ChronosJobJSON]> {
        let query = request.uri.queryParameters
        let name = query.get("name")?.lowercased()
        let command = query.get("command")?.lowercased()
        let any = query.get("any")?.lowercased()
        let limit = try number(query.get("limit"), "limit", default: 10)
        let offset = try number(query.get("offset"), "offset", default: 0)
        let matches = await scheduler.statuses().filter { s in
            let jobName = s.job.name.lowercased()
            let jobCommand = s.job.command.lowercased()
            if let name, !jobName.contains(name) { return false }
            if let command, !jobCommand.contains(command) { return false }
            if let any, !jobName.contains(any) && !jobCommand.contains(any) { return false }
            return true
        }
        return JSONResponse(matches.dropFirst(offset).prefix(limit).map(chronosJSON))
    }

    func number(_ text: String?, _ field: String, default value: Int) throws -> Int {
        guard let text else { return value }
        guard let n = Int(text), n >= 0 else { throw APIError(.badRequest, "query parameter \(field) must be a whole number ≥ 0, not \"\(text)\"") }
        return n
    }

    /// Loads the jobs of a JSON or YAML body, off the cooperative pool; 415 for another type, 413 past the limit.
    /// With `chronos`, a JSON body is read as Chronos reads it (`JobLoader.parseChronos`).
    func parseSpecBody(_ request: Request, chronos: Bool = false) async throws -> (jobs: [JobDefinition], diagnostics: [Diagnostic]) {
        try requireSpecBody(request)
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: server.configuration.bodyLimit)
        } catch {
            throw APIError(.contentTooLarge, "the request body is over the limit of \(server.configuration.bodyLimit) bytes")
        }
        let text = String(buffer: buffer)
        let lenient = chronos && Self.isJSON(request)
        return await RequestWork.run { lenient ? JobLoader.parseChronos(text, file: "request body") : JobLoader.parse(text, file: "request body") }
    }

    /// Creates or replaces a job from its JSON (or YAML) body.
    func upsert(_ request: Request, _ context: BasicRequestContext, dependent: Bool) async throws -> Response {
        let parsed = try await parseSpecBody(request, chronos: true)
        if parsed.diagnostics.contains(where: { $0.severity == .error }) { throw APIError.invalidJob(parsed.diagnostics) }
        guard parsed.jobs.count == 1, let definition = parsed.jobs.first else {
            throw APIError(.badRequest, parsed.jobs.isEmpty ? "the request body holds no job" : "the request body holds \(parsed.jobs.count) jobs; send one at a time")
        }
        let job = definition.job
        if dependent && (job.parents ?? []).isEmpty {
            throw APIError(.badRequest, "a dependent job needs a non-empty \"parents\" list (use /iso8601 for a scheduled job)")
        }
        if !dependent && job.parents != nil {
            throw APIError(.badRequest, "a job with \"parents\" goes to /dependency, not /iso8601")
        }
        // cpus, mem, disk and runAsUser equal to the server's defaults stay unset (`ChronosJobDefaults.unfilled`).
        var applied = AppliedJob(definition, source: .api, appliedAt: Instant.now.millis)
        applied.job = server.configuration.jobDefaults.unfilled(job, keeping: await scheduler.status(of: job.name)?.job)
        do {
            try await scheduler.upsert(applied)
        } catch let rejection as JobRejection {
            throw APIError(.badRequest, rejection.description)
        }
        return Self.accepted(warnings: parsed.diagnostics.warnings)
    }

    /// Runs a command on the job named in the path; an unknown job or a refusal answers 400.
    func onJob(_ context: BasicRequestContext, _ command: (String) async throws -> Void) async throws -> String {
        let name = try name(context)
        do {
            try await command(name)
        } catch is UnknownJobError {
            throw APIError(.badRequest, "no job named \"\(name)\"")
        } catch let rejection as JobRejection {
            throw APIError(.badRequest, rejection.description)
        }
        return name
    }

    /// As Chronos: the `arguments` text is appended to the command as it is, for this run only (and its
    /// retries); a blank one runs the job with its own arguments.
    func runNow(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let text = Self.formValue(request.uri.query, "arguments")
        let argumentText = text.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        _ = try await onJob(context) { _ = try await scheduler.runNow($0, argumentText: argumentText) }
        return Response(status: .noContent)
    }

    /// A query parameter read as Chronos's JAX-RS reads one: a form value, where `+` is a space (curl's
    /// `--data-urlencode` writes a space so) and `%2B` a plus.
    static func formValue(_ query: String?, _ name: String) -> String? {
        func decoded(_ text: Substring) -> String {
            let spaced = text.replacingOccurrences(of: "+", with: " ")
            return spaced.removingPercentEncoding ?? spaced
        }
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if decoded(parts[0]) == name { return parts.count > 1 ? decoded(parts[1]) : "" }
        }
        return nil
    }

    /// As Chronos: a job's children are re-parented (to its parents, or given its schedule), not refused.
    func delete(_ context: BasicRequestContext) async throws -> Response {
        _ = try await onJob(context) { _ = try await scheduler.deleteReparenting($0) }
        return Response(status: .noContent)
    }

    /// Chronos answers 200 "…: false" for a job it does not know.
    func markSuccess(_ context: BasicRequestContext) async throws -> Response {
        let name = try name(context)
        guard await scheduler.status(of: name) != nil else { return textResponse("marked job \(name) as successful: false") }
        _ = try await onJob(context) { try await scheduler.markSuccess($0) }
        return textResponse("marked job \(name) as successful: true")
    }

    func kill(_ context: BasicRequestContext) async throws -> Response {
        _ = try await onJob(context) { try await scheduler.kill($0) }
        return Response(status: .noContent)
    }

    /// Chronos's async task callback: `{"statusCode": 0}` ends the run successfully.
    func asyncCallback(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let text = try context.parameters.require("taskId")
        guard let id = TaskID(text) else { throw APIError(.badRequest, "\"\(text)\" is not a task id (ct:<due>:<attempt>:<job>)") }
        var request = request
        let buffer = try await request.collectBody(upTo: 64 * 1024)
        struct Body: Decodable { var statusCode: Int32 }
        guard let body = try? JSONDecoder().decode(Body.self, from: Data(buffer: buffer)) else {
            throw APIError(.badRequest, "the body must be JSON like {\"statusCode\": 0}")
        }
        await scheduler.asyncReported(id, statusCode: body.statusCode)
        return Response(status: .noContent)
    }
}
