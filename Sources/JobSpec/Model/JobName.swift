/// The one rule for job names. Names become file names (sandboxes, `import`'s spec files), so this is
/// also the one check that keeps them inside their folder.
public enum JobName {
    /// The longest name, in bytes.
    public static let maxLength = 200

    /// What is wrong with `name`, or nil when it is a valid job name: `[A-Za-z0-9_.-]+`, at most 200
    /// bytes, and not `.` or `..`.
    public static func problem(_ name: String) -> String? {
        let valid = !name.isEmpty && name.utf8.allSatisfy { c in
            (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 95 || c == 46 || c == 45
        }
        if !valid { return "job name \"\(name)\" may hold only letters, digits, \"_\", \".\" and \"-\"" }
        if name == "." || name == ".." { return "job name \"\(name)\" names a folder, not a job; pick another" }
        if name.utf8.count > maxLength { return "job name is \(name.utf8.count) characters long; the limit is \(maxLength)" }
        return nil
    }
}
