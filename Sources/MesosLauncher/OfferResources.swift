/// What is left of an offer while tasks are packed into it. Only resources for the framework's role are
/// used (unreserved `*`, or reserved for the role); each piece given to a task is a copy of the offer's
/// Resource object with only its amount changed, as the reference advises.
package struct OfferResources: Sendable {
    struct Piece: Sendable {
        var json: JSON
        var name: String
        /// For SCALAR resources.
        var amount: Double
        /// For RANGES resources (ports).
        var ranges: [ClosedRange<Int>]
    }

    var pieces: [Piece]

    package init(_ offer: Offer, role: String) {
        pieces = offer.resources.compactMap { json in
            guard let name = json["name"].string else { return nil }
            let resourceRole = json["allocation_info"]["role"].string ?? json["role"].string ?? "*"
            guard resourceRole == "*" || resourceRole == role || json["role"].string.map({ $0 == "*" || $0 == role }) == true else { return nil }
            let ranges = json["ranges"]["range"].array.compactMap { range -> ClosedRange<Int>? in
                guard let begin = range["begin"].number, let end = range["end"].number, begin <= end else { return nil }
                return Int(begin)...Int(end)
            }
            return Piece(json: json, name: name, amount: json["scalar"]["value"].number ?? 0, ranges: ranges)
        }
    }

    /// How much of a scalar resource is left.
    package func scalar(_ name: String) -> Double {
        pieces.filter { $0.name == name }.reduce(0) { $0 + $1.amount }
    }

    /// How many ports are left.
    package var portCount: Int { pieces.filter { $0.name == "ports" }.reduce(0) { $0 + $1.ranges.reduce(0) { $0 + $1.count } } }

    /// True when the amounts and ports fit in what is left (a small tolerance absorbs float sums).
    package func fits(cpus: Double, mem: Double, disk: Double, ports: [Int]) -> Bool {
        guard scalar("cpus") + 1e-9 >= cpus, scalar("mem") + 1e-9 >= mem, disk <= 0 || scalar("disk") + 1e-9 >= disk else { return false }
        let fixed = ports.filter { $0 > 0 }
        guard fixed.allSatisfy(hasPort), Set(fixed).count == fixed.count else { return false }
        return portCount >= ports.count
    }

    func hasPort(_ port: Int) -> Bool {
        pieces.contains { $0.name == "ports" && $0.ranges.contains { $0.contains(port) } }
    }

    /// Takes `amount` of a scalar resource: the Resource objects for the task.
    package mutating func take(_ name: String, _ amount: Double) -> [JSON] {
        var wanted = amount
        var taken: [JSON] = []
        for index in pieces.indices where pieces[index].name == name && wanted > 1e-9 && pieces[index].amount > 1e-9 {
            let part = min(wanted, pieces[index].amount)
            pieces[index].amount -= part
            wanted -= part
            taken.append(pieces[index].json.setting("scalar", ["value": .double(Self.rounded(part))]))
        }
        return taken
    }

    /// Takes ports: the fixed ones asked for, and a free one for each 0. Returns the ports in the order
    /// asked and the Resource objects.
    package mutating func takePorts(_ wanted: [Int]) -> (ports: [Int], resources: [JSON]) {
        var chosen: [Int] = []
        var byPiece: [Int: [Int]] = [:]
        for port in wanted {
            var pick = port
            if pick == 0 {
                let free = pieces.filter { $0.name == "ports" }.flatMap(\.ranges)
                pick = free.lazy.flatMap { $0 }.first { !chosen.contains($0) } ?? 0
            }
            guard let index = pieces.indices.first(where: { pieces[$0].name == "ports" && pieces[$0].ranges.contains { $0.contains(pick) } }) else { continue }
            chosen.append(pick)
            byPiece[index, default: []].append(pick)
        }
        var resources: [JSON] = []
        for (index, ports) in byPiece.sorted(by: { $0.key < $1.key }) {
            for port in ports { pieces[index].ranges = Self.remove(port, from: pieces[index].ranges) }
            let ranges: [JSON] = ports.sorted().map { ["begin": .int(Int64($0)), "end": .int(Int64($0))] }
            resources.append(pieces[index].json.setting("ranges", ["range": .array(ranges)]))
        }
        return (chosen, resources)
    }

    static func remove(_ port: Int, from ranges: [ClosedRange<Int>]) -> [ClosedRange<Int>] {
        ranges.flatMap { range -> [ClosedRange<Int>] in
            guard range.contains(port) else { return [range] }
            var rest: [ClosedRange<Int>] = []
            if range.lowerBound < port { rest.append(range.lowerBound...(port - 1)) }
            if port < range.upperBound { rest.append((port + 1)...range.upperBound) }
            return rest
        }
    }

    /// Scalars to three decimals, as Mesos keeps them, so sums do not leave 0.30000000000000004.
    static func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}
