/// Where a job the engine runs came from.
package enum JobSource: Hashable, Sendable, CustomStringConvertible {
    /// Created or changed through the API or the web UI: unmanaged until a sync adopts it.
    case api
    /// Applied from a spec, at its `file:line:column`.
    case spec(location: String)

    /// Reads what a state store keeps: `api`, or a spec's location.
    package init(stored text: String) {
        self = text == Self.apiText ? .api : .spec(location: text)
    }

    /// What a state store keeps, as earlier versions wrote it, so existing state files load.
    package var stored: String {
        switch self {
        case .api: return Self.apiText
        case .spec(let location): return location
        }
    }

    package var description: String { stored }

    private static let apiText = "api"
}
