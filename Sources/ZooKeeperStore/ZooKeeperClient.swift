internal import CZooKeeper
import Dispatch
import Foundation
import Synchronization

/// A node's metadata, as the rest of the code needs it.
package struct ZNodeStat: Sendable, Equatable {
    /// The data's version: writes can be made conditional on it.
    package var version: Int32
    /// The children's version.
    package var childVersion: Int32
    package var dataLength: Int32
    package var children: Int32
    /// The session that owns an ephemeral node; 0 for a persistent one.
    package var ephemeralOwner: Int64
    /// The zxid of the last change: ZooKeeper's total order of writes.
    package var modifiedZxid: Int64

    init(_ stat: Stat) {
        version = stat.version
        childVersion = stat.cversion
        dataLength = stat.dataLength
        children = stat.numChildren
        ephemeralOwner = stat.ephemeralOwner
        modifiedZxid = stat.mzxid
    }
}

/// How a node is created.
package enum CreateMode: Sendable {
    case persistent, ephemeral, persistentSequential, ephemeralSequential

    var flags: Int32 {
        switch self {
        case .persistent: ZOO_PERSISTENT
        case .ephemeral: ZOO_EPHEMERAL
        case .persistentSequential: ZOO_PERSISTENT_SEQUENTIAL
        case .ephemeralSequential: ZOO_EPHEMERAL_SEQUENTIAL
        }
    }
}

/// Where the session is.
package enum SessionState: Sendable, Equatable {
    case connecting, connected, expired, authFailed
}

/// One ZooKeeper session over the C client (`libzookeeper_mt`). Its calls block, so each runs on the
/// client's own thread, never on the cooperative pool; watches and session changes arrive on the C
/// client's event thread and are handed on through continuations and an `AsyncStream`.
package final class ZooKeeperClient: @unchecked Sendable {
    // @unchecked: `handle` is set once in init and only passed to the C client, whose `_mt` build is
    // thread-safe; calls are made on `queue`. The session state is a Mutex.
    let handle: Handle
    private let queue: DispatchQueue
    private let context: SessionContext
    /// The session's state changes, newest last.
    package let sessionEvents: AsyncStream<SessionState>

    /// Connects to `hosts` (`h1:2181,h2:2181[/chroot]`); the session lives `sessionTimeout` after the last
    /// contact. Returns at once: `waitUntilConnected` waits for the session.
    package init(hosts: String, sessionTimeout: Duration) throws(ZooKeeperError) {
        Self.setup()
        let (stream, continuation) = AsyncStream<SessionState>.makeStream()
        sessionEvents = stream
        context = SessionContext(events: continuation)
        queue = DispatchQueue(label: "chronos-sync.zookeeper")
        let milliseconds = Int32(clamping: Int64(sessionTimeout / .milliseconds(1)))
        let opaque = Unmanaged.passRetained(context).toOpaque()
        guard let zh = zookeeper_init(hosts, { _, type, state, _, watcherContext in
            guard type == ZOO_SESSION_EVENT, let watcherContext else { return }
            Unmanaged<SessionContext>.fromOpaque(watcherContext).takeUnretainedValue().changed(state)
        }, milliseconds, nil, opaque, 0) else {
            Unmanaged<SessionContext>.fromOpaque(opaque).release()
            throw ZooKeeperError(code: Int32(errno == 0 ? -1 : -errno), call: "zookeeper_init", path: hosts)
        }
        handle = Handle(raw: zh)
    }

    deinit {
        zookeeper_close(handle.raw)
        context.events.finish()
        // The global watcher's context: no callback comes after zookeeper_close returns.
        Unmanaged.passUnretained(context).release()
    }

    private static let setupOnce: Void = { zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR) }()
    private static func setup() { _ = setupOnce }

    /// The session's current state.
    package var state: SessionState { context.state.withLock { $0 } }

    /// The session id (for logs, and to tell our ephemeral nodes).
    package var sessionID: Int64 { zoo_client_id(handle.raw)?.pointee.client_id ?? 0 }

    /// Waits until the session is connected; throws when it expires first or `timeout` passes.
    package func waitUntilConnected(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            switch state {
            case .connected: return
            case .expired, .authFailed: throw ZooKeeperError(code: ZSESSIONEXPIRED.rawValue, call: "connect", path: nil)
            case .connecting: try await Task.sleep(for: .milliseconds(20))
            }
        }
        throw ZooKeeperError(code: ZOPERATIONTIMEOUT.rawValue, call: "connect", path: nil)
    }

    /// Runs a blocking C call on the client's thread.
    /// A call is not made on an expired session: the C client's error paths for a dead handle are not
    /// to be relied on (its `zoo_amulti` frees twice). The call holds the client, so the handle outlives it.
    func perform<T: Sendable>(_ body: @escaping @Sendable (OpaquePointer) throws(ZooKeeperError) -> T) async throws(ZooKeeperError) -> T {
        let result: Result<T, ZooKeeperError> = await withCheckedContinuation { continuation in
            queue.async { [self] in
                continuation.resume(returning: Result { () throws(ZooKeeperError) in
                    switch state {
                    case .expired, .authFailed: throw ZooKeeperError(code: ZSESSIONEXPIRED.rawValue, call: "call", path: nil)
                    case .connecting, .connected: return try body(handle.raw)
                    }
                })
            }
        }
        return try result.get()
    }

    /// Creates `path`; returns the path created (with its sequence number, for a sequential node).
    package func create(_ path: String, data: [UInt8] = [], mode: CreateMode = .persistent) async throws(ZooKeeperError) -> String {
        try await perform { zh throws(ZooKeeperError) in
            var created = [CChar](repeating: 0, count: path.utf8.count + 32)
            let code = data.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { chars in
                    zoo_create(zh, path, chars.baseAddress, Int32(data.count), chronos_zoo_open_acl(), mode.flags, &created, Int32(created.count))
                }
            }
            try ZooKeeperError.check(code, "create", path)
            return String(decoding: created.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// The node's data and metadata.
    package func get(_ path: String) async throws(ZooKeeperError) -> (data: [UInt8], stat: ZNodeStat) {
        try await perform { zh throws(ZooKeeperError) in
            var capacity = 4096
            while true {
                var buffer = [CChar](repeating: 0, count: capacity)
                var length = Int32(capacity)
                var stat = Stat()
                try ZooKeeperError.check(zoo_get(zh, path, 0, &buffer, &length, &stat), "get", path)
                // The node grew past the buffer: read it again with room for all of it.
                if stat.dataLength > Int32(capacity) {
                    capacity = Int(stat.dataLength)
                    continue
                }
                let count = max(0, Int(length))
                return (buffer.prefix(count).map { UInt8(bitPattern: $0) }, ZNodeStat(stat))
            }
        }
    }

    /// Replaces the node's data if its version is `version` (-1: any); returns the new metadata.
    @discardableResult
    package func set(_ path: String, data: [UInt8], version: Int32 = -1) async throws(ZooKeeperError) -> ZNodeStat {
        try await perform { zh throws(ZooKeeperError) in
            var stat = Stat()
            let code = data.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { zoo_set2(zh, path, $0.baseAddress, Int32(data.count), version, &stat) }
            }
            try ZooKeeperError.check(code, "set", path)
            return ZNodeStat(stat)
        }
    }

    /// Deletes the node if its version is `version` (-1: any).
    package func delete(_ path: String, version: Int32 = -1) async throws(ZooKeeperError) {
        try await perform { zh throws(ZooKeeperError) in try ZooKeeperError.check(zoo_delete(zh, path, version), "delete", path) }
    }

    /// The node's metadata, or nil when it does not exist.
    package func exists(_ path: String) async throws(ZooKeeperError) -> ZNodeStat? {
        try await perform { zh throws(ZooKeeperError) in
            var stat = Stat()
            let code = zoo_exists(zh, path, 0, &stat)
            if code == ZNONODE.rawValue { return nil }
            try ZooKeeperError.check(code, "exists", path)
            return ZNodeStat(stat)
        }
    }

    /// The names of the node's children, sorted.
    package func children(_ path: String) async throws(ZooKeeperError) -> [String] {
        try await perform { zh throws(ZooKeeperError) in
            var vector = String_vector()
            try ZooKeeperError.check(zoo_get_children(zh, path, 0, &vector), "children", path)
            defer { deallocate_String_vector(&vector) }
            return Self.strings(vector)
        }
    }

    /// Creates `path` and any missing parent as empty persistent nodes; an existing node is left alone.
    package func ensurePath(_ path: String) async throws(ZooKeeperError) {
        var prefix = ""
        for part in path.split(separator: "/") {
            prefix += "/" + part
            do {
                _ = try await create(prefix)
            } catch where error.isNodeExists {
                continue
            }
        }
    }

    static func strings(_ vector: String_vector) -> [String] {
        (0..<Int(vector.count)).compactMap { vector.data[$0].map { String(cString: $0) } }.sorted()
    }
}

/// The C handle, passed to the client's thread.
struct Handle: @unchecked Sendable {
    // @unchecked: a zhandle_t of the multi-threaded C client may be used from any thread.
    let raw: OpaquePointer
}

/// The session's state, updated by the C client's event thread.
final class SessionContext: Sendable {
    let state = Mutex(SessionState.connecting)
    let events: AsyncStream<SessionState>.Continuation

    init(events: AsyncStream<SessionState>.Continuation) { self.events = events }

    func changed(_ raw: Int32) {
        let new: SessionState
        switch raw {
        case ZOO_CONNECTED_STATE: new = .connected
        case ZOO_EXPIRED_SESSION_STATE: new = .expired
        case ZOO_AUTH_FAILED_STATE: new = .authFailed
        default: new = .connecting
        }
        state.withLock { $0 = new }
        events.yield(new)
    }
}
