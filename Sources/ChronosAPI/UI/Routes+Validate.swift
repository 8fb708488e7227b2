import ChronosEngine
import Foundation
import Hummingbird
import JobSpec

extension Routes {
    /// What `POST /v1/validate` answers: the body's problems with their line and column (the same messages
    /// `chronos-sync validate` prints), and the spec as it would be written to git.
    struct Validation: Encodable, Sendable {
        struct Item: Encodable, Sendable {
            var severity: String
            var line: Int
            var column: Int
            var message: String
        }

        var valid: Bool
        var diagnostics: [Item]
        /// The job's name, when the body holds exactly one job that loads.
        var name: String?
        /// The spec file to commit, when the body holds exactly one job that loads.
        var yaml: String?
        /// Where the job of that name comes from now: `api`, a spec's `file:line:column`, or nil when new.
        var liveSource: String?
    }

    /// `POST /v1/validate` with a job as YAML or JSON: checks it as `validate` checks a spec file, and its
    /// parents against the live jobs. Always 200; `valid` says whether the job can be saved.
    func validateSpec(_ request: Request) async throws -> JSONResponse<Validation> {
        let parsed = try await parseSpecBody(request)
        var diagnostics = parsed.diagnostics
        if parsed.jobs.isEmpty && diagnostics.errors.isEmpty {
            diagnostics.append(Diagnostic(.error, file: "request body", mark: Mark(line: 1, column: 1), message: "the spec holds no job"))
        }
        let inBody = Set(parsed.jobs.map(\.job.name))
        for definition in parsed.jobs {
            for (i, parent) in (definition.job.parents ?? []).enumerated() where !inBody.contains(parent) {
                guard await scheduler.status(of: parent) == nil else { continue }
                let mark = i < definition.parentMarks.count ? definition.parentMarks[i] : definition.mark(of: "parents")
                diagnostics.append(Diagnostic(.error, file: "request body", mark: mark,
                                              message: "parent \"\(parent)\" of job \"\(definition.job.name)\" does not exist"))
            }
        }
        diagnostics.sort { ($0.mark.line, $0.mark.column) < ($1.mark.line, $1.mark.column) }
        let single = parsed.jobs.count == 1 ? parsed.jobs.first : nil
        let live = if let single { await scheduler.status(of: single.job.name) } else { JobStatus?.none }
        return JSONResponse(Validation(
            valid: diagnostics.errors.isEmpty && single != nil,
            diagnostics: diagnostics.map { Validation.Item(severity: $0.severity.rawValue, line: $0.mark.line, column: $0.mark.column, message: $0.message) },
            name: single?.job.name,
            yaml: single.map { $0.job.yaml() },
            liveSource: live?.source.stored))
    }
}
