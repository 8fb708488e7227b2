internal import CSQLite

/// One SQLite connection.
final class SQLiteConnection: @unchecked Sendable {
    // @unchecked: the connection is opened with SQLITE_OPEN_NOMUTEX and is not thread-safe; its owner,
    // `SQLiteStateStore`, passes it only into blocks of its one serial queue, so calls never overlap.
    let handle: OpaquePointer
    /// The database file.
    let path: String
    private var statements: [String: SQLiteStatement] = [:]

    /// Opens (creating if needed) the database at `path` in WAL mode; with `readOnly`, opens an existing
    /// one for reading only, leaving its mode and contents as the writer set them.
    init(path: String, readOnly: Bool = false) throws(SQLiteError) {
        var db: OpaquePointer?
        let flags = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        let code = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard code == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: code, message: message, call: "sqlite3_open_v2", sql: path)
        }
        handle = db
        self.path = path
        sqlite3_busy_timeout(db, 5000)
        if readOnly { return }
        try execute("PRAGMA journal_mode=WAL")
        try execute("PRAGMA synchronous=NORMAL")
        // Checkpoint the WAL less often (32 MB): a checkpoint inside a dispatch-time write delays launches.
        try execute("PRAGMA wal_autocheckpoint=8000")
        try execute("PRAGMA foreign_keys=ON")
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements without parameters.
    func execute(_ sql: String) throws(SQLiteError) {
        var error: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &error)
        if code != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(error)
            throw SQLiteError(code: code, message: message, call: "sqlite3_exec", sql: sql)
        }
    }

    /// A prepared statement, cached by its text.
    func statement(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        if let cached = statements[sql] {
            cached.reset()
            return cached
        }
        var raw: OpaquePointer?
        try check(sqlite3_prepare_v2(handle, sql, -1, &raw, nil), "sqlite3_prepare_v2", sql: sql)
        let statement = SQLiteStatement(raw!, connection: self, sql: sql)
        statements[sql] = statement
        return statement
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    var userVersion: Int {
        get throws(SQLiteError) {
            let s = try statement("PRAGMA user_version")
            // A single-row read: reset so the statement does not hold a read transaction open.
            defer { s.reset() }
            return try s.step() ? Int(s.int(0)) : 0
        }
    }
}

/// A prepared statement with typed binding and column access.
final class SQLiteStatement {
    let raw: OpaquePointer
    unowned let connection: SQLiteConnection
    let sql: String

    init(_ raw: OpaquePointer, connection: SQLiteConnection, sql: String) {
        self.raw = raw
        self.connection = connection
        self.sql = sql
    }

    deinit { sqlite3_finalize(raw) }

    func reset() {
        sqlite3_reset(raw)
        sqlite3_clear_bindings(raw)
    }

    /// Binds parameters 1…n in order; nil binds NULL.
    func bind(_ values: [SQLiteValue?]) throws(SQLiteError) {
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            let code: Int32
            switch value {
            case nil: code = sqlite3_bind_null(raw, index)
            case .int(let v): code = sqlite3_bind_int64(raw, index, v)
            case .double(let v): code = sqlite3_bind_double(raw, index, v)
            case .text(let v): code = chronos_sqlite3_bind_text(raw, index, v, -1)
            case .blob(let bytes):
                code = bytes.withUnsafeBytes { chronos_sqlite3_bind_blob(raw, index, $0.baseAddress, Int32($0.count)) }
            }
            try connection.check(code, "sqlite3_bind", sql: sql)
        }
    }

    /// Steps once: true when a row is available.
    @discardableResult
    func step() throws(SQLiteError) -> Bool {
        let code = sqlite3_step(raw)
        if code != SQLITE_ROW && code != SQLITE_DONE {
            // A failed statement is reset at once: left active, it would keep its transaction open.
            let error = SQLiteError(code: code, message: String(cString: sqlite3_errmsg(connection.handle)), call: "sqlite3_step", sql: sql)
            sqlite3_reset(raw)
            throw error
        }
        if code == SQLITE_DONE { sqlite3_reset(raw) }
        return code == SQLITE_ROW
    }

    /// Binds, then steps to the end.
    func run(_ values: [SQLiteValue?] = []) throws(SQLiteError) {
        try bind(values)
        while try step() {}
    }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(raw, column) == SQLITE_NULL }
    func int(_ column: Int32) -> Int64 { sqlite3_column_int64(raw, column) }
    func double(_ column: Int32) -> Double { sqlite3_column_double(raw, column) }
    func optionalInt(_ column: Int32) -> Int64? { isNull(column) ? nil : int(column) }
    func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }

    func text(_ column: Int32) -> String {
        guard let p = sqlite3_column_text(raw, column) else { return "" }
        return String(cString: p)
    }

    func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(raw, column))
        guard count > 0, let p = sqlite3_column_blob(raw, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: count))
    }
}

/// A value bound to a statement parameter.
enum SQLiteValue {
    case int(Int64)
    case double(Double)
    case text(String)
    case blob([UInt8])
}
