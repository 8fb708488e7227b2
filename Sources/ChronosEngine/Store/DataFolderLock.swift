import Foundation

/// The exclusive lock `serve` holds on its data folder for its whole life, so that one folder has one
/// writer. It is an OS lock (`flock`) on `<data>/serve.lock`: the kernel drops it when the process
/// dies, however it dies, so no stale lock is ever left behind. The file names the holder (its pid and
/// API address) for the commands that talk to it and for a second `serve` that must refuse to start.
package final class DataFolderLock: Sendable {
    /// Who holds a data folder.
    package struct Holder: Codable, Sendable, Equatable {
        package var pid: Int32
        /// The holder's API, e.g. `http://127.0.0.1:4400`; nil until its server listens.
        package var api: String?

        package init(pid: Int32, api: String?) {
            self.pid = pid
            self.api = api
        }
    }

    /// Another process holds the folder.
    package struct HeldError: Error, Sendable, CustomStringConvertible {
        package var folder: String
        package var holder: Holder?

        package var description: String {
            guard let holder else { return "data folder \(folder) is held by another chronos-sync (starting up); stop it or use another --data" }
            return "data folder \(folder) is held by chronos-sync pid \(holder.pid)" + (holder.api.map { " (API on \($0))" } ?? " (starting up)")
        }
    }

    /// The folder cannot be locked for a reason other than another holder.
    package struct LockError: Error, Sendable, CustomStringConvertible {
        package var path: String
        package var message: String
        package var description: String { "cannot lock \(path): \(message)" }
    }

    package static let fileName = "serve.lock"

    let folder: String
    let path: String
    /// The open lock file; the lock lives as long as this descriptor. Immutable after init.
    private let descriptor: Int32

    private init(folder: String, path: String, descriptor: Int32) {
        self.folder = folder
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Takes the folder's lock at once, or throws `HeldError` naming the holder.
    package static func acquire(folder: String) throws -> DataFolderLock {
        let path = folder + "/" + fileName
        // Close-on-exec: a run launched by this server must not inherit the lock and keep it after we die.
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw LockError(path: path, message: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(fd)
            if code == EWOULDBLOCK { throw HeldError(folder: folder, holder: read(path)) }
            throw LockError(path: path, message: String(cString: strerror(code)))
        }
        let lock = DataFolderLock(folder: folder, path: path, descriptor: fd)
        try lock.advertise(api: nil)
        return lock
    }

    /// Records the API address beside the lock, once the server listens.
    package func advertise(api: String?) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data = try encoder.encode(Holder(pid: getpid(), api: api))
        guard ftruncate(descriptor, 0) == 0, pwrite(descriptor, [UInt8](data), data.count, 0) == data.count else {
            throw LockError(path: path, message: "cannot write the holder: \(String(cString: strerror(errno)))")
        }
    }

    /// The process holding `folder`, or nil when none does (the lock is free, or there is no folder).
    package static func holder(of folder: String) -> Holder? {
        let path = folder + "/" + fileName
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        // A shared lock is refused only while `serve` holds the exclusive one.
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return nil
        }
        return read(path) ?? Holder(pid: 0, api: nil)
    }

    private static func read(_ path: String) -> Holder? {
        FileManager.default.contents(atPath: path).flatMap { try? JSONDecoder().decode(Holder.self, from: $0) }
    }
}
