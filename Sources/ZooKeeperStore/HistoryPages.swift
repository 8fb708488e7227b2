import ChronosEngine
import Foundation

/// A job's finished runs in ZooKeeper: pages of at most `pageRuns` runs (oldest first within a page)
/// under the job's history node, whose data names the first and last page. A run that ends rewrites only
/// the last page (a few KB), never the whole history; the oldest page goes once the pages after it hold
/// the history limit.
struct HistoryIndex: Sendable, Equatable, Codable {
    var first: Int
    var last: Int
    /// The last page's runs, oldest first (not stored in the index node).
    var lastPage: [RunRecord] = []

    enum CodingKeys: String, CodingKey { case first, last }

    /// Runs per page.
    static let pageRuns = 10
    /// A page is closed early when it reaches this size (runs with long argument lists).
    static let pageBytes = 256 * 1024

    /// Pages kept for a history limit: enough for `limit` runs even when the last page has just begun.
    static func pagesKept(limit: Int) -> Int { (limit + pageRuns - 1) / pageRuns + 1 }
}

extension ZNodeLayout {
    /// Page `number` of a job's history.
    func historyPage(_ job: String, _ number: Int) -> String {
        let digits = String(number)
        return history(job) + "/p" + String(repeating: "0", count: max(0, 10 - digits.count)) + digits
    }
}

/// What a batch does to one job's history: the pages to write, create and delete, and the index after.
struct HistoryChange {
    var ops: [ZooKeeperOp] = []
    var index: HistoryIndex

    /// Appends `runs` (oldest first) to the history `before` (nil: the job has none yet).
    init(job: String, before: HistoryIndex?, runs: [RunRecord], limit: Int, layout: ZNodeLayout, encoder: JSONEncoder) throws {
        var index = before ?? HistoryIndex(first: 0, last: 0)
        var pages: [Int: [RunRecord]] = [index.last: index.lastPage]
        var touched: Set<Int> = []
        for run in runs {
            var page = pages[index.last] ?? []
            if let existing = page.firstIndex(where: { $0.taskID == run.taskID }) {
                page[existing] = run  // the same run ended again: kept once, as it ended last
            } else if try page.count >= HistoryIndex.pageRuns || (!page.isEmpty && encoder.encode(page + [run]).count > HistoryIndex.pageBytes) {
                index.last += 1
                page = [run]
            } else {
                page.append(run)
            }
            pages[index.last] = page
            touched.insert(index.last)
        }
        let keep = HistoryIndex.pagesKept(limit: limit)
        var dropped: [Int] = []
        while index.last - index.first + 1 > keep {
            dropped.append(index.first)
            index.first += 1
        }
        index.lastPage = pages[index.last] ?? []
        let previousLast = before?.last ?? -1
        let previousFirst = before?.first ?? 0
        if before == nil {
            ops.append(.create(layout.history(job), data: Array(try encoder.encode(index))))
        } else if before?.first != index.first || before?.last != index.last {
            ops.append(.set(layout.history(job), data: Array(try encoder.encode(index))))
        }
        for number in touched.sorted() where number >= index.first {
            let data = Array(try encoder.encode(pages[number]!))
            ops.append(number <= previousLast ? .set(layout.historyPage(job, number), data: data) : .create(layout.historyPage(job, number), data: data))
        }
        for number in dropped where number >= previousFirst && number <= previousLast {
            ops.append(.delete(layout.historyPage(job, number)))
        }
        self.index = index
    }
}
