internal import CZooKeeper

/// A failed ZooKeeper call: which call, on which node, ZooKeeper's code and what it means.
package struct ZooKeeperError: Error, Sendable, CustomStringConvertible {
    /// ZooKeeper's result code (`ZNONODE`, `ZCONNECTIONLOSS`, …).
    package var code: Int32
    package var call: String
    package var path: String?

    package var description: String {
        "ZooKeeper \(call)\(path.map { " \($0)" } ?? "") failed: \(String(cString: zerror(code))) (\(code))"
    }

    /// The node does not exist.
    package var isNoNode: Bool { code == ZNONODE.rawValue }
    /// The node exists already.
    package var isNodeExists: Bool { code == ZNODEEXISTS.rawValue }
    /// The node's version is not the one given.
    package var isBadVersion: Bool { code == ZBADVERSION.rawValue }
    /// The call may or may not have happened: the connection was lost before its answer came.
    package var isConnectionLoss: Bool { code == ZCONNECTIONLOSS.rawValue || code == ZOPERATIONTIMEOUT.rawValue }
    /// The session is gone: its ephemeral nodes are deleted and its handle is useless.
    package var isSessionExpired: Bool { code == ZSESSIONEXPIRED.rawValue || code == ZINVALIDSTATE.rawValue }
}

extension ZooKeeperError {
    /// Throws unless `code` is `ZOK`.
    static func check(_ code: Int32, _ call: String, _ path: String?) throws(ZooKeeperError) {
        guard code == ZOK.rawValue else { throw ZooKeeperError(code: code, call: call, path: path) }
    }
}
