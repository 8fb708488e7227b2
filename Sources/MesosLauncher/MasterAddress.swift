import Synchronization

/// The masters to try and the one believed to lead: a 307 moves it to the leader named in `Location`
/// (scheme-relative `//host:port/…` included), a master that does not answer moves it to the next one.
package final class MasterAddress: Sendable {
    private struct State {
        var masters: [String]
        var index = 0
        /// Set by a redirect; cleared when moving on.
        var leader: String?
    }

    private let state: Mutex<State>

    /// `masters`: base URLs, `http://host:5050`.
    package init(masters: [String]) {
        state = Mutex(State(masters: masters))
    }

    /// Parses `--master`: `http://h1:5050,h2:5050` or `h1:5050,http://h2:5050`.
    package static func parse(_ text: String) -> [String]? {
        var scheme = "http://"
        var result: [String] = []
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            var item = part
            if let range = item.range(of: "://") {
                scheme = String(item[..<range.upperBound])
                guard scheme == "http://" || scheme == "https://" else { return nil }
                item = String(item[range.upperBound...])
            }
            while item.hasSuffix("/") { item.removeLast() }
            guard !item.isEmpty, !item.contains("/") else { return nil }
            result.append(scheme + item)
        }
        return result.isEmpty ? nil : result
    }

    /// The masters known now.
    package var masters: [String] { state.withLock { $0.masters } }

    /// A new list of masters, the leader first (from ZooKeeper): calls go to its first from now on.
    package func replace(_ masters: [String]) {
        guard !masters.isEmpty else { return }
        state.withLock { $0 = State(masters: masters) }
    }

    /// The master to send to now.
    package var current: String {
        state.withLock { $0.leader ?? $0.masters[$0.index % $0.masters.count] }
    }

    /// Follows a 307: the leader is the Location's scheme and authority.
    package func redirect(_ location: String, from base: String) {
        guard let leader = Self.base(of: location, relativeTo: base) else { return }
        state.withLock { $0.leader = leader }
    }

    /// The master did not answer: try the next one.
    package func next() {
        state.withLock { state in
            state.leader = nil
            state.index = (state.index + 1) % state.masters.count
        }
    }

    /// `//h:5050/api/v1/scheduler` → `http://h:5050` (the scheme of `base`); `http://h:5050/x` → `http://h:5050`;
    /// `/x` → `base`.
    package static func base(of location: String, relativeTo base: String) -> String? {
        let scheme = base.range(of: "://").map { String(base[..<$0.lowerBound]) } ?? "http"
        var rest: Substring
        if location.hasPrefix("//") {
            rest = location.dropFirst(2)
        } else if let range = location.range(of: "://") {
            let authority = location[range.upperBound...].prefix { $0 != "/" }
            return String(location[..<range.upperBound]) + String(authority)
        } else if location.hasPrefix("/") {
            return base
        } else {
            rest = Substring(location)
        }
        let authority = rest.prefix { $0 != "/" }
        return authority.isEmpty ? nil : "\(scheme)://\(authority)"
    }
}
