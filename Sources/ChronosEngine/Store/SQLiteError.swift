internal import CSQLite

/// A failed SQLite call: the call, SQLite's result code and message, and the statement if any.
package struct SQLiteError: Error, Sendable, CustomStringConvertible {
    package var code: Int32
    package var message: String
    package var call: String
    package var sql: String?

    package var description: String {
        var text = "SQLite \(call) failed (\(code)): \(message)"
        if let sql { text += " in: \(sql)" }
        return text
    }
}

extension SQLiteConnection {
    /// Throws a `SQLiteError` naming `call` unless `code` is one of `ok`.
    func check(_ code: Int32, _ call: String, sql: String? = nil, ok: Set<Int32> = [SQLITE_OK]) throws(SQLiteError) {
        guard !ok.contains(code) else { return }
        let message = String(cString: sqlite3_errmsg(handle))
        throw SQLiteError(code: code, message: message, call: call, sql: sql)
    }
}
