import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import ChronosAPI

/// Mutated Chronos job bodies sent to the API in process: each gets an answer a client can act on
/// (204, or 400 with a JSON message), never a server error, and the server keeps answering.
@Suite struct BodyFuzzTests {
    /// xorshift64*: seeded, so every run sends the same bodies.
    struct Xorshift: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state >> 12; state ^= state << 25; state ^= state >> 27
            return state &* 2_685_821_657_736_338_717
        }
    }

    static let body = #"{"name": "fuzzed", "command": "echo hi", "schedule": "R/2030-01-01T00:00:00Z/PT1H", "cpus": 0.5, "mem": 64, "arguments": ["-v"], "environmentVariables": [{"name": "A", "value": "1"}], "constraints": [["rack", "EQUALS", "a"]], "retries": 2}"#
    static let inserts = ["{", "}", "[", "]", ",", ":", "\"", "\\", "\\u0000", "null", "-1", "1e999", "true", "\"\"", "\u{1F600}", "\n", "R/", "PT"]

    @Test func mutatedJobBodiesNeverGetAServerError() async throws {
        let test = try await TestServer()
        defer { test.remove() }
        var random = Xorshift(state: 0x5EED_0004)
        var bodies: [[UInt8]] = []
        for _ in 0..<400 {
            var bytes = Array(Self.body.utf8)
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let at = Int.random(in: 0..<bytes.count, using: &random)
                if Bool.random(using: &random) {
                    bytes.insert(contentsOf: Array(Self.inserts.randomElement(using: &random)!.utf8), at: at)
                } else {
                    bytes.remove(at: at)
                }
            }
            bodies.append(bytes)
        }
        try await test.server.application().test(.router) { [bodies] client in
            var statuses: [Int: Int] = [:]
            for bytes in bodies {
                let status = try await client.execute(uri: "/v1/scheduler/iso8601", method: .post, headers: [.contentType: "application/json"],
                                                      body: ByteBuffer(bytes: bytes)) { response in
                    if response.status == .ok {
                        // Stored, with what Chronos's reading ignored or coerced listed.
                        let warnings = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])?["warnings"] as? [String]
                        #expect(warnings?.isEmpty == false, "a 200 without warnings for \(String(decoding: bytes, as: UTF8.self))")
                    }
                    if response.status == .badRequest {
                        let message = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])?["message"] as? String
                        #expect(message?.isEmpty == false, "a 400 without a message for \(String(decoding: bytes, as: UTF8.self))")
                    }
                    return Int(response.status.code)
                }
                statuses[status, default: 0] += 1
            }
            #expect(Set(statuses.keys).isSubset(of: [200, 204, 400]), "\(statuses)")
            try await client.execute(uri: "/ping", method: .get) { #expect($0.status == .ok) }
        }
    }
}
