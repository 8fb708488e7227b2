import Foundation
import Testing
@testable import MesosLauncher

struct RecordIOParserTests {
    static let records = [#"{"type":"SUBSCRIBED"}"#, #"{"type":"HEARTBEAT"}"#, "{\"type\":\"UPDATE\",\"m\":\"h\u{e9}\u{20ac}\"}", "x"]
    static var stream: [UInt8] { records.flatMap { Array("\($0.utf8.count)\n".utf8) + Array($0.utf8) } }

    @Test func everySplitPointGivesTheSameRecords() throws {
        let bytes = Self.stream
        for split in 0...bytes.count {
            var parser = RecordIOParser()
            let got = try parser.feed(bytes[..<split]) + parser.feed(bytes[split...])
            #expect(got.map { String(decoding: $0, as: UTF8.self) } == Self.records, "split at \(split)")
            #expect(parser.bufferedCount == 0)
        }
    }

    @Test func everyPairOfSplitPointsGivesTheSameRecords() throws {
        let bytes = Self.stream
        for first in 0...bytes.count {
            for second in first...bytes.count {
                var parser = RecordIOParser()
                let got = try parser.feed(bytes[..<first]) + parser.feed(bytes[first..<second]) + parser.feed(bytes[second...])
                #expect(got.count == Self.records.count)
            }
        }
    }

    @Test func oneByteAtATime() throws {
        var parser = RecordIOParser()
        var got: [Data] = []
        for byte in Self.stream { got += try parser.feed([byte]) }
        #expect(got.map { String(decoding: $0, as: UTF8.self) } == Self.records)
    }

    @Test func aPartialRecordWaitsForTheRest() throws {
        var parser = RecordIOParser()
        #expect(try parser.feed(Array("20\n{\"type\":\"HEART".utf8)).isEmpty)
        #expect(try parser.feed(Array("BEAT\"}".utf8)).count == 1)
    }

    @Test func aLengthThatIsNotANumberOrZeroIsRefused() {
        var parser = RecordIOParser()
        #expect(throws: RecordIOParser.Malformed.self) { try parser.feed(Array("abc\n{}".utf8)) }
        var zero = RecordIOParser()
        #expect(throws: RecordIOParser.Malformed.self) { try zero.feed(Array("0\n".utf8)) }
        var endless = RecordIOParser()
        #expect(throws: RecordIOParser.Malformed.self) { try endless.feed(Array(repeating: UInt8(ascii: "1"), count: 30)) }
    }
}
