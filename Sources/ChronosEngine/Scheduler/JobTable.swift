/// The jobs the core runs, by name. Each job is one row of a dense array (its spec, source, next slot
/// and runtime state together), found through an index from name to row. A job costs its row and a
/// few bytes of index, where two hash tables of wide values cost it two buckets each (half of them
/// empty after a growth).
struct JobTable: Sendable {
    private var index: [String: Int32] = [:]
    private var rows: ContiguousArray<SchedulerCore.Entry> = []

    var count: Int { rows.count }
    /// The names, in no order.
    var names: Dictionary<String, Int32>.Keys { index.keys }
    /// The rows, in no order.
    var all: ContiguousArray<SchedulerCore.Entry> { rows }

    /// A job's row; setting nil removes it, and a row of a new name is added at the end.
    subscript(name: String) -> SchedulerCore.Entry? {
        get { index[name].map { rows[Int($0)] } }
        set {
            guard let newValue else {
                removeValue(forKey: name)
                return
            }
            if let at = index[name] {
                rows[Int(at)] = newValue
            } else {
                index[name] = Int32(rows.count)
                rows.append(newValue)
            }
        }
    }

    /// Changes a job's row in place (without copying it out and back); nil when there is no such job.
    @discardableResult
    mutating func update<T>(_ name: String, _ change: (inout SchedulerCore.Entry) -> T) -> T? {
        guard let at = index[name] else { return nil }
        return change(&rows[Int(at)])
    }

    /// Removes a job's row; the last row takes its place.
    @discardableResult
    mutating func removeValue(forKey name: String) -> SchedulerCore.Entry? {
        guard let at = index.removeValue(forKey: name).map(Int.init) else { return nil }
        let removed = rows[at]
        let last = rows.removeLast()
        if at < rows.count {
            rows[at] = last
            index[last.job.name] = Int32(at)
        }
        return removed
    }

    mutating func reserveCapacity(_ count: Int) {
        index.reserveCapacity(count)
        rows.reserveCapacity(count)
    }
}
