import ArgumentParser
import ChronosEngine
import Foundation
import JobSpec

/// The data folder shared by `serve` and the commands that read or steer it.
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data"), help: "The data folder: state.sqlite and the run sandboxes.")
    var directory: String = ".chronos-sync"

    var statePath: String { directory + "/state.sqlite" }

    /// Takes the folder's exclusive lock for `serve`, creating the folder; refuses when another server holds it.
    func lock() throws -> DataFolderLock {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isFolder), !isFolder.boolValue {
            throw CommandError("--data \(directory) is a file; give a folder (it is created when missing)")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw CommandError("cannot create the data folder \(directory): \((error as NSError).localizedDescription)")
        }
        do {
            return try DataFolderLock.acquire(folder: directory)
        } catch let held as DataFolderLock.HeldError {
            throw CommandError(held.description)
        }
    }

    /// Moves the state file (and its WAL files) aside under a dated name; returns that name, or nil when
    /// there was none.
    func moveStateAside() throws -> String? {
        guard FileManager.default.fileExists(atPath: statePath) else { return nil }
        let stamp = Instant.now.description.replacingOccurrences(of: ":", with: "")
        let target = statePath + "." + stamp + ".bak"
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: statePath + suffix) {
            do {
                try FileManager.default.moveItem(atPath: statePath + suffix, toPath: target + suffix)
            } catch {
                throw CommandError("cannot move \(statePath + suffix) aside: \((error as NSError).localizedDescription)")
            }
        }
        return target
    }

    /// Opens the state store, creating the folder when `create` is true.
    func openStore(create: Bool, historyLimit: Int = 100) throws -> SQLiteStateStore {
        if create {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } else if !FileManager.default.fileExists(atPath: statePath) {
            throw CommandError("no chronos-sync state in \(directory) (start one with: chronos-sync serve --data \(directory))")
        }
        // Without `create` the store is only read, possibly beside its running server: never written.
        return try SQLiteStateStore(path: statePath, historyLimit: historyLimit, readOnly: !create)
    }
}
