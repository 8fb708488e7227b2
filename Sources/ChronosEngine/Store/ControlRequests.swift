import Foundation

/// A command for the server that runs on a data folder (`chronos-sync run`, `kill`, …), passed through
/// the state file so the command line needs no network.
public struct ControlRequest: Sendable, Hashable {
    public enum Action: String, Sendable {
        case run, kill, markSuccess = "mark-success", disable, enable
        /// Apply a saved plan (its JSON is the one argument) through the server's git sync.
        case applyPlan = "apply-plan"
    }

    public var id: Int64
    public var action: Action
    public var job: String
    public var arguments: [String]
    public var doneAt: Int64?
    public var result: String
    public var error: String
}

extension SQLiteStateStore {
    /// Queues a request; returns its id.
    public func submit(_ action: ControlRequest.Action, job: String, arguments: [String] = [], now: Int64) async throws -> Int64 {
        let args = String(decoding: try JSONEncoder().encode(arguments), as: UTF8.self)
        return try await perform { db in
            try db.statement("INSERT INTO requests (action, job, arguments, created_at) VALUES (?, ?, ?, ?)")
                .run([.text(action.rawValue), .text(job), .text(args), .int(now)])
            let s = try db.statement("SELECT last_insert_rowid()")
            // A single-row read: reset so the statement does not hold a read transaction open.
            defer { s.reset() }
            _ = try s.step()
            return s.int(0)
        }
    }

    /// The requests not yet done, oldest first.
    public func pendingRequests() async throws -> [ControlRequest] {
        try await perform { db in
            let s = try db.statement("SELECT id, action, job, arguments FROM requests WHERE done_at IS NULL ORDER BY id")
            var result: [ControlRequest] = []
            while try s.step() {
                let arguments = (try? JSONDecoder().decode([String].self, from: Data(s.text(3).utf8))) ?? []
                let action = ControlRequest.Action(rawValue: s.text(1)) ?? .run
                result.append(ControlRequest(id: s.int(0), action: action, job: s.text(2), arguments: arguments, doneAt: nil, result: "", error: ""))
            }
            return result
        }
    }

    /// Marks a pending request as being carried out; false when it is no longer pending (withdrawn).
    public func take(_ id: Int64, now: Int64) async throws -> Bool {
        try await perform { db in
            try db.statement("UPDATE requests SET done_at = ?, error = 'interrupted' WHERE id = ? AND done_at IS NULL").run([.int(now), .int(id)])
            let changes = try db.statement("SELECT changes()")
            defer { changes.reset() }
            return try changes.step() && changes.int(0) == 1
        }
    }

    /// Withdraws a request nobody has taken; false when the server took it already.
    public func withdraw(_ id: Int64) async throws -> Bool {
        try await perform { db in
            try db.statement("DELETE FROM requests WHERE id = ? AND done_at IS NULL").run([.int(id)])
            let changes = try db.statement("SELECT changes()")
            defer { changes.reset() }
            return try changes.step() && changes.int(0) == 1
        }
    }

    /// Records a request's outcome.
    public func complete(_ id: Int64, result: String, error: String, now: Int64) async throws {
        try await perform { db in
            try db.statement("UPDATE requests SET done_at = ?, result = ?, error = ? WHERE id = ?")
                .run([.int(now), .text(result), .text(error), .int(id)])
        }
    }

    /// One request, to see whether the server has done it.
    public func request(_ id: Int64) async throws -> ControlRequest? {
        try await perform { db in
            let s = try db.statement("SELECT id, action, job, done_at, result, error FROM requests WHERE id = ?")
            // A single-row read: reset so the statement does not hold a read transaction open.
            defer { s.reset() }
            try s.bind([.int(id)])
            guard try s.step() else { return nil }
            return ControlRequest(id: s.int(0), action: ControlRequest.Action(rawValue: s.text(1)) ?? .run, job: s.text(2), arguments: [],
                                  doneAt: s.optionalInt(3), result: s.text(4), error: s.text(5))
        }
    }
}
