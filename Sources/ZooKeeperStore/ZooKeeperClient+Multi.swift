internal import CZooKeeper
import Foundation
import Synchronization

/// One operation of a transaction (`multi`): all of a transaction's operations happen, or none.
package enum ZooKeeperOp: Sendable, Equatable {
    case create(String, data: [UInt8], mode: CreateMode = .persistent)
    case set(String, data: [UInt8], version: Int32 = -1)
    case delete(String, version: Int32 = -1)
    /// Fails the transaction unless the node's data version is `version`.
    case check(String, version: Int32)

    var path: String {
        switch self {
        case .create(let path, _, _), .set(let path, _, _), .delete(let path, _), .check(let path, _): path
        }
    }

    /// Bytes the operation adds to a request, roughly: its path, its data and the framing.
    package var size: Int {
        switch self {
        case .create(let path, let data, _), .set(let path, let data, _): path.utf8.count + data.count + 32
        case .delete(let path, _), .check(let path, _): path.utf8.count + 16
        }
    }
}

/// A transaction that failed: the failing operation, by index, and its error.
package struct ZooKeeperMultiError: Error, Sendable, CustomStringConvertible {
    package var index: Int
    package var error: ZooKeeperError
    package var description: String { "operation \(index + 1) of a ZooKeeper transaction: \(error)" }
}

extension ZooKeeperClient {
    /// Applies `ops` as one transaction. Throws `ZooKeeperMultiError` naming the first operation that
    /// failed (nothing was applied), or a `ZooKeeperError` when the call itself failed (a connection loss:
    /// it may or may not have been applied).
    package func multi(_ ops: [ZooKeeperOp]) async throws {
        guard !ops.isEmpty else { return }
        // Sent only on a live connection: the C client's multi does not survive its own error paths.
        let (code, failed) = try await perform { [self] zh throws(ZooKeeperError) in
            guard state == .connected else { throw ZooKeeperError(code: ZCONNECTIONLOSS.rawValue, call: "multi", path: nil) }
            return Self.runMulti(zh, ops)
        }
        guard code != ZOK.rawValue else { return }
        if let failed { throw ZooKeeperMultiError(index: failed, error: ZooKeeperError(code: code, call: "multi", path: ops[failed].path)) }
        throw ZooKeeperError(code: code, call: "multi", path: nil)
    }

    /// The C call: the operations' strings and buffers are kept alive until it returns.
    /// Returns the call's code and, when an operation failed, its index.
    private static func runMulti(_ zh: OpaquePointer, _ ops: [ZooKeeperOp]) -> (Int32, Int?) {
        var cOps = [zoo_op_t](repeating: zoo_op_t(), count: ops.count)
        var results = [zoo_op_result_t](repeating: zoo_op_result_t(), count: ops.count)
        var allocations: [UnsafeMutableRawPointer] = []
        defer { allocations.forEach { free($0) } }
        func cString(_ string: String) -> UnsafeMutablePointer<CChar> {
            let pointer = strdup(string)!
            allocations.append(pointer)
            return pointer
        }
        func buffer(_ bytes: [UInt8]) -> UnsafeMutablePointer<CChar> {
            let pointer = malloc(max(1, bytes.count))!
            allocations.append(pointer)
            bytes.withUnsafeBytes { pointer.copyMemory(from: $0.baseAddress ?? UnsafeRawPointer(pointer), byteCount: bytes.count) }
            return pointer.assumingMemoryBound(to: CChar.self)
        }
        for (index, op) in ops.enumerated() {
            switch op {
            case .create(let path, let data, let mode):
                let created = malloc(path.utf8.count + 32)!
                allocations.append(created)
                zoo_create_op_init(&cOps[index], cString(path), buffer(data), Int32(data.count), chronos_zoo_open_acl(), mode.flags,
                                   created.assumingMemoryBound(to: CChar.self), Int32(path.utf8.count + 32))
            case .set(let path, let data, let version):
                zoo_set_op_init(&cOps[index], cString(path), buffer(data), Int32(data.count), version, nil)
            case .delete(let path, let version):
                zoo_delete_op_init(&cOps[index], cString(path), version)
            case .check(let path, let version):
                zoo_check_op_init(&cOps[index], cString(path), version)
            }
        }
        let code = zoo_multi(zh, Int32(ops.count), &cOps, &results)
        guard code != ZOK.rawValue else { return (code, nil) }
        // The operation that failed, if one did: the others report ZRUNTIMEINCONSISTENCY or ZOK.
        let failed = results.firstIndex { $0.err != ZOK.rawValue && $0.err != ZRUNTIMEINCONSISTENCY.rawValue }
        return (code, failed.flatMap { results[$0].err == code ? $0 : nil })
    }

    /// Reads many nodes at once, pipelined (up to `window` requests in flight); a missing node reads as nil.
    package func getMany(_ paths: [String], window: Int = 512) async throws(ZooKeeperError) -> [[UInt8]?] {
        guard !paths.isEmpty else { return [] }
        let collector = GetCollector(count: paths.count)
        var next = 0
        while next < paths.count {
            let end = min(paths.count, next + window)
            let slice = Array(next..<end)
            let failure: ZooKeeperError? = await withCheckedContinuation { continuation in
                collector.start(pending: slice.count, continuation: continuation)
                for index in slice {
                    let context = Unmanaged.passRetained(GetRequest(index: index, collector: collector)).toOpaque()
                    let code = zoo_aget(handle.raw, paths[index], 0, { rc, value, length, _, data in
                        let request = Unmanaged<GetRequest>.fromOpaque(data!).takeRetainedValue()
                        let bytes: [UInt8]? = rc == ZOK.rawValue
                            ? (value.map { Array(UnsafeRawBufferPointer(start: $0, count: Int(max(0, length)))) } ?? [])
                            : nil
                        request.collector.finish(request.index, rc: rc, bytes: bytes)
                    }, context)
                    if code != ZOK.rawValue {
                        Unmanaged<GetRequest>.fromOpaque(context).release()
                        collector.finish(index, rc: code, bytes: nil)
                    }
                }
            }
            if let failure { throw ZooKeeperError(code: failure.code, call: "get", path: paths[Int(failure.path ?? "0") ?? 0]) }
            next = end
        }
        return collector.values
    }

    /// The node's children, and a watch: `changed` is called once, when they next change (or the
    /// session ends).
    package func children(_ path: String, changed: @escaping @Sendable () -> Void) async throws(ZooKeeperError) -> [String] {
        // The box travels as an address: the C client hands it back to the watcher.
        let watch = UInt(bitPattern: Unmanaged.passRetained(ChildWatch(changed)).toOpaque())
        let (code, names) = try await perform { zh throws(ZooKeeperError) -> (Int32, [String]) in
            var vector = String_vector()
            let code = zoo_wget_children(zh, path, { _, _, _, _, context in
                guard let context else { return }
                Unmanaged<ChildWatch>.fromOpaque(context).takeUnretainedValue().fire()
            }, UnsafeMutableRawPointer(bitPattern: watch), &vector)
            guard code == ZOK.rawValue else { return (code, []) }
            defer { deallocate_String_vector(&vector) }
            return (code, Self.strings(vector))
        }
        if code != ZOK.rawValue {
            // No watch was set: nothing will call it.
            Unmanaged<ChildWatch>.fromOpaque(UnsafeMutableRawPointer(bitPattern: watch)!).release()
            throw ZooKeeperError(code: code, call: "children", path: path)
        }
        return names
    }
}

extension ZooKeeperClient {
    /// Whether the node exists, and a watch: `changed` is called once, when its data next changes, it is
    /// created or deleted (or the session ends).
    package func exists(_ path: String, changed: @escaping @Sendable () -> Void) async throws(ZooKeeperError) -> Bool {
        let watch = UInt(bitPattern: Unmanaged.passRetained(ChildWatch(changed)).toOpaque())
        let code = try await perform { zh throws(ZooKeeperError) -> Int32 in
            var stat = Stat()
            return zoo_wexists(zh, path, { _, _, _, _, context in
                guard let context else { return }
                Unmanaged<ChildWatch>.fromOpaque(context).takeUnretainedValue().fire()
            }, UnsafeMutableRawPointer(bitPattern: watch), &stat)
        }
        // ZNONODE sets a watch too (on the node's creation).
        guard code == ZOK.rawValue || code == ZNONODE.rawValue else {
            Unmanaged<ChildWatch>.fromOpaque(UnsafeMutableRawPointer(bitPattern: watch)!).release()
            throw ZooKeeperError(code: code, call: "exists", path: path)
        }
        return code == ZOK.rawValue
    }
}

/// A children watch's callback. The C client may call the watcher more than once (a session event,
/// then nothing more): it fires once, and the box is released only when the session's handle is,
/// which costs a few bytes per watch set.
private final class ChildWatch: Sendable {
    let action: @Sendable () -> Void
    let fired = Atomic<Bool>(false)
    init(_ action: @escaping @Sendable () -> Void) { self.action = action }
    func fire() {
        if !fired.exchange(true, ordering: .relaxed) { action() }
    }
}

/// One asynchronous read of `getMany`.
private final class GetRequest {
    let index: Int
    let collector: GetCollector
    init(index: Int, collector: GetCollector) {
        self.index = index
        self.collector = collector
    }
}

/// Gathers the answers of `getMany`, which arrive on the C client's completion thread.
private final class GetCollector: Sendable {
    private struct State {
        var values: [[UInt8]?]
        var pending = 0
        var failure: ZooKeeperError?
        var continuation: CheckedContinuation<ZooKeeperError?, Never>?
    }

    private let state: Mutex<State>

    init(count: Int) { state = Mutex(State(values: Array(repeating: nil, count: count))) }

    var values: [[UInt8]?] { state.withLock { $0.values } }

    func start(pending: Int, continuation: CheckedContinuation<ZooKeeperError?, Never>) {
        state.withLock {
            $0.pending = pending
            $0.continuation = continuation
        }
    }

    func finish(_ index: Int, rc: Int32, bytes: [UInt8]?) {
        let done: (CheckedContinuation<ZooKeeperError?, Never>, ZooKeeperError?)? = state.withLock { state in
            if rc == ZOK.rawValue {
                state.values[index] = bytes
            } else if rc != ZNONODE.rawValue, state.failure == nil {
                // The index travels in `path`, turned back into the node's path by the caller.
                state.failure = ZooKeeperError(code: rc, call: "get", path: String(index))
            }
            state.pending -= 1
            guard state.pending == 0, let continuation = state.continuation else { return nil }
            state.continuation = nil
            return (continuation, state.failure)
        }
        if let (continuation, failure) = done { continuation.resume(returning: failure) }
    }
}
