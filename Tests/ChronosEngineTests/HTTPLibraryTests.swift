import Foundation
import Testing
import ChronosEngine

@Suite struct HTTPLibraryTests {
    /// The engine links the libcurl that pkg-config describes (the one `uris` fetching will use).
    @Test func linksTheSystemLibcurl() throws {
        let expected = try pkgConfigVersion("libcurl")
        #expect(HTTPLibrary.version == expected)
    }
}

func pkgConfigVersion(_ package: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["pkg-config", "--modversion", package]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    process.waitUntilExit()
    return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}
