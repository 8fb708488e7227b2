import ChronosEngine
import Dispatch
import Foundation
import JobSpec
import Synchronization

/// The leader's licence to write: the epoch it set when it won, and the version of the epoch node that
/// write left. Every write checks that version in the same transaction, so once another instance has
/// won (and bumped the epoch) nothing of this one's lands.
package struct Fence: Sendable, Equatable {
    package var epoch: Int64
    package var version: Int32

    package init(epoch: Int64, version: Int32) {
        self.epoch = epoch
        self.version = version
    }
}

/// The leader's writes stopped: it was fenced out (another instance leads), its session ended, or the
/// connection was lost while a write was in flight. The term is over: the next leader (perhaps this
/// instance again) loads what ZooKeeper holds, so a write whose outcome was unknown is read back, never
/// guessed.
package struct LeadershipLost: PermanentStoreError, CustomStringConvertible {
    package var cause: String
    package var description: String { "this instance no longer leads: \(cause)" }
}

/// The state store for HA: the same data as the SQLite store, under one ZooKeeper root (layout in
/// `ZNodeLayout` and DESIGN.md §4). Each batch is one transaction that begins by checking the fence; a
/// batch larger than one ZooKeeper request (about 1 MB) is written as several fenced transactions, runs
/// before job states, so that a failover between them finds each scheduled slot through its run.
package final class ZooKeeperStateStore: StateStore, LaunchGate, @unchecked Sendable {
    // @unchecked: the caches are a Mutex; batches are applied one at a time by `worker`.
    private struct Cache {
        var jobs: Set<String> = []
        /// Every job's runtime state as stored: a scheduled run moves its job's last slot forward.
        var states: [String: JobState] = [:]
        var active: [TaskID: RunRecord] = [:]
        /// Recently read or written history indexes; nil: the job has no history node.
        var histories: [String: HistoryIndex?] = [:]
    }

    private struct Pending {
        var batch: StoreBatch
        var completion: @Sendable ((any Error)?) -> Void
    }

    package let client: ZooKeeperClient
    package let layout: ZNodeLayout
    package let historyLimit: Int
    /// nil: writes are not fenced (`migrate-state`, which runs with no server).
    package let fence: Fence?
    private let cache = Mutex(Cache())
    private let pending: AsyncStream<Pending>.Continuation
    private let ended = Mutex<LeadershipLost?>(nil)
    /// When a fenced write or check last proved this instance leads.
    private let confirmed = Mutex<ContinuousClock.Instant?>(nil)
    /// How long a proof lasts: a third of the session timeout, well before another instance could win.
    package let leaseDuration: Duration
    /// Told once when the term ends (fenced out, or a write's outcome unknown).
    private let onEnd: @Sendable (String) -> Void
    /// Histories kept in memory between batches.
    static let cachedHistories = 4096
    /// The largest transaction sent, in bytes: ZooKeeper refuses packets over 1 MB, and keeps its last 500
    /// transactions in memory.
    static let transactionBytes = 256 * 1024

    package init(client: ZooKeeperClient, layout: ZNodeLayout, fence: Fence?, historyLimit: Int = 100,
                 leaseDuration: Duration = .seconds(3), onEnd: @escaping @Sendable (String) -> Void = { _ in }) {
        self.client = client
        self.leaseDuration = leaseDuration
        self.onEnd = onEnd
        self.layout = layout
        self.fence = fence
        self.historyLimit = historyLimit
        let (stream, continuation) = AsyncStream<Pending>.makeStream()
        pending = continuation
        Task { [weak self] in
            for await next in stream {
                guard let self else { return next.completion(LeadershipLost(cause: "the store was closed")) }
                next.completion(await self.apply(next.batch))
            }
        }
    }

    deinit { pending.finish() }

    /// Creates the root, its folders and buckets, the epoch and election nodes, once; safe to run from
    /// several instances at the same time.
    package static func prepare(_ client: ZooKeeperClient, layout: ZNodeLayout) async throws {
        if try await client.exists(layout.layout) != nil { return }
        try await client.ensurePath(layout.root)
        for folder in ZNodeLayout.bucketed {
            let ops = [ZooKeeperOp.create(layout.root + "/" + folder, data: [])] + layout.buckets(folder).map { .create($0, data: []) }
            try await multiUnlessExisting(client, ops)
        }
        for (path, data) in [(layout.root + "/meta", ""), (layout.epoch, "{\"epoch\":0}"), (layout.election, ""), (layout.layout, ZNodeLayout.layoutVersion)] {
            try await multiUnlessExisting(client, [.create(path, data: Array(data.utf8))])
        }
    }

    /// Creates nodes in one transaction; nothing happens when one exists already (another instance made them).
    private static func multiUnlessExisting(_ client: ZooKeeperClient, _ ops: [ZooKeeperOp]) async throws {
        do {
            try await client.multi(ops)
        } catch {
            guard let failed = error as? ZooKeeperMultiError, failed.error.isNodeExists else { throw error }
        }
    }

    // MARK: Reading

    package func load() async throws -> StoredState {
        var state = StoredState()
        let decoder = JSONDecoder()
        let jobs = try await readAll("jobs")
        let jobNames = Set(jobs.map(\.0))
        state.jobs = try Self.parseJobs(jobs, layout: layout)
        state.jobs.sort { $0.job.name < $1.job.name }
        for (name, bytes) in try await readAll("state") {
            do {
                state.states[name] = try decoder.decode(JobState.self, from: Data(bytes))
            } catch {
                throw StateFileError(.brokenRow, path: layout.state(name), subject: "job \(name)", message: "its runtime state cannot be read", cause: "\(error)")
            }
        }
        var active: [TaskID: RunRecord] = [:]
        for (id, bytes) in try await readAll("active") {
            do {
                let run = try decoder.decode(RunRecord.self, from: Data(bytes))
                active[run.taskID] = run
            } catch {
                throw StateFileError(.brokenRow, path: layout.root + "/active", subject: "run \(id)", message: "its node cannot be read", cause: "\(error)")
            }
        }
        state.activeRuns = active.values.sorted { ($0.readyAt, $0.taskID) < ($1.readyAt, $1.taskID) }
        let states = state.states
        cache.withLock {
            $0.jobs = jobNames
            $0.states = states
            $0.active = active
            $0.histories = [:]
        }
        return state
    }

    /// The jobs' nodes as applied jobs, parsed on every core (a spec is validated again as it loads).
    static func parseJobs(_ nodes: [(String, [UInt8])], layout: ZNodeLayout) throws -> [AppliedJob] {
        let lanes = max(1, min(ProcessInfo.processInfo.activeProcessorCount, nodes.count / 1000 + 1))
        let results = Mutex<[Int: Result<[AppliedJob], StateFileError>]>([:])
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            let decoder = JSONDecoder()
            var parsed: [AppliedJob] = []
            for index in stride(from: lane, to: nodes.count, by: lanes) {
                let (name, bytes) = nodes[index]
                guard let stored = try? decoder.decode(StoredJob.self, from: Data(bytes)) else {
                    results.withLock { $0[lane] = .failure(StateFileError(.brokenRow, path: layout.job(name), subject: "job \(name)", message: "its node cannot be read")) }
                    return
                }
                let loaded = JobLoader.parse(stored.spec, file: "zk:\(name)")
                guard let definition = loaded.jobs.first, definition.job.name == name else {
                    let cause = loaded.diagnostics.map(\.message).joined(separator: "; ")
                    results.withLock { $0[lane] = .failure(StateFileError(.brokenRow, path: layout.job(name), subject: "job \(name)", message: "its stored spec no longer loads", cause: cause)) }
                    return
                }
                parsed.append(AppliedJob(definition, source: JobSource(stored: stored.source), appliedAt: stored.appliedAt))
            }
            results.withLock { $0[lane] = .success(parsed) }
        }
        return try results.withLock { $0 }.sorted { $0.key < $1.key }.flatMap { try $0.value.get() }
    }

    /// Every node of a bucketed folder, by unescaped name, read pipelined.
    private func readAll(_ folder: String) async throws -> [(String, [UInt8])] {
        var paths: [String] = []
        var names: [String] = []
        for bucket in layout.buckets(folder) {
            for child in try await client.children(bucket) {
                paths.append(bucket + "/" + child)
                names.append(ZNodeLayout.unescape(child))
            }
        }
        let values = try await client.getMany(paths)
        return zip(names, values).compactMap { name, value in value.map { (name, $0) } }
    }

    package func runs(of job: String, limit: Int) async throws -> [RunRecord] {
        let active = cache.withLock { $0.active.values.filter { $0.job == job } }
        // Pages hold a little more than the limit: what shows is the limit, as in the SQLite store.
        let history = try await history(of: job, limit: limit).prefix(historyLimit)
        let all = active + history
        return Array(all.sorted { ($0.queuedAt, $0.taskID.attempt) > ($1.queuedAt, $1.taskID.attempt) }.prefix(limit))
    }

    package func run(_ id: TaskID) async throws -> RunRecord? {
        if let run = cache.withLock({ $0.active[id] }) { return run }
        return try await history(of: id.job, limit: historyLimit + HistoryIndex.pageRuns).first { $0.taskID == id }
    }

    /// The web UI's run strips: every job's index and last page read together (pipelined), and the page
    /// before where the last one holds too few.
    package func recentRunStates(of jobs: [String], limit: Int) async throws -> [String: [RunState]] {
        let indexes = try await historyIndexes(jobs)
        var active: [String: [RunRecord]] = [:]
        cache.withLock { cache in
            let wanted = Set(jobs)
            for run in cache.active.values where wanted.contains(run.job) { active[run.job, default: []].append(run) }
        }
        let short = jobs.filter { job in
            guard let index = indexes[job] ?? nil else { return false }
            return index.lastPage.count + (active[job]?.count ?? 0) < limit && index.last > index.first
        }
        let previous = try await client.getMany(short.map { layout.historyPage($0, indexes[$0]!!.last - 1) })
        var earlier: [String: [RunRecord]] = [:]
        let decoder = JSONDecoder()
        for (job, page) in zip(short, previous) {
            if let page { earlier[job] = try decoder.decode([RunRecord].self, from: Data(page)) }
        }
        var result: [String: [RunState]] = [:]
        for job in jobs {
            let finished = ((indexes[job] ?? nil)?.lastPage ?? []).reversed() + (earlier[job] ?? []).reversed()
            let inFlight = (active[job] ?? []).sorted { ($0.queuedAt, $0.taskID.attempt) > ($1.queuedAt, $1.taskID.attempt) }
            result[job] = (inFlight + finished).prefix(limit).map(\.state)
        }
        return result
    }

    /// A job's finished runs, newest first: the pages that hold the latest `limit`.
    private func history(of job: String, limit: Int) async throws -> [RunRecord] {
        guard let index = try await historyIndexes([job])[job] ?? nil else { return [] }
        let pages = max(0, min(index.last - index.first, (limit + HistoryIndex.pageRuns - 1) / HistoryIndex.pageRuns))
        let numbers = Array((index.last - pages..<index.last).reversed())
        let read = try await client.getMany(numbers.map { layout.historyPage(job, $0) })
        var runs = Array(index.lastPage.reversed())
        let decoder = JSONDecoder()
        for page in read {
            guard let page else { continue }
            runs += try decoder.decode([RunRecord].self, from: Data(page)).reversed()
        }
        return runs
    }

    /// The history indexes of `jobs` (with each last page), from the cache or read, pipelined.
    private func historyIndexes(_ jobs: [String]) async throws -> [String: HistoryIndex?] {
        var found: [String: HistoryIndex?] = [:]
        let cached = cache.withLock { cache in jobs.map { cache.histories[$0] } }
        var missing: [String] = []
        for (job, hit) in zip(jobs, cached) {
            if let hit { found[job] = hit } else { missing.append(job) }
        }
        guard !missing.isEmpty else { return found }
        let decoder = JSONDecoder()
        let nodes = try await client.getMany(missing.map { layout.history($0) })
        var indexes: [String: HistoryIndex] = [:]
        for (job, node) in zip(missing, nodes) {
            guard let node else {
                found[job] = .some(nil)
                continue
            }
            indexes[job] = try decoder.decode(HistoryIndex.self, from: Data(node))
        }
        let names = Array(indexes.keys)
        let lastPages = try await client.getMany(names.map { layout.historyPage($0, indexes[$0]!.last) })
        for (job, page) in zip(names, lastPages) {
            var index = indexes[job]!
            index.lastPage = try page.map { try decoder.decode([RunRecord].self, from: Data($0)) } ?? []
            found[job] = index
        }
        remember(found.filter { missing.contains($0.key) })
        return found
    }

    private func remember(_ histories: [String: HistoryIndex?]) {
        cache.withLock { cache in
            for (job, index) in histories {
                if cache.histories.count >= Self.cachedHistories, cache.histories[job] == nil, let evicted = cache.histories.keys.first {
                    cache.histories[evicted] = nil
                }
                cache.histories[job] = index
            }
        }
    }

    package func value(for key: String) async throws -> String? {
        try await client.getMany([layout.meta(key)])[0].map { String(decoding: $0, as: UTF8.self) }
    }

    package func values() async throws -> [String: String] {
        let folder = layout.root + "/meta"
        let nodes = try await client.children(folder)
        let read = try await client.getMany(nodes.map { folder + "/" + $0 })
        var result: [String: String] = [:]
        for (node, value) in zip(nodes, read) {
            if let value { result[ZNodeLayout.unescape(node)] = String(decoding: value, as: UTF8.self) }
        }
        return result
    }

    package func setValue(_ value: String?, for key: String) async throws {
        try checkTerm()
        let path = layout.meta(key)
        guard let value else {
            do {
                try await transact([.delete(path)])
            } catch let error as ZooKeeperMultiError where error.error.isNoNode {}
            return
        }
        do {
            try await transact([.set(path, data: Array(value.utf8))])
        } catch let error as ZooKeeperMultiError where error.error.isNoNode {
            try await transact([.create(path, data: Array(value.utf8))])
        }
    }

    // MARK: Writing

    package func write(_ batch: StoreBatch, completion: @escaping @Sendable ((any Error)?) -> Void) {
        guard !batch.isEmpty else { return completion(nil) }
        pending.yield(Pending(batch: batch, completion: completion))
    }

    /// Ends the term: every write from now on fails with `LeadershipLost`. `notify` tells the elector
    /// (through `onEnd`); a term stopped by its owner does not.
    package func end(_ cause: String, notify: Bool = true) {
        let first = ended.withLock { ended -> Bool in
            guard ended == nil else { return false }
            ended = LeadershipLost(cause: cause)
            return true
        }
        if first, notify { onEnd(cause) }
    }

    /// True while this instance still leads: at once when a write proved it recently, else after
    /// reading the epoch node (so a leader that was paused past its session launches nothing).
    package func mayLaunch() async -> Bool {
        guard let fence, ended.withLock({ $0 == nil }) else { return fence == nil }
        let now = ContinuousClock.now
        if let last = confirmed.withLock({ $0 }), now - last < leaseDuration { return true }
        guard client.state == .connected, let stat = try? await client.exists(layout.epoch), stat.version == fence.version else {
            end("the epoch moved on, or ZooKeeper cannot confirm this instance still leads")
            return false
        }
        confirmed.withLock { $0 = now }
        return true
    }

    private func checkTerm() throws {
        if let lost = ended.withLock({ $0 }) { throw lost }
    }

    /// One batch: its operations, in fenced transactions; the caches follow only once all of them landed.
    private func apply(_ batch: StoreBatch) async -> (any Error)? {
        do {
            try checkTerm()
            let plan = try await operations(for: batch)
            var chunk: [ZooKeeperOp] = []
            var bytes = 0
            for op in plan.ops {
                if !chunk.isEmpty, bytes + op.size > Self.transactionBytes || chunk.count >= 4000 {
                    try await transact(chunk)
                    chunk.removeAll(keepingCapacity: true)
                    bytes = 0
                }
                chunk.append(op)
                bytes += op.size
            }
            try await transact(chunk)
            cache.withLock { cache in
                cache.jobs.formUnion(batch.upsertJobs.map(\.job.name))
                cache.jobs.subtract(batch.deleteJobs)
                cache.states.merge(plan.states) { $1 }
                for name in batch.deleteJobs { cache.states[name] = nil }
                cache.active = plan.active
            }
            remember(plan.histories)
            return nil
        } catch let lost as LeadershipLost {
            return lost
        } catch let error as ZooKeeperMultiError {
            // A node was not where the caches said: the next term reloads them from ZooKeeper.
            end("\(error)")
            return LeadershipLost(cause: "\(error)")
        } catch {
            return error
        }
    }

    /// Runs `ops` as one transaction behind the fence. A failure of a fenced store ends its term: see
    /// `LeadershipLost`.
    private func transact(_ ops: [ZooKeeperOp]) async throws {
        guard !ops.isEmpty else { return }
        guard let fence else { return try await client.multi(ops) }
        do {
            let sent = ContinuousClock.now
            try await client.multi([.check(layout.epoch, version: fence.version)] + ops)
            confirmed.withLock { $0 = sent }
        } catch let error as ZooKeeperMultiError where error.index > 0 {
            // One of our own operations failed (a node that was not where the caches said): nothing was written.
            throw ZooKeeperMultiError(index: error.index - 1, error: error.error)
        } catch let error as ZooKeeperMultiError {
            end("another instance won the election (the epoch moved past \(fence.epoch))")
            throw LeadershipLost(cause: "fenced out: \(error.error)")
        } catch {
            end("\(error)")
            throw LeadershipLost(cause: "\(error)")
        }
    }

    private struct Plan {
        var ops: [ZooKeeperOp] = []
        var active: [TaskID: RunRecord]
        var states: [String: JobState] = [:]
        var histories: [String: HistoryIndex?] = [:]
    }

    /// The operations of a batch, in the order that keeps a split batch safe: jobs, runs, histories,
    /// states, then deleted jobs.
    private func operations(for batch: StoreBatch) async throws -> Plan {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let (knownJobs, knownStates, before) = cache.withLock { ($0.jobs, $0.states, $0.active) }
        var plan = Plan(active: before)
        for applied in batch.upsertJobs {
            let spec = applied.job.storedJSON
            let data = Array(try encoder.encode(StoredJob(spec: spec, source: applied.source.stored, appliedAt: applied.appliedAt)))
            let path = layout.job(applied.job.name)
            plan.ops.append(knownJobs.contains(applied.job.name) ? .set(path, data: data) : .create(path, data: data))
        }
        // Runs as they ended up in this batch, then the starts of stored queued runs.
        var changed: [TaskID: RunRecord] = [:]
        var order: [TaskID] = []
        for var run in batch.runs {
            run.epoch = run.epoch ?? plan.active[run.taskID]?.epoch ?? changed[run.taskID]?.epoch ?? fence?.epoch
            if changed.updateValue(run, forKey: run.taskID) == nil { order.append(run.taskID) }
        }
        func start(_ id: TaskID, at startedAt: Int64) {
            guard var run = changed[id] ?? plan.active[id], run.state == .queued else { return }
            run.state = .running
            run.startedAt = startedAt
            if changed.updateValue(run, forKey: id) == nil { order.append(id) }
        }
        for (readyAt, startedAt) in batch.startedReadyAt {
            let ids = (plan.active.values.filter { $0.readyAt == readyAt }.map(\.taskID)
                + changed.values.filter { $0.readyAt == readyAt }.map(\.taskID))
            for id in Set(ids) { start(id, at: startedAt) }
        }
        for (id, startedAt) in batch.startedRuns { start(id, at: startedAt) }
        var finished: [String: [RunRecord]] = [:]
        for id in order {
            let run = changed[id]!
            let path = layout.active(id.description, job: id.job)
            if run.state.isFinal {
                if plan.active.removeValue(forKey: id) != nil { plan.ops.append(.delete(path)) }
                finished[run.job, default: []].append(run)
            } else {
                let data = Array(try encoder.encode(run))
                plan.ops.append(plan.active.updateValue(run, forKey: id) != nil ? .set(path, data: data) : .create(path, data: data))
            }
        }
        // Histories: each job's last page rewritten (or a new page begun), the oldest page dropped past the limit.
        let jobs = finished.keys.filter { !batch.deleteJobs.contains($0) }.sorted()
        let indexes = try await historyIndexes(jobs)
        for job in jobs {
            let change = try HistoryChange(job: job, before: indexes[job] ?? nil, runs: finished[job]!, limit: historyLimit, layout: layout, encoder: encoder)
            plan.ops += change.ops
            plan.histories[job] = change.index
        }
        // Job states: those of the batch, and those whose last slot a scheduled run moved (the scheduler
        // does not write the state with each run: the SQLite store reads the last slot back from its runs).
        plan.states = batch.states
        for id in order where id.attempt == 0 {
            guard let run = changed[id], run.trigger == .schedule, var state = plan.states[id.job] ?? knownStates[id.job] else { continue }
            if (state.lastScheduledDue ?? .min) < id.due {
                state.lastScheduledDue = id.due
                plan.states[id.job] = state
            }
        }
        for (name, state) in plan.states.sorted(by: { $0.key < $1.key }) where !batch.deleteJobs.contains(name) {
            let data = Array(state.storedJSON.utf8)
            let path = layout.state(name)
            plan.ops.append(knownStates[name] != nil ? .set(path, data: data) : .create(path, data: data))
        }
        let upserted = Set(batch.upsertJobs.map(\.job.name))
        for name in batch.deleteJobs {
            if knownJobs.contains(name) || upserted.contains(name) { plan.ops.append(.delete(layout.job(name))) }
            if knownStates[name] != nil { plan.ops.append(.delete(layout.state(name))) }
        }
        return plan
    }
}

/// A job's node.
struct StoredJob: Codable {
    var spec: String
    var source: String
    var appliedAt: Int64
}
