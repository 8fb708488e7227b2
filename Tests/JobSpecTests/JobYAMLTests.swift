import Foundation
import Testing
@testable import JobSpec

@Suite struct JobYAMLTests {
    /// Every job of the example repository, written as YAML and read back, is the same job.
    @Test func writtenSpecsLoadBackUnchanged() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let repository = JobLoader.load(root.appendingPathComponent("jobs").path)
        #expect(repository.jobs.count >= 7)
        for definition in repository.jobs {
            let text = definition.job.yaml()
            let back = JobLoader.parse(text, file: "written.yaml")
            #expect(back.diagnostics.isEmpty, "\(text)\n\(back.diagnostics)")
            #expect(back.jobs.first?.job == definition.job, "\(text)")
        }
    }

    @Test func scalarsAreQuotedOnlyWhenTheyMustBe() {
        #expect(Job.scalar("etl-job.v2") == "etl-job.v2")
        #expect(Job.scalar("true") == "\"true\"")
        #expect(Job.scalar("123") == "\"123\"")
        #expect(Job.scalar("R/2026-01-01T00:00:00Z/P1D") == "\"R/2026-01-01T00:00:00Z/P1D\"")
        #expect(Job.scalar("echo \"hi\": there") == "\"echo \\\"hi\\\": there\"")
        #expect(Job.scalar("") == "\"\"")
    }
}
