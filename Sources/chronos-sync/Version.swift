import ArgumentParser
import JobSpec
import ChronosEngine
import Reconciler

enum Version {
    static let text = "0.1.0"
}

/// `chronos-sync version`: this program's version and the C libraries it runs on.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version and the versions of libyaml, libgit2 and libcurl.")

    func run() throws {
        print("chronos-sync \(Version.text)")
        print("libyaml \(JobSpecLibrary.yamlVersion)")
        print("libgit2 \(GitLibrary.version)")
        print("libcurl \(HTTPLibrary.version)")
    }
}
