/// "Did you mean …?" hints: the closest known word by edit distance.
enum Suggest {
    /// The candidate closest to `word`, if it is close enough to be a likely typo.
    static func closest(to word: String, among candidates: some Sequence<String>, caseInsensitive: Bool = false) -> String? {
        let target = Array((caseInsensitive ? word.lowercased() : word).utf8)
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let other = Array((caseInsensitive ? candidate.lowercased() : candidate).utf8)
            if abs(other.count - target.count) > max(2, target.count / 3) { continue }
            let d = distance(target, other)
            if best == nil || d < best!.distance { best = (candidate, d) }
        }
        guard let best else { return nil }
        let limit = max(1, min(3, (target.count + 2) / 3))
        return best.distance <= limit ? best.name : nil
    }

    /// Damerau–Levenshtein distance (with adjacent transpositions), on bytes.
    static func distance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    value = min(value, previous2[j - 2] + 1)
                }
                current[j] = value
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}
