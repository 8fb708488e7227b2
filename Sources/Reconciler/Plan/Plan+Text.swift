extension Plan {
    /// The plan as a person reads it, Terraform-style: `+` create, `~` update with `old → new`, `-` delete,
    /// `-/+` replace, and a summary line.
    package func text(color: Bool = false) -> String {
        func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        var lines: [String] = []
        for change in changes {
            let (mark, code) = switch change.action {
            case .create: ("+", "32")
            case .update: ("~", "33")
            case .delete: ("-", "31")
            case .replace: ("-/+", "35")
            }
            let from = change.source.isEmpty ? "" : "  (\(change.source))"
            lines.append(paint("\(mark) \(change.name)", code) + from)
            for field in change.fields {
                switch (field.old, field.new) {
                case (nil, let new?): lines.append("    + \(field.field): \(new)")
                case (let old?, nil): lines.append("    - \(field.field): \(old)")
                case (let old?, let new?): lines.append("    ~ \(field.field): \(old) → \(new)")
                default: break
                }
            }
        }
        if !notPruned.isEmpty {
            lines.append("  \(notPruned.count) job(s) left git but stay, as prune is off: \(notPruned.joined(separator: ", "))")
        }
        if !unmanaged.isEmpty {
            lines.append("  \(unmanaged.count) job(s) made outside git are left alone: \(unmanaged.joined(separator: ", "))")
        }
        if let refused { lines.append(paint("refused: \(refused)", "31")) }
        let summary = isEmpty
            ? "No changes: the jobs match revision \(revision.prefix(12))."
            : "Plan: \(count(.create)) to create, \(count(.update)) to update, \(count(.replace)) to replace, \(count(.delete)) to delete (revision \(revision.prefix(12)))."
        lines.append(summary)
        return lines.joined(separator: "\n") + "\n"
    }
}
