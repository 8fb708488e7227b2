import ChronosEngine
import Foundation
import Hummingbird
import JobSpec

extension Routes {
    /// The web UI at `/` and its files under `/ui/`, and the routes written for it: the job list with each
    /// job's latest runs (`GET /v1/jobs`), one job with its spec as YAML and next runs
    /// (`GET /v1/jobs/{name}`), and the spec check the editor calls as the user types (`POST /v1/validate`).
    func addUI(to router: Router<BasicRequestContext>) {
        let strips = RunStripCache()
        router.get("/") { _, _ in try UIAssets.response(for: "index.html") }
        router.get("ui/:file") { _, context in try UIAssets.response(for: try context.parameters.require("file")) }
        router.get("v1/jobs") { request, _ in try await jobListing(request, strips: strips) }
        router.get("v1/jobs/:name") { _, context in try await jobDetail(context) }
        router.post("v1/validate") { request, _ in try await validateSpec(request) }
    }

    /// `GET /v1/jobs?runs=N`: every job in one compact document, with the states of its latest N runs
    /// (default 10, at most 50), oldest first. Its ETag is the scheduler's version and the run strips'
    /// generation: a page that polls gets 304 and no body while neither changed (megabytes a poll at
    /// 10,000 jobs).
    func jobListing(_ request: Request, strips: RunStripCache) async throws -> Response {
        let count = min(try number(request.uri.queryParameters.get("runs"), "runs", default: 10), 50)
        let (version, statuses) = await scheduler.versionedStatuses()
        if request.headers[.ifNoneMatch] == "\"\(strips.instance)-\(version)-\(strips.generation)-\(count)\"",
           count == 0 || !strips.needsRead(statuses, limit: count) {
            return Response(status: .notModified, headers: [.eTag: request.headers[.ifNoneMatch]!, .cacheControl: "no-cache"])
        }
        let runs = count == 0 ? [:] : await strips.strips(for: statuses, store: server.store, limit: count)
        let tag = "\"\(strips.instance)-\(version)-\(strips.generation)-\(count)\""
        let bytes = await RequestWork.run { JobListing.document(statuses, runs: runs, now: Instant.now.millis) }
        return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-cache", .eTag: tag],
                        body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// `GET /v1/jobs/{name}`: one job as the job page shows it.
    func jobDetail(_ context: BasicRequestContext) async throws -> JSONResponse<JobDetail> {
        let name = try name(context)
        guard let status = await scheduler.status(of: name) else { throw APIError(.notFound, "no job named \"\(name)\"") }
        return JSONResponse(JobDetail(status, now: Instant.now))
    }
}
