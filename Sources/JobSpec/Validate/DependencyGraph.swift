/// Checks that go across jobs: unique names, parents that exist, no dependency cycles.
enum DependencyGraph {
    static func check(_ jobs: [JobDefinition], _ report: (Diagnostic) -> Void) {
        // Jobs read in place by index: a folder's 10,000 definitions are not copied to be looked at.
        var index: [String: Int] = [:]
        index.reserveCapacity(jobs.count)
        for i in jobs.indices {
            let name = jobs[i].job.name
            guard !name.isEmpty else { continue }
            if let first = index.updateValue(i, forKey: name) {
                index[name] = first
                let d = jobs[i]
                report(Diagnostic(.error, file: d.file, mark: d.mark(of: "name"),
                                  message: "job name \"\(name)\" is already used at \(jobs[first].location(of: "name"))"))
            }
        }
        // Edges parent → child, by index.
        var parentsOf: [[Int]] = Array(repeating: [], count: jobs.count)
        for i in jobs.indices {
            guard let parents = jobs[i].job.parents else { continue }
            let d = jobs[i]
            guard index[d.job.name] == i else { continue }
            for (p, parent) in parents.enumerated() {
                if let j = index[parent] {
                    if j != i { parentsOf[i].append(j) }
                } else {
                    let hint = Suggest.closest(to: parent, among: index.keys).map { "; did you mean \"\($0)\"?" } ?? ""
                    let mark = p < d.parentMarks.count ? d.parentMarks[p] : d.mark(of: "parents")
                    report(Diagnostic(.error, file: d.file, mark: mark, message: "parent \"\(parent)\" of job \"\(d.job.name)\" does not exist\(hint)"))
                }
            }
        }
        for cycle in cycles(parentsOf) {
            // Report at the first job of the cycle in file order, in run order (parent → child).
            let start = cycle.min()!
            let at = cycle.firstIndex(of: start)!
            let ordered = Array(cycle[at...] + cycle[..<at])
            let names = (ordered + [start]).map { jobs[$0].job.name }
            let d = jobs[start]
            report(Diagnostic(.error, file: d.file, mark: d.mark(of: "parents"),
                              message: "dependency cycle: \(names.joined(separator: " → ")); each job waits for the one before it, so none can run"))
        }
    }

    /// One cycle per strongly connected component with more than one job, as a list of job indexes
    /// in which each job is a parent of the next (and the last of the first).
    static func cycles(_ parentsOf: [[Int]]) -> [[Int]] {
        // Iterative DFS along parent edges; a back edge closes a cycle, read off the stack.
        var state = [UInt8](repeating: 0, count: parentsOf.count)  // 0 new, 1 on stack, 2 done
        var result: [[Int]] = []
        for root in parentsOf.indices where state[root] == 0 {
            var stack: [(node: Int, next: Int)] = [(root, 0)]
            state[root] = 1
            while let top = stack.last {
                let edges = parentsOf[top.node]
                if top.next < edges.count {
                    stack[stack.count - 1].next += 1
                    let parent = edges[top.next]
                    if state[parent] == 0 {
                        state[parent] = 1
                        stack.append((parent, 0))
                    } else if state[parent] == 1 {
                        let from = stack.firstIndex(where: { $0.node == parent })!
                        // The stack runs child → parent; reverse it for parent → child order.
                        result.append(stack[from...].map(\.node).reversed())
                    }
                } else {
                    state[top.node] = 2
                    stack.removeLast()
                }
            }
        }
        return result
    }
}
