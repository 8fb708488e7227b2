import ChronosEngine
import Logging

extension SyncStatus {
    /// What the record step tells the world about a sync besides its status: the history line, the log
    /// line and its level, and the drift counts for the metrics.
    package struct Report: Sendable {
        package var entry: SyncHistoryEntry
        package var level: Logger.Level
        package var log: String
        /// Drifted jobs found by this sync, and those left in place after it.
        package var driftDetected = 0
        package var driftRemaining = 0
        /// What people should hear about: a sync that failed (once, not on every interval) and drift not seen before.
        package var notices: [Notice] = []
    }

    /// The record step: takes in how a sync ended, whatever step it reached, and says what to report.
    /// A failed sync keeps the applied revision and its time: those jobs keep running.
    package mutating func record(_ outcome: SyncOutcome, at now: Int64) -> Report {
        let previous = (state, revision, message)
        let previousDrift = Set(drift.map(\.name))
        lastAttempt = now
        var level = Logger.Level.debug
        var log: String
        var detected = 0
        switch outcome {
        case .failed(let failure):
            if failure.isInvalidCommit, let commit = failure.revision {
                revision = commit
                let errors = failure.diagnostics
                state = .OutOfSync
                self.errors = errors.map(\.description)
                message = "revision \(commit.prefix(12)) does not load (\(errors.count) error\(errors.count == 1 ? "" : "s"), first \(errors[0].description)); nothing applied, \(keepsRunning)"
            } else {
                if failure.step != .fetch, let commit = failure.revision { revision = commit }
                state = .Unknown
                errors = []
                // A failed apply may have reached the scheduler before the store failed; the next sync
                // compares the live jobs with git again either way.
                let after = failure.step == .apply ? "the next sync compares the live jobs with git again" : "nothing applied, \(keepsRunning)"
                message = "\(failure.description); \(after)"
            }
            // Reported once, not again on every interval while the same commit fails the same way.
            level = previous == (state, revision, message) ? .debug : .warning
            log = "sync failed: \(failure)"
        case .refused(let commit, let planned, let reason):
            revision = commit
            errors = []
            state = .OutOfSync
            message = "not applied: \(reason)"
            plan = planned.plan
            drift = planned.assessment.drift
            detected = drift.count
            level = previous == (state, revision, message) ? .debug : .warning
            log = "revision \(commit.prefix(12)) not applied: \(reason)"
        case .applied(let commit, let applied, let planned):
            revision = commit
            errors = []
            appliedRevision = commit
            lastApplied = now
            // What is left different after this sync: the drift left in place, and jobs not pruned.
            let changed = Set(applied.changes.map(\.name))
            var remaining = planned.full
            remaining.changes = planned.full.changes.filter { !changed.contains($0.name) }
            plan = remaining
            let found = planned.assessment.drift
            detected = found.count
            drift = found.filter { !changed.contains($0.name) }
            let inSync = remaining.changes.isEmpty && remaining.notPruned.isEmpty && drift.isEmpty
            state = inSync ? .Synced : .OutOfSync
            var notes: [String] = []
            if !drift.isEmpty { notes.append("\(drift.count) job(s) changed outside git") }
            if !remaining.notPruned.isEmpty { notes.append("\(remaining.notPruned.count) job(s) left git but stay (prune is off)") }
            message = "revision \(commit.prefix(12)) applied" + (notes.isEmpty ? "" : "; " + notes.joined(separator: "; "))
            log = message
        }
        let entry = SyncHistoryEntry(at: now, revision: revision, state: state.rawValue, message: message)
        var notices: [Notice] = []
        switch outcome {
        case .failed, .refused:
            if level == .warning { notices.append(Notice(kind: .syncFailed, at: now, summary: message)) }
        case .applied:
            break
        }
        let newDrift = drift.map(\.name).filter { !previousDrift.contains($0) }
        if !newDrift.isEmpty {
            let shown = newDrift.prefix(10).joined(separator: ", ") + (newDrift.count > 10 ? ", …" : "")
            notices.append(Notice(kind: .drift, at: now, summary: "\(newDrift.count) job(s) changed outside git: \(shown)"))
        }
        return Report(entry: entry, level: level, log: log, driftDetected: detected, driftRemaining: drift.count, notices: notices)
    }

    private var keepsRunning: String {
        "revision \(appliedRevision.isEmpty ? "none" : String(appliedRevision.prefix(12))) keeps running"
    }
}
