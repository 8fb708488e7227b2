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

    func run(_ arguments: [String] = [], text: String? = nil) -> RunRecord {
        var run = RunRecord(taskID: TaskID(due: 0, attempt: 0, job: "j"), state: .queued, trigger: .manual, readyAt: 0, queuedAt: 0)
        run.arguments = arguments
        run.argumentText = text
        return run
    }

    @Test func aShellJobsArgumentsAreAppendedAsWrittenWithoutSemicolons() {
        #expect(ShellCommand.line(shellJob([]), run: run()) == "echo run")
        #expect(ShellCommand.line(shellJob(["-v", "$HOME", "a;b"]), run: run()) == "echo run -v $HOME ab")
    }

    @Test func aRunsOwnWordsReplaceTheJobsArgumentsAndAreQuoted() {
        #expect(ShellCommand.line(shellJob(["-v"]), run: run(["it's", "x y"])) == #"echo run 'it'\''s' 'x y'"#)
    }

    @Test func aChronosArgumentsTextIsAppendedAsItIsWithoutSemicolons() {
        let text = #"--x "a b" $HOME 'c;d'; rm -rf /"#
        #expect(ShellCommand.line(shellJob(["-v"]), run: run(text: text)) == #"echo run --x "a b" $HOME 'cd' rm -rf /"#)
    }

    @Test func withoutAShellTheTextIsSplitIntoWords() {
        var job = shellJob(["-v"])
        job.shell = false
        #expect(ShellCommand.argv(job, run: run(text: #"--x "a b""#)) == ["echo run", "-v", "--x", "a b"])
        #expect(ShellCommand.argv(job, run: run(text: "'open")) == ["echo run", "-v", "'open"])
        #expect(ShellCommand.argv(job, run: run(["w"])) == ["echo run", "-v", "w"])
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
