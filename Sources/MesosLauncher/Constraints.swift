import JobSpec

/// Chronos's placement constraints (`ConstraintChecker.scala`), checked against an offer's hostname and
/// attributes. All must hold.
package enum Constraints {
    /// True when every constraint holds for the offer.
    package static func allow(_ constraints: [Constraint], _ offer: Offer) -> Bool {
        guard !constraints.isEmpty else { return true }
        var attributes = offer.attributes
        // An offer with no `hostname` attribute gets one, from the offer's hostname.
        if !attributes.contains(where: { $0["name"].string == "hostname" }) {
            attributes.append(["name": "hostname", "type": "TEXT", "text": ["value": .string(offer.hostname)]])
        }
        return constraints.allSatisfy { check($0, attributes) }
    }

    static func check(_ constraint: Constraint, _ attributes: [JSON]) -> Bool {
        let named = attributes.filter { $0["name"].string == constraint.attribute }
        switch constraint.op {
        case .EQUALS:
            return named.contains { $0["text"]["value"].string == constraint.value }
        case .LIKE:
            return named.contains { values($0).contains { matches($0, constraint.value) } }
        case .UNLIKE:
            // A missing attribute does not satisfy UNLIKE (Chronos's rule; Marathon's is the opposite).
            return named.contains { !values($0).contains { matches($0, constraint.value) } }
        }
    }

    /// The strings a LIKE compares: a TEXT value, a SCALAR printed (both `3` and Java's `3.0`), every SET
    /// item. RANGES have none, so they never match.
    static func values(_ attribute: JSON) -> [String] {
        switch attribute["type"].string {
        case "TEXT":
            return attribute["text"]["value"].string.map { [$0] } ?? []
        case "SCALAR":
            guard let number = attribute["scalar"]["value"].number else { return [] }
            if number == number.rounded() && abs(number) < 1e15 { return [String(Int64(number)), String(Int64(number)) + ".0"] }
            return [String(number)]
        case "SET":
            return attribute["set"]["item"].array.compactMap(\.string)
        default:
            return []
        }
    }

    /// A full-string regex match; a pattern that is not a regex matches nothing.
    static func matches(_ text: String, _ pattern: String) -> Bool {
        guard let regex = try? Regex(pattern) else { return false }
        return (try? regex.wholeMatch(in: text)) != nil
    }

    /// The constraints as a job writes them, for messages.
    package static func describe(_ constraints: [Constraint]) -> String {
        constraints.map { "[\($0.attribute) \($0.op.rawValue) \($0.value)]" }.joined(separator: ", ")
    }
}
