import Foundation
import Testing
@testable import Reconciler

/// A repository made by the test with the git command line.
final class TestRepository {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "chronos-git-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try git("init", "-q", "-b", "main")
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func git(_ arguments: String...) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-c", "user.email=t@example.com", "-c", "user.name=T"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: path)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileReadUnknown) }
    }

    func write(_ files: [String: String]) throws {
        for (name, text) in files {
            let file = path + "/" + name
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: file, atomically: true, encoding: .utf8)
        }
        try git("add", "-A")
        try git("commit", "-qm", "change")
    }
}

@Suite struct GitSourceTests {
    @Test func loadsTheSpecFolderOfACommitFromTheObjectDatabase() async throws {
        let repo = try TestRepository()
        try repo.write(["jobs/a.yaml": "name: a\ncommand: x\nschedule: \"\"\n", "jobs/sub/b.yml": "name: b\ncommand: y\nparents: [a]\n",
                        "jobs/.hidden/c.yaml": "bad: [", "other/d.yaml": "name: d\n"])
        try repo.git("tag", "v1")
        let source = LibGit2Source(GitSourceOptions(location: repo.path, mirrorDirectory: repo.path + "/.mirror"))
        let first = try await source.snapshot()
        #expect(first.repository.isValid, "\(first.repository.diagnostics)")
        #expect(first.repository.jobs.map(\.job.name) == ["a", "b"])
        #expect(first.repository.jobs.first?.location() == "jobs/a.yaml:1:1")
        // Work-tree edits that are not committed do not count.
        try "name: a\ncommand: CHANGED\nschedule: \"\"\n".write(toFile: repo.path + "/jobs/a.yaml", atomically: true, encoding: .utf8)
        let same = try await source.snapshot()
        #expect(same.tree == first.tree)
        #expect(same.repository.jobs.first?.job.command == "x")
        try repo.git("commit", "-qam", "edit a")
        let second = try await source.snapshot()
        #expect(second.commit != first.commit && second.tree != first.tree)
        #expect(second.repository.jobs.first?.job.command == "CHANGED")
        // A tag names the older commit.
        let tagged = try await LibGit2Source(GitSourceOptions(location: repo.path, ref: "v1", mirrorDirectory: repo.path + "/.m2")).snapshot()
        #expect(tagged.commit == first.commit)
    }

    @Test func aMissingFolderOrRefIsAClearError() async throws {
        let repo = try TestRepository()
        try repo.write(["README": "x"])
        let noFolder = try await LibGit2Source(GitSourceOptions(location: repo.path, mirrorDirectory: repo.path + "/.m")).snapshot()
        #expect(noFolder.repository.diagnostics.first?.message.contains("has no folder \"jobs\"") == true)
        await #expect(throws: GitError.self) {
            _ = try await LibGit2Source(GitSourceOptions(location: repo.path, ref: "no-such-branch", mirrorDirectory: repo.path + "/.m")).snapshot()
        }
    }

    @Test func remoteRepositoriesAreMirroredAndFetched() async throws {
        let repo = try TestRepository()
        try repo.write(["jobs/a.yaml": "name: a\ncommand: x\nschedule: \"\"\n"])
        let mirror = repo.path + "-mirror"
        defer { try? FileManager.default.removeItem(atPath: mirror) }
        let source = LibGit2Source(GitSourceOptions(location: "file://" + repo.path, ref: "main", mirrorDirectory: mirror))
        let first = try await source.snapshot()
        #expect(first.repository.jobs.count == 1)
        try repo.write(["jobs/b.yaml": "name: b\ncommand: y\nschedule: \"\"\n"])
        let second = try await source.snapshot()
        #expect(second.repository.jobs.map(\.job.name) == ["a", "b"])
    }
}

extension LibGit2Source {
    /// The fetch and load of one revision, as a sync does them.
    func snapshot(_ revision: String? = nil) async throws -> Snapshot {
        try await load(try await fetch(revision), now: .now)
    }
}
