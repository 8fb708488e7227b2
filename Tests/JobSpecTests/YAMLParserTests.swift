import Testing
@testable import JobSpec

@Suite struct YAMLParserTests {
    @Test func positionsAreOneBasedAndPointInsideQuotes() throws {
        let docs = try YAMLParser.parse("name: x\ncommand: \"echo hi\"\n")
        guard case .mapping(let pairs, _) = docs[0].root! else { Issue.record("not a mapping"); return }
        #expect(pairs[0].key.mark == Mark(line: 1, column: 1))
        guard case .scalar(let command) = pairs[1].value else { Issue.record("not a scalar"); return }
        #expect(command.mark == Mark(line: 2, column: 10))
        #expect(command.contentColumn == 11)
        #expect(command.style == .doubleQuoted)
    }

    @Test func longListsAndMappingsKeepEveryItemInOrder() throws {
        let list = "items:\n" + (0..<40_000).map { "  - a\($0)\n" }.joined()
        guard case .mapping(let top, _) = try YAMLParser.parse(list)[0].root!, case .sequence(let items, _) = top[0].value else {
            Issue.record("shape"); return
        }
        #expect(items.count == 40_000)
        #expect(items.enumerated().allSatisfy { index, item in
            if case .scalar(let s) = item { return s.value == "a\(index)" && s.mark.line == index + 2 }
            return false
        })
        let mapping = (0..<20_000).map { "k\($0): \($0)\n" }.joined()
        guard case .mapping(let pairs, _) = try YAMLParser.parse(mapping)[0].root! else { Issue.record("shape"); return }
        #expect(pairs.map(\.key.value) == (0..<20_000).map { "k\($0)" })
    }

    @Test func severalDocumentsInOneFile() throws {
        let docs = try YAMLParser.parse("a: 1\n---\nb: 2\n---\n")
        #expect(docs.count == 3)
        #expect(docs[2].root == nil)
        #expect(docs[1].mark.line == 2)
    }

    @Test func aliasesAndMergeKeysExpand() throws {
        let docs = try YAMLParser.parse("base: &b {cpus: 1, mem: 2}\njob:\n  <<: *b\n  mem: 3\n")
        guard case .mapping(let top, _) = docs[0].root!, case .mapping(let job, _) = top[1].value else {
            Issue.record("shape"); return
        }
        let keys = job.map(\.key.value)
        #expect(keys == ["mem", "cpus"])
        guard case .scalar(let mem) = job[0].value else { Issue.record("scalar"); return }
        #expect(mem.value == "3")
    }

    @Test func duplicateKeysAreRefused() {
        #expect(throws: YAMLError(message: "duplicate key \"a\" (first at line 1)", mark: Mark(line: 2, column: 1))) {
            try YAMLParser.parse("a: 1\na: 2\n")
        }
    }

    @Test func syntaxErrorsCarryLibYAMLPosition() {
        do {
            _ = try YAMLParser.parse("a: [1, 2\nb: 3\n")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasPrefix("YAML syntax error: "))
            #expect(error.mark.line == 2)
        }
    }

    @Test func limitsStopHostileInput() throws {
        var limits = YAMLLimits()
        limits.maxDepth = 4
        #expect(throws: YAMLError(message: "nesting deeper than 4 levels", mark: Mark(line: 1, column: 16))) {
            try YAMLParser.parse("a: {b: {c: {d: {e: 1}}}}", limits: limits)
        }
        limits = YAMLLimits()
        limits.maxDocuments = 2
        #expect(throws: YAMLError(message: "more than 2 documents in one file", mark: Mark(line: 4, column: 1))) {
            try YAMLParser.parse("a: 1\n---\nb: 2\n---\nc: 3\n", limits: limits)
        }
        limits = YAMLLimits()
        limits.maxNodes = 1000
        let bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        #expect(throws: YAMLError.self) { try YAMLParser.parse(bomb, limits: limits) }
        limits = YAMLLimits()
        limits.maxFileBytes = 10
        #expect(throws: YAMLError(message: "the file is 11 bytes, over the limit of 10", mark: Mark(line: 1, column: 1))) {
            try YAMLParser.parse("a: 12345678", limits: limits)
        }
    }

    @Test func unknownTagsAreRefused() {
        #expect(throws: YAMLError(message: "unsupported tag !python/object; job specs use plain YAML values", mark: Mark(line: 1, column: 4))) {
            try YAMLParser.parse("a: !python/object x\n")
        }
    }

    @Test func nonUTF8IsAnError() {
        do {
            _ = try YAMLParser.parse([0x61, 0x3A, 0x20, 0xFF, 0xFE, 0x0A])
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("not valid UTF-8"))
        }
    }
}
