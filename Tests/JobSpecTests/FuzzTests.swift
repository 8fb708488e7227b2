import Foundation
import Testing
@testable import JobSpec

/// A small seeded generator (SplitMix64): every run feeds the same inputs, and a failure names the seed
/// and case that found it.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Mutated and generated inputs for the parsers that read what users and clients send: none may crash or
/// hang, whatever the input; each answers a value or an error.
@Suite struct FuzzTests {
    static let seeds: [String] = [
        "name: a\ncommand: echo hi\nschedule: R/2026-01-01T00:00:00Z/PT1H\nretries: 2\n",
        "name: b\ncommand: run\ncron: \"*/5 * * * 1-5\"\nscheduleTimeZone: Europe/Paris\nenvironmentVariables:\n  - {name: A, value: \"1\"}\n",
        "name: c\nparents: [a, b]\ncommand: x\ncontainer: {type: DOCKER, image: busybox, volumes: [{hostPath: /a, containerPath: /b, mode: RW}]}\n",
        "base: &b {cpus: 1, mem: 2}\n---\nname: d\n<<: *b\ncommand: y\nschedule: R5//P1DT2H\nfetch:\n  - uri: http://x/y.tgz\n    extract: true\n",
        "{\"name\": \"e\", \"command\": \"z\", \"schedule\": \"R/2026-03-29T02:30:00/PT30M\", \"arguments\": [\"-v\", \"--x=1\"], \"shell\": false}",
    ]

    static let fragments: [String] = [
        "\n", ": ", "- ", "[", "]", "{", "}", "&a ", "*a", "<<: *a\n", "---\n", "...\n", "\"", "'", "#", "|\n  ", ">\n  ", "!!str ",
        "!custom ", "\t", "  ", "\u{0}", "\u{FEFF}", "é", "😀", "%YAML 1.1\n", "? ", ",", "R/", "PT", "0", "-1", "1e400", "null", "~",
    ]

    /// One mutation of `bytes`: a flip, an insertion of a YAML fragment, a deletion, a duplication or a cut.
    static func mutate(_ bytes: inout [UInt8], _ random: inout SeededGenerator) {
        let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
        switch Int.random(in: 0..<5, using: &random) {
        case 0 where !bytes.isEmpty: bytes[position] ^= UInt8.random(in: 1...255, using: &random)
        case 1: bytes.insert(contentsOf: Array(fragments.randomElement(using: &random)!.utf8), at: position)
        case 2 where !bytes.isEmpty: bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...8, using: &random)))
        case 3 where !bytes.isEmpty:
            let end = min(bytes.count, position + Int.random(in: 1...64, using: &random))
            bytes.insert(contentsOf: bytes[position..<end], at: Int.random(in: 0...bytes.count, using: &random))
        default: bytes.removeSubrange(position..<bytes.count)
        }
    }

    @Test func theSpecLoaderAnswersEveryMutatedSpec() {
        var random = SeededGenerator(seed: 0x5EED_0001)
        var cases = 0
        var slowest: (Duration, String) = (.zero, "")
        let clock = ContinuousClock()
        for _ in 0..<3_000 {
            var bytes = Array(Self.seeds.randomElement(using: &random)!.utf8)
            for _ in 0..<Int.random(in: 1...6, using: &random) { Self.mutate(&bytes, &random) }
            let text = String(decoding: bytes, as: UTF8.self)
            let started = clock.now
            let parsed = JobLoader.parse(text, file: "fuzz.yaml")
            let took = clock.now - started
            if took > slowest.0 { slowest = (took, text) }
            // An answer is jobs or errors with a position inside the text.
            for diagnostic in parsed.diagnostics {
                #expect(diagnostic.mark.line >= 1 && diagnostic.mark.column >= 1)
                #expect(diagnostic.mark.line <= text.split(separator: "\n", omittingEmptySubsequences: false).count + 1, "\(diagnostic) in \(text.debugDescription)")
            }
            cases += 1
        }
        #expect(cases == 3_000)
        #expect(slowest.0 < .seconds(1), "the slowest input took \(slowest.0): \(slowest.1.debugDescription)")
    }

    @Test func hugeInputsStayWithinTheLimitsAndAreLinear() {
        var random = SeededGenerator(seed: 0x5EED_0002)
        let clock = ContinuousClock()
        // About 1 MiB each: a long list, many keys, deep flow nesting, many aliases.
        let inputs = [
            "name: a\ncommand: x\nschedule: R//PT1H\narguments:\n" + String(repeating: "  - argument\n", count: 80_000),
            "name: a\ncommand: x\nschedule: R//PT1H\n" + (0..<60_000).map { "k\($0): \(Int.random(in: 0..<10, using: &random))\n" }.joined(),
            "a: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000),
            "a: &a [x, x, x, x, x, x, x, x, x]\n" + (1..<30).map { "a\($0): &a\($0) [*a\($0 - 1 == 0 ? "" : String($0 - 1)), *a\($0 - 1 == 0 ? "" : String($0 - 1))]\n" }.joined(),
        ]
        for input in inputs {
            let started = clock.now
            let parsed = JobLoader.parse(input, file: "huge.yaml")
            #expect(clock.now - started < .seconds(2), "\(input.prefix(60).debugDescription)… took \(clock.now - started)")
            #expect(!parsed.diagnostics.isEmpty || !parsed.jobs.isEmpty)
        }
    }

    @Test func scheduleParsersAnswerEveryGeneratedExpression() {
        var random = SeededGenerator(seed: 0x5EED_0003)
        let isoPieces = ["R", "R0", "R5", "R99999999999999999999", "/", "//", "2026", "-", "01", "-02", "T", "02:30", ":00", ".5", "Z", "+05:45",
                         "-00:00", "P", "T", "1", "0.5", "Y", "M", "W", "D", "H", "S", "9999999999", ",", " ", "20260101T000000Z"]
        let cronPieces = ["*", "*/5", "0", "59", "60", "1-5", "5-1", ",", "/", "MON", "jan", "L", "?", "@hourly", "@reboot", " ", "  ", "-1", "999999999999"]
        for _ in 0..<5_000 {
            let iso = (0..<Int.random(in: 1...12, using: &random)).map { _ in isoPieces.randomElement(using: &random)! }.joined()
            if let schedule = try? Schedule.parse(iso, timeZone: nil) {
                _ = schedule.runs(after: Instant(millis: 1_767_225_600_000), count: 3)
            }
            let cron = (0..<Int.random(in: 1...9, using: &random)).map { _ in cronPieces.randomElement(using: &random)! }.joined(separator: " ")
            if let schedule = try? Schedule.parse(cron, timeZone: nil) {
                _ = schedule.runs(after: Instant(millis: 1_767_225_600_000), count: 3)
            }
            _ = try? ISODuration.parse(iso)
        }
    }
}
