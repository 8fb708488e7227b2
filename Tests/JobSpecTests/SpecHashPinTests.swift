import Foundation
import Testing
@testable import JobSpec

/// Applied records of a running server hold spec hashes; a hash that changed for an unchanged spec would
/// make every job look drifted after an upgrade. These pin the hash, the stored JSON and the written YAML
/// of a few specs.
@Suite struct SpecHashPinTests {
    static let minimal = """
        name: tiny
        command: "true"
        schedule: ""
        """

    static let full = """
        name: full.job-1
        description: "Nightly \\"ETL\\" — ünïcode, tab\\there, a/b"
        owner: ops@example.com, dev@example.com
        ownerName: Ops Team
        command: |
          echo "hello"
          exit 0
        shell: false
        arguments: ["--date", "2026-01-01", ""]
        schedule: R5/2026-01-01T02:00:00/P1D
        scheduleTimeZone: Europe/Paris
        epsilon: PT30S
        retries: 5
        retryInterval: PT1M
        retryBackoff: 2.5
        maxRetryInterval: PT1H
        timeout: PT2H
        maxCompletionTime: 7200
        concurrencyPolicy: replace
        async: true
        softError: true
        disabled: true
        highPriority: true
        cpus: 0.5
        mem: 128
        disk: 1024.25
        runAsUser: nobody
        environmentVariables: [{name: STAGE, value: prod}, {name: EMPTY, value: ""}]
        fetch: [{uri: "https://example.com/a.tgz", extract: false, executable: true, cache: true, output_file: a.tgz}]
        container:
          type: DOCKER
          image: "registry.example.com/etl:1.2"
          network: BRIDGE
          forcePullImage: true
          volumes: [{containerPath: /data, hostPath: /srv/data, mode: RO}]
          parameters: [{key: label, value: "x=y"}]
        constraints: [[rack, EQUALS, rack-1], [host, LIKE, "web.*"]]
        executor: custom
        executorFlags: "--flag"
        taskInfoData: data
        dataProcessingJobType: true
        """

    static let child = """
        name: child
        command: echo child
        parents: [a, b]
        dependencyMode: any
        concurrent: true
        uris: ["file:///tmp/x"]
        """

    static let cron = """
        name: nightly
        command: echo cron
        cron: "0 2 * * 1-5"
        scheduleTimeZone: America/New_York
        """

    static func job(_ text: String) throws -> Job {
        let parsed = JobLoader.parse(text, file: "pin.yaml")
        #expect(parsed.diagnostics.errors.isEmpty, "\(parsed.diagnostics)")
        return try #require(parsed.jobs.first?.job)
    }

    @Test(arguments: [
        (minimal, "d306557737eb8b6d"),
        (full, "17ef6618a96cc1f8"),
        (child, "e1af2c222a4ab828"),
        (cron, "41697266b8b4c11e"),
    ])
    func hashesOfExistingSpecsDoNotChange(spec: String, hash: String) throws {
        #expect(try Self.job(spec).specHash == hash)
    }

    @Test func storedJSONOfAFullSpecDoesNotChange() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(Self.job(Self.full)), as: UTF8.self)
        #expect(json == Self.fullJSON)
    }

    @Test func writtenYAMLOfAFullSpecDoesNotChange() throws {
        #expect(try Self.job(Self.full).yaml() == Self.fullYAML)
        #expect(try Self.job(Self.child).yaml() == Self.childYAML)
    }

    static let fullJSON = "{\"arguments\":[\"--date\",\"2026-01-01\",\"\"],\"async\":true,\"command\":\"echo \\\"hello\\\"\\nexit 0\\n\",\"concurrencyPolicy\":\"replace\",\"concurrent\":false,\"constraints\":[[\"rack\",\"EQUALS\",\"rack-1\"],[\"host\",\"LIKE\",\"web.*\"]],\"container\":{\"forcePullImage\":true,\"image\":\"registry.example.com\\/etl:1.2\",\"network\":\"BRIDGE\",\"networkInfos\":[],\"networkName\":\"\",\"parameters\":[{\"key\":\"label\",\"value\":\"x=y\"}],\"type\":\"DOCKER\",\"volumes\":[{\"containerPath\":\"\\/data\",\"hostPath\":\"\\/srv\\/data\",\"mode\":\"RO\"}]},\"cpus\":0.5,\"dataProcessingJobType\":true,\"dependencyMode\":\"all\",\"description\":\"Nightly \\\"ETL\\\" — ünïcode, tab\\there, a\\/b\",\"disabled\":true,\"disk\":1024.25,\"environmentVariables\":[{\"name\":\"STAGE\",\"value\":\"prod\"},{\"name\":\"EMPTY\",\"value\":\"\"}],\"epsilon\":\"PT30S\",\"executor\":\"custom\",\"executorFlags\":\"--flag\",\"fetch\":[{\"cache\":true,\"executable\":true,\"extract\":false,\"output_file\":\"a.tgz\",\"uri\":\"https:\\/\\/example.com\\/a.tgz\"}],\"highPriority\":true,\"maxCompletionTime\":7200,\"maxRetryInterval\":\"PT1H\",\"mem\":128,\"name\":\"full.job-1\",\"owner\":\"ops@example.com, dev@example.com\",\"ownerName\":\"Ops Team\",\"retries\":5,\"retryBackoff\":2.5,\"retryInterval\":\"PT1M\",\"runAsUser\":\"nobody\",\"schedule\":\"R5\\/2026-01-01T02:00:00\\/P1D\",\"scheduleTimeZone\":\"Europe\\/Paris\",\"shell\":false,\"softError\":true,\"taskInfoData\":\"data\",\"timeout\":\"PT2H\",\"uris\":[]}"
    static let fullYAML = "name: full.job-1\ndescription: \"Nightly \\\"ETL\\\" — ünïcode, tab\\there, a/b\"\nowner: \"ops@example.com, dev@example.com\"\nownerName: \"Ops Team\"\ncommand: \"echo \\\"hello\\\"\\nexit 0\\n\"\nshell: false\narguments:\n  - \"--date\"\n  - \"2026-01-01\"\n  - \"\"\nschedule: \"R5/2026-01-01T02:00:00/P1D\"\nscheduleTimeZone: Europe/Paris\nepsilon: PT30S\nretries: 5\nretryInterval: PT1M\nretryBackoff: 2.5\nmaxRetryInterval: PT1H\ntimeout: PT2H\nmaxCompletionTime: 7200\nconcurrencyPolicy: replace\nasync: true\nsoftError: true\ndisabled: true\nhighPriority: true\ncpus: 0.5\nmem: 128\ndisk: 1024.25\nrunAsUser: nobody\nenvironmentVariables: [{\"name\":\"STAGE\",\"value\":\"prod\"},{\"name\":\"EMPTY\",\"value\":\"\"}]\nfetch: [{\"cache\":true,\"executable\":true,\"extract\":false,\"output_file\":\"a.tgz\",\"uri\":\"https://example.com/a.tgz\"}]\ncontainer: {\"forcePullImage\":true,\"image\":\"registry.example.com/etl:1.2\",\"network\":\"BRIDGE\",\"networkInfos\":[],\"networkName\":\"\",\"parameters\":[{\"key\":\"label\",\"value\":\"x=y\"}],\"type\":\"DOCKER\",\"volumes\":[{\"containerPath\":\"/data\",\"hostPath\":\"/srv/data\",\"mode\":\"RO\"}]}\nconstraints: [[\"rack\",\"EQUALS\",\"rack-1\"],[\"host\",\"LIKE\",\"web.*\"]]\nexecutor: custom\nexecutorFlags: \"--flag\"\ntaskInfoData: data\ndataProcessingJobType: true\n"
    static let childYAML = "name: child\ncommand: \"echo child\"\nparents:\n  - a\n  - b\ndependencyMode: any\nconcurrent: true\nuris:\n  - \"file:///tmp/x\"\n"
}
