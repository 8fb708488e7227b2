import Foundation
import Testing
@testable import JobSpec

/// Walks `JobField.all`: every field of `Job` is in it once, reads its own property, round-trips through
/// YAML, and (when hashed) changes the spec hash when it changes.
@Suite struct JobFieldTests {
    static let names = JobField.all.map(\.name)

    static func field(_ name: String) throws -> JobField {
        try #require(JobField.all.first { $0.name == name })
    }

    /// A YAML value for `field` that differs from its default and needs quoting or nesting where it can.
    static func sample(_ field: JobField) -> String {
        switch field.kind {
        case .string: return #""a \"b\": c/d é""#
        case .boolean: return field.defaultJSON == "true" ? "false" : "true"
        case .integer: return "7"
        case .number: return "3.5"
        case .strings: return #"[a, "b c", "", "x: y"]"#
        case .duration: return "PT1M30S"
        case .choice: return field.choices.first { JSONText.string($0) != field.defaultJSON }!
        case .environment: return #"[{name: A, value: "1"}, {name: B, value: ""}]"#
        case .fetch: return #"[{uri: "https://example.com/y.tgz", executable: true, extract: false, cache: true, output_file: y}]"#
        case .container:
            return #"{type: MESOS, image: "img:1", network: BRIDGE, forcePullImage: true, volumes: [{containerPath: /d, hostPath: /h, mode: RO}], parameters: [{key: k, value: v}]}"#
        case .constraints: return #"[[rack, LIKE, "r.*"], [host, EQUALS, h1]]"#
        }
    }

    /// A small spec, with `field` (when given) set to its sample value.
    static func spec(setting field: JobField?) -> String {
        var pairs: [(String, String)] = [("name", "t"), ("command", "c"), ("schedule", #""""#)]
        if let field {
            if field.name == "cron" || field.name == "parents" { pairs.removeAll { $0.0 == "schedule" } }
            if let i = pairs.firstIndex(where: { $0.0 == field.name }) {
                pairs[i].1 = sample(field)
            } else {
                pairs.append((field.name, sample(field)))
            }
        }
        return pairs.map { "\($0.0): \($0.1)\n" }.joined()
    }

    /// Decodes one job without the validator, which would object to samples such as a bad zone name.
    static func decode(_ text: String) throws -> Job {
        let reader = SpecReader(file: "t.yaml")
        let jobs = SpecFileLoader.jobs(in: Array(text.utf8), file: "t.yaml", defaults: JobDefaults(), limits: YAMLLimits(), reader: reader)
        #expect(reader.diagnostics.isEmpty, "\(text)\n\(reader.diagnostics)")
        return try #require(jobs.first?.job)
    }

    static func properties(_ job: Job) -> [(label: String, value: String)] {
        Mirror(reflecting: job.fields).children.map { ($0.label ?? "?", String(reflecting: $0.value)) }
    }

    @Test func environmentVariablesAreHashedAsTheEncoderWritesThem() {
        let odd = "quote \" backslash \\ slash / tab \t newline \n controls \u{0}\u{1}\u{8}\u{B}\u{C}\u{D}\u{1F}\u{7F} é 日本 🙂"
        let lists = [[], [EnvironmentVariable(name: "A", value: "")], [EnvironmentVariable(name: odd, value: odd), EnvironmentVariable(name: "B", value: "x=y")]]
        for list in lists {
            #expect(JSONText.environment(list) == JSONText.encoded(list))
        }
    }

    @Test func theTableNamesEveryStoredPropertyOnce() {
        let properties = Self.properties(Job()).map(\.label)
        #expect(Set(Self.names).count == Self.names.count, "a field is listed twice")
        #expect(Set(properties) == Set(Self.names), "Job properties without a JobField: \(Set(properties).subtracting(Self.names)); entries without a property: \(Set(Self.names).subtracting(properties))")
    }

    /// The README's table of job fields is what users read; a field missing from it is undocumented.
    @Test func theREADMEDocumentsEveryField() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let rows = readme.split(separator: "\n").filter { $0.hasPrefix("| `") }.map { $0.split(separator: "|").first ?? "" }
        let documented = Set(rows.flatMap { $0.split(separator: "`").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) } })
        #expect(Set(Self.names).subtracting(documented).isEmpty, "fields missing from the README's table: \(Set(Self.names).subtracting(documented).sorted())")
    }

    @Test(arguments: names)
    func eachEntryReadsItsOwnProperty(name: String) throws {
        let field = try Self.field(name)
        let base = try Self.decode(Self.spec(setting: nil))
        let job = try Self.decode(Self.spec(setting: field))
        var changed = zip(Self.properties(base), Self.properties(job)).filter { $0.0.value != $0.1.value }.map(\.0.label)
        if name == "cron" || name == "parents" { changed.removeAll { $0 == "schedule" } }
        #expect(changed == [name])
        #expect(field.json(of: job) != field.defaultJSON)
        #expect(field.json(of: Job()) == field.defaultJSON)
    }

    @Test(arguments: names)
    func eachFieldRoundTripsThroughYAML(name: String) throws {
        let field = try Self.field(name)
        let job = try Self.decode(Self.spec(setting: field))
        let written = job.yaml()
        #expect(written.contains("\n\(name):") || written.hasPrefix("\(name):"), "\(written)")
        let back = try Self.decode(written)
        #expect(back == job, "\(written)")
        #expect(back.yaml() == written)
    }

    /// What a store keeps: the fields the encoder writes, less those at their default, and the same job
    /// when loaded back.
    @Test(arguments: names)
    func eachFieldIsStoredAndLoadsBack(name: String) throws {
        var job = try Self.decode(Self.spec(setting: Self.field(name)))
        job.description = "quote \" backslash \\ slash / tab \t newline \n controls \u{1}\u{1F} é 🙂"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let ours = try #require(try JSONSerialization.jsonObject(with: Data(job.storedJSON.utf8)) as? [String: Any])
        let theirs = try #require(try JSONSerialization.jsonObject(with: encoder.encode(job)) as? [String: Any])
        let defaults = Set(JobField.all.filter { !$0.alwaysWritten && $0.isAtDefault(job) }.map(\.name))
        #expect(Set(ours.keys) == Set(theirs.keys).subtracting(defaults))
        #expect(NSDictionary(dictionary: ours) == NSDictionary(dictionary: theirs.filter { !defaults.contains($0.key) }), "\(job.storedJSON)")
        #expect(ours.keys.contains(name) == !defaults.contains(name))
        #expect(try Self.decode(job.storedJSON) == job)
    }

    /// Every field of a new job is seen at its default from its bytes, without calling its closures; a
    /// set field is not.
    @Test(arguments: names)
    func aDefaultIsSeenFromTheFieldsBytes(name: String) throws {
        let index = try #require(JobField.allInNameOrder.firstIndex { $0.name == name })
        let slot = JobField.allSlots[index]
        Job().withFields { #expect(slot.holdsDefault($0)) }
        let job = try Self.decode(Self.spec(setting: Self.field(name)))
        job.withFields { #expect(!slot.holdsDefault($0)) }
    }

    @Test func aJobAtEveryDefaultIsStoredAsItsNameAndCommand() throws {
        var job = Job(name: "t")
        job.command = "c"
        #expect(job.storedJSON == #"{"command":"c","name":"t"}"#)
        #expect(try Self.decode(job.storedJSON) == job)
    }

    @Test(arguments: names)
    func changingAHashedFieldChangesTheHash(name: String) throws {
        let field = try Self.field(name)
        let base = try Self.decode(Self.spec(setting: nil))
        let job = try Self.decode(Self.spec(setting: field))
        #expect(field.isHashed == (job.specHash != base.specHash))
        #expect(field.isHashed == job.canonicalFields.contains { $0.name == name && $0.json == field.json(of: job) })
    }

    @Test(arguments: names)
    func aDefaultsFileSetsOnlyWhatMayHaveADefault(name: String) throws {
        let field = try Self.field(name)
        let text = "defaults:\n  \(name): \(Self.sample(field))\n"
        let reader = SpecReader(file: "_defaults.yaml")
        let defaults = SpecFileLoader.defaults(in: Array(text.utf8), file: "_defaults.yaml", limits: YAMLLimits(), reader: reader)
        if field.mayHaveDefault {
            #expect(reader.diagnostics.isEmpty, "\(reader.diagnostics)")
            #expect(defaults.fields == [name])
            #expect(field.json(of: defaults.template) != field.defaultJSON)
        } else {
            #expect(reader.diagnostics.map(\.message) == ["\"\(name)\" cannot have a default; set it in each job"])
        }
    }

    @Test func durationsAreParsedWhenTheSpecLoads() throws {
        let job = try Self.decode("name: t\ncommand: c\nschedule: \"\"\nepsilon: PT1M30S\nretryInterval: P1DT1S\ntimeout: PT0.5S\n")
        #expect(job.epsilon?.millis == 90_000)
        #expect(job.retryInterval?.millis == 86_401_000)
        #expect(job.timeout?.millis == 500)
        #expect(job.timeout?.text == "PT0.5S", "the spec is written back as the user wrote it")
        #expect(job.yaml().contains("timeout: PT0.5S"))
        #expect(throws: ScheduleError.self) { try FixedDuration(parsing: "P1M") }
    }

    @Test func aBadDurationIsPlacedAtTheCharacterItIsAbout() throws {
        let found = try diagnostics(of: "name: a\ncommand: x\nschedule: \"\"\nepsilon: PT5X\nretryInterval: \"P1Y\"\n")
        #expect(found == [
            "a.yaml:4:13: invalid \"epsilon\": \"X\" is not a duration unit here",
            "a.yaml:5:17: \"retryInterval\" must not use years or months, which have no fixed length; write days or hours, as in P30D",
        ])
    }
}
