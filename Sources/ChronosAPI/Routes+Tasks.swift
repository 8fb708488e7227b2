import ChronosEngine
import Foundation
import Hummingbird

extension Routes {
    /// Chronos's progress report of a data job (`dataProcessingJobType`): `{"numAdditionalElementsProcessed": n}`
    /// adds n to the run's count, shown in its run record, `history` and `job/stat`. Answers as Chronos:
    /// 204, or 400 for an unknown job, a task id that is not one, a job that tracks no data, a negative
    /// count, or a run it does not have (here: one not queued or running).
    func progress(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let name = try name(context)
        let text = try context.parameters.require("taskId")
        guard let status = await scheduler.status(of: name) else { throw APIError(.badRequest, "Job '\(name)' not found") }
        guard let id = TaskID(text), id.job == name else {
            throw APIError(.badRequest, "Invalid task id format \(text): a task id of \(name) is ct:<due>:<attempt>:\(name)")
        }
        guard status.job.dataProcessingJobType else {
            throw APIError(.badRequest, "Job '\(name)' is not enabled to track data: set \"dataProcessingJobType\": true")
        }
        var request = request
        let buffer = try await request.collectBody(upTo: 64 * 1024)
        struct Body: Decodable { var numAdditionalElementsProcessed: Int64? }
        var body = Body()
        if buffer.readableBytes > 0 {
            try requireJSON(request)
            guard let decoded = try? JSONDecoder().decode(Body.self, from: Data(buffer: buffer)) else {
                throw APIError(.badRequest, "the body must be JSON like {\"numAdditionalElementsProcessed\": 100}")
            }
            body = decoded
        }
        // As Chronos: no count is no change.
        guard let count = body.numAdditionalElementsProcessed else { return Response(status: .noContent) }
        guard count >= 0 else { throw APIError(.badRequest, "numAdditionalElementsProcessed (\(count)) is not positive") }
        guard await scheduler.progress(id, elements: count) else {
            let ended = try await server.store.run(id) != nil
            throw APIError(.badRequest, ended ? "Task id \(text) has ended; progress is taken for a run while it is queued or running"
                                              : "Task id \(text) not found")
        }
        return Response(status: .noContent)
    }

    /// Chronos 2.x's `DELETE /scheduler/task/all`: drops every run not yet started (it cleared its task
    /// queues and its stored pending tasks); running runs go on and schedules are untouched. 204.
    func purgeTasks() async throws -> Response {
        _ = await scheduler.purgeQueued()
        return Response(status: .noContent)
    }
}
