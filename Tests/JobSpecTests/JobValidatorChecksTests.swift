import Testing
@testable import JobSpec

/// The byte-level checks the validator runs on every job of a folder.
@Suite struct JobValidatorChecksTests {
    @Test(arguments: [
        ("", nil), ("a@example.com", nil), ("a@example.com,b@example.com", nil), ("a@example.com,", nil),
        (",,a@example.com", nil), ("team", "team"), ("a@example.com,team", "team"), ("team,a@example.com", "team"),
        ("a@example.com,,team ", "team "), ("a@example.com, ", " "),
    ] as [(String, String?)])
    func theFirstOwnerWithoutAnAtIsFound(owner: String, bad: String?) {
        #expect(JobValidator.firstNonEmail(in: owner).map(String.init) == bad)
        // The same answer as splitting on commas (empty parts left out).
        #expect(owner.split(separator: ",").first { !$0.contains("@") }.map(String.init) == bad)
    }

    @Test func everyBuiltInVariableIsLookedUp() {
        #expect(JobValidator.builtInVariables.allSatisfy(JobValidator.mayBeBuiltIn))
        #expect(!JobValidator.mayBeBuiltIn("TEAM") && !JobValidator.mayBeBuiltIn("") && !JobValidator.mayBeBuiltIn("region"))
    }

    @Test func aVariableSetTwiceIsAnErrorInAShortListAndInALongOne() throws {
        for count in [2, 40] {
            var yaml = "name: env\ncommand: \"true\"\nschedule: \"\"\nenvironmentVariables:\n"
            for i in 0..<count { yaml += "  - name: V\(i)\n    value: x\n" }
            yaml += "  - name: V1\n    value: y\n"
            #expect(try diagnostics(of: yaml) == ["a.yaml:5:3: environment variable V1 is set twice"], "with \(count) variables")
        }
    }
}
