import Foundation
import Testing
import Reconciler

@Suite struct GitLibraryTests {
    /// The reconciler links the libgit2 that pkg-config describes.
    @Test func linksTheSystemLibgit2() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["pkg-config", "--modversion", "libgit2"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let expected = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(GitLibrary.version == expected)
    }
}
