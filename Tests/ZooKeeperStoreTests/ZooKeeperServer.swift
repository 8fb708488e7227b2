import Foundation
import Testing

/// A real ZooKeeper server (Debian's `zookeeper`), standalone on a free loopback port with its data in
/// a temporary folder, for as long as a test needs it.
final class ZooKeeperServer: @unchecked Sendable {
    // @unchecked: set up in init and only read afterwards, except `stop`, which the test calls once.
    let port: Int
    let folder: String
    private let process = Process()

    var hosts: String { "127.0.0.1:\(port)" }

    init() throws {
        folder = NSTemporaryDirectory() + "chronos-zk-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder + "/data", withIntermediateDirectories: true)
        port = try Self.freePort()
        let classpath = "/etc/zookeeper/conf:/usr/share/java/zookeeper.jar"
        guard FileManager.default.fileExists(atPath: "/usr/share/java/zookeeper.jar") else {
            throw ServerMissing(description: "Debian's zookeeper package is not installed (scripts/install-deps installs it)")
        }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/java")
        process.arguments = ["-Xmx256m", "-cp", classpath, "-Dzookeeper.admin.enableServer=false", "-Dzookeeper.4lw.commands.whitelist=srvr,ruok",
                             "org.apache.zookeeper.server.ZooKeeperServerMain", String(port), folder + "/data", "2000"]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: Self.logFile(folder)))
        try process.run()
        try waitUntilServing()
    }

    static func logFile(_ folder: String) -> String {
        _ = FileManager.default.createFile(atPath: folder + "/server.log", contents: nil)
        return folder + "/server.log"
    }

    /// Polls the `srvr` four-letter command until the server answers (bounded: 30 s).
    private func waitUntilServing() throws {
        for _ in 0..<300 {
            if let answer = Self.fourLetters("srvr", port: port), answer.contains("Mode: standalone") { return }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        stop()
        throw ServerMissing(description: "ZooKeeper did not start on port \(port)")
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: folder)
    }

    static func fourLetters(_ command: String, port: Int) -> String? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        // A server still starting may accept and say nothing: never wait on it for long.
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard connected == 0, send(fd, command, command.utf8.count, 0) == command.utf8.count else { return nil }
        var answer = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            answer += buffer[0..<n]
        }
        return String(decoding: answer, as: UTF8.self)
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw ServerMissing(description: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct ServerMissing: Error, CustomStringConvertible {
    var description: String
}
