/// How long each step of a sync took, for the debug log: where a slow sync spends its time.
struct StepTimes: CustomStringConvertible {
    private var last = ContinuousClock.now
    private var steps: [(name: String, duration: Duration)] = []

    mutating func end(_ step: String) {
        let now = ContinuousClock.now
        steps.append((step, now - last))
        last = now
    }

    var description: String {
        steps.map { "\($0.name) \(Self.millis($0.duration)) ms" }.joined(separator: ", ")
    }

    private static func millis(_ d: Duration) -> String {
        let ms = Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
        return String(Int(ms.rounded()))
    }
}
