import ArgumentParser
import Foundation
import JobSpec

/// `chronos-sync validate [PATH]`: load and check a folder of job specs as a whole.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a folder of job specs (or one file): every error, as file:line:column: message.",
        discussion: "Exits 0 when the specs are valid (warnings allowed), 1 when there is an error."
    )

    @Argument(help: "A folder of *.yaml/*.yml job specs, or one spec file.")
    var path: String = "jobs"

    @Flag(help: "Print the result as JSON.")
    var json = false

    @Flag(name: .shortAndLong, help: "Print only the diagnostics, no summary line.")
    var quiet = false

    func run() throws {
        let repository = JobLoader.load(path)
        let errors = repository.diagnostics.errors.count
        let warnings = repository.diagnostics.warnings.count
        if json {
            try Output.printJSON(ValidationReport(repository))
        } else {
            for diagnostic in repository.diagnostics {
                Output.stderr(diagnostic.description)
            }
            if !quiet {
                let jobs = "\(repository.jobs.count) job\(repository.jobs.count == 1 ? "" : "s") in \(repository.files.count) file\(repository.files.count == 1 ? "" : "s")"
                let warningText = warnings > 0 ? ", \(warnings) warning\(warnings == 1 ? "" : "s")" : ""
                if errors == 0 {
                    print("\(path): \(jobs): valid\(warningText)")
                } else {
                    print("\(path): \(jobs): \(errors) error\(errors == 1 ? "" : "s")\(warningText)")
                }
            }
        }
        // Ends the process here: freeing a large folder's jobs one by one, only to exit, would take
        // longer than checking them in parallel did.
        Foundation.exit(errors > 0 ? 1 : 0)
    }
}

/// The JSON document `validate --json` prints.
struct ValidationReport: Encodable {
    struct Item: Encodable {
        var severity: String
        var file: String
        var line: Int
        var column: Int
        var message: String
    }

    var path: String
    var valid: Bool
    var files: Int
    var jobs: [String]
    var diagnostics: [Item]

    init(_ repository: JobRepository) {
        path = repository.root
        valid = repository.isValid
        files = repository.files.count
        jobs = repository.jobs.map(\.job.name)
        diagnostics = repository.diagnostics.map {
            Item(severity: $0.severity.rawValue, file: $0.file, line: $0.mark.line, column: $0.mark.column, message: $0.message)
        }
    }
}
