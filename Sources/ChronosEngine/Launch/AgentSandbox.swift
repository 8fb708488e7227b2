import Foundation

/// A run's sandbox on a Mesos agent, read through the agent's HTTP file API (`/files/read`), as the Mesos
/// web UI reads it. Stored in a run's `sandbox` as `mesos-agent:<agent id>@<agent URL><sandbox path>`.
package struct AgentSandbox: Sendable, Hashable, CustomStringConvertible {
    static let prefix = "mesos-agent:"
    package var agentID: String
    /// The agent's base URL, `http://host:port`.
    package var agentURL: String
    /// The sandbox as the agent's file API names it: `/frameworks/<F>/executors/<E>/runs/latest`.
    package var path: String

    package init(agentID: String, agentURL: String, path: String) {
        self.agentID = agentID
        self.agentURL = agentURL
        self.path = path
    }

    /// Parses the stored form; nil for a local folder.
    package init?(_ text: String) {
        guard text.hasPrefix(Self.prefix) else { return nil }
        let rest = text.dropFirst(Self.prefix.count)
        guard let at = rest.firstIndex(of: "@"), let scheme = rest.range(of: "://", range: at..<rest.endIndex),
              let slash = rest[scheme.upperBound...].firstIndex(of: "/") else { return nil }
        self.init(agentID: String(rest[..<at]), agentURL: String(rest[rest.index(after: at)..<slash]), path: String(rest[slash...]))
    }

    package var description: String { "\(Self.prefix)\(agentID)@\(agentURL)\(path)" }

    /// One file of the sandbox (`stdout`, `stderr`), whole, read page by page; nil when the agent has no
    /// such file or cannot be reached. At most `limit` bytes.
    package func read(_ file: String, limit: Int = 64 << 20) async -> Data? {
        struct Page: Decodable {
            var data: String
        }
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#")
        guard let encoded = (path + "/" + file).addingPercentEncoding(withAllowedCharacters: allowed) else { return nil }
        var result = Data()
        while result.count < limit {
            let url = "\(agentURL)/files/read?path=\(encoded)&offset=\(result.count)"
            guard let response = try? await HTTPClient.send(HTTPRequest(.get, url)), response.status == 200,
                  let page = try? JSONDecoder().decode(Page.self, from: response.body) else { return nil }
            // The agent writes the file's bytes as the characters of a JSON string.
            let scalars = page.data.unicodeScalars
            let bytes = scalars.allSatisfy { $0.value < 256 } ? Data(scalars.map { UInt8($0.value) }) : Data(page.data.utf8)
            if bytes.isEmpty { break }
            result.append(bytes)
        }
        return result
    }
}

/// Reads a run's output, wherever its sandbox is.
package enum RunOutput {
    /// The run's `stdout` or `stderr`: from its local sandbox folder, or from its Mesos agent.
    package static func read(sandbox: String, _ file: String) async -> Data? {
        guard !sandbox.isEmpty else { return nil }
        if let remote = AgentSandbox(sandbox) { return await remote.read(file) }
        return FileManager.default.contents(atPath: sandbox + "/" + file)
    }
}
