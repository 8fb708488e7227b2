import ArgumentParser
import ChronosEngine
import Foundation

/// The data folder shared by `serve` and the commands that read or steer it.
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data"), help: "The data folder: state.sqlite and the run sandboxes.")
    var directory: String = ".chronos-sync"

    var statePath: String { directory + "/state.sqlite" }

    /// Opens the state store, creating the folder when `create` is true.
    func openStore(create: Bool, historyLimit: Int = 100) throws -> SQLiteStateStore {
        if create {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } else if !FileManager.default.fileExists(atPath: statePath) {
            throw CommandError("no chronos-sync state in \(directory) (start one with: chronos-sync serve --data \(directory))")
        }
        return try SQLiteStateStore(path: statePath, historyLimit: historyLimit)
    }
}
