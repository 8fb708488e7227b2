import Foundation
import Testing
import ChronosEngine
import JobSpec
@testable import ChronosAPI

/// Walks `JobField.all`: every field goes out in Chronos's JSON under its Chronos name and comes back
/// the same through the loader (as `import` and Chronos clients use it).
@Suite struct ChronosJobFieldTests {
    /// A YAML value for `field` that differs from its default.
    static func sample(_ field: JobField) -> String {
        switch field.kind {
        case .string: return #""a \"b\": c/d é""#
        case .boolean: return field.defaultJSON == "true" ? "false" : "true"
        case .integer: return "7"
        case .number: return "3.5"
        case .strings: return #"[a, "b c", ""]"#
        case .duration: return "PT1M30S"
        case .choice: return field.choices.first { "\"\($0)\"" != field.defaultJSON }!
        case .environment: return #"[{name: A, value: "1"}]"#
        case .fetch: return #"[{uri: "https://example.com/y.tgz", executable: true, extract: false}]"#
        case .container: return #"{type: DOCKER, image: "img:1", network: BRIDGE, volumes: [{containerPath: /d, mode: RO}]}"#
        case .constraints: return #"[[rack, LIKE, "r.*"]]"#
        }
    }

    static func job(setting field: JobField) throws -> Job {
        var pairs: [(String, String)] = [("name", "t"), ("command", "c"), ("schedule", #""""#)]
        if field.name == "cron" || field.name == "parents" { pairs.removeAll { $0.0 == "schedule" } }
        if let i = pairs.firstIndex(where: { $0.0 == field.name }) { pairs[i].1 = sample(field) } else { pairs.append((field.name, sample(field))) }
        let parsed = JobLoader.parse(pairs.map { "\($0.0): \($0.1)\n" }.joined(), file: "t.yaml")
        return try #require(parsed.jobs.first?.job)
    }

    static func chronosJSON(_ job: Job) throws -> String {
        let status = JobStatus(job: job, source: .spec(location: "test"), state: JobState(firstApplied: 0), disabled: job.disabled, queued: 0, running: 0, nextDue: nil)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(ChronosJobJSON(status: status)), as: UTF8.self)
    }

    /// `job` as the Chronos API shows it: what it leaves unset filled as Chronos fills it.
    static func filled(_ job: Job) -> Job {
        let defaults = ChronosJobDefaults()
        var job = job
        if job.cpus == 0 { job.cpus = defaults.cpus }
        if job.mem == 0 { job.mem = defaults.mem }
        if job.disk == 0 { job.disk = defaults.disk }
        if job.runAsUser.isEmpty { job.runAsUser = defaults.user }
        if job.fetch.isEmpty && !job.uris.isEmpty {
            job.fetch = job.uris.map { FetchURI(uri: $0) }
            job.uris = []
        }
        return job
    }

    @Test func unsetResourcesAndUserShowTheServersDefaults() throws {
        var job = Job(name: "t")
        job.command = "c"
        job.schedule = ""
        job.uris = ["https://example.com/a"]
        let status = JobStatus(job: job, source: .api, state: JobState(firstApplied: 0), disabled: false, queued: 0, running: 0, nextDue: nil)
        let json = try JSONEncoder().encode(ChronosJobJSON(status: status, defaults: ChronosJobDefaults(cpus: 0.25, mem: 64, disk: 512, user: "batch")))
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(object["cpus"] as? Double == 0.25 && object["mem"] as? Double == 64 && object["disk"] as? Double == 512)
        #expect(object["runAsUser"] as? String == "batch")
        #expect((object["fetch"] as? [[String: Any]])?.first?["uri"] as? String == "https://example.com/a")
        #expect(object["uris"] as? [String] == ["https://example.com/a"])
    }

    @Test func valuesEqualToTheDefaultsAreLeftUnsetUnlessTheJobSetsThem() {
        let defaults = ChronosJobDefaults(cpus: 0.25, mem: 64, disk: 512, user: "batch")
        var job = Job(name: "t")
        job.cpus = 0.25
        job.mem = 65
        job.disk = 512
        job.runAsUser = "batch"
        let posted = defaults.unfilled(job)
        #expect(posted.cpus == 0 && posted.mem == 65 && posted.disk == 0 && posted.runAsUser.isEmpty)
        var existing = Job(name: "t")
        existing.cpus = 0.25
        let kept = defaults.unfilled(job, keeping: existing)
        #expect(kept.cpus == 0.25 && kept.disk == 0, "a value the job sets explicitly stays set")
    }

    @Test(arguments: JobField.all.map(\.name))
    func eachFieldRoundTripsThroughChronosJSON(name: String) throws {
        let field = try #require(JobField.all.first { $0.name == name })
        let job = try Self.job(setting: field)
        #expect(field.json(of: job) != field.defaultJSON, "the sample sets \(name)")
        let json = try Self.chronosJSON(job)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object[field.chronosName] != nil, "\(json)")
        // Read back as Chronos reads it: unset resources and user come back filled, uris as fetch entries.
        let back = try #require(JobLoader.parseChronos(json, file: "t.json").jobs.first?.job)
        #expect(back == Self.filled(job), "\(json)")
        #expect(try Self.chronosJSON(back) == json)
    }
}
