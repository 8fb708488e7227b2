import Testing
import JobSpec
@testable import ChronosEngine

/// Chronos appends a shell job's arguments to its command; Chronos-format task ids carry a trailing part.
@Suite struct ShellCommandTests {
    func shellJob(_ arguments: [String]) -> Job {
        var job = Job(name: "j")
        job.command = "echo run"
        job.arguments = arguments
        return job
    }

    @Test func aShellJobsArgumentsAreAppendedAsWrittenWithoutSemicolons() {
        #expect(ShellCommand.line(shellJob([]), runArguments: []) == "echo run")
        #expect(ShellCommand.line(shellJob(["-v", "$HOME", "a;b"]), runArguments: []) == "echo run -v $HOME ab")
    }

    @Test func aRunsOwnArgumentsReplaceTheJobsAndAreQuoted() {
        #expect(ShellCommand.line(shellJob(["-v"]), runArguments: ["it's", "x y"]) == #"echo run 'it'\''s' 'x y'"#)
    }

    @Test func chronosTaskIDsWithArgumentsOrATrailingColonParse() {
        #expect(TaskID("ct:1767225600000:0:etl:")?.job == "etl")
        #expect(TaskID("ct:1767225600000:2:etl:--day 3")?.attempt == 2)
        #expect(TaskID("ct:1767225600000:2:etl:--day 3")?.job == "etl")
        #expect(TaskID("ct:1767225600000:0::") == nil)
        #expect(TaskID("ct:1767225600000:0:etl")?.description == "ct:1767225600000:0:etl")
    }
}

@Suite struct ShellWordsTests {
    @Test func wordsAreSplitAsTheShellSplitsThem() {
        #expect(ShellCommand.words("") == [])
        #expect(ShellCommand.words("  --day  3 ") == ["--day", "3"])
        #expect(ShellCommand.words(#"--name "a b" 'c d' e\ f "x\"y" ''"#) == ["--name", "a b", "c d", "e f", #"x"y"#, ""])
        #expect(ShellCommand.words("'open") == nil)
    }
}
