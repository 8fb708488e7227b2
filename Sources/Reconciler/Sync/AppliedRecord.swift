import ChronosEngine
import Foundation
import JobSpec

/// What the last sync applied: the commit, and each managed job's spec hash. Drift is a live job whose
/// hash is no longer the recorded one. Stored under `sync.applied`, where `plan --data` reads it too.
package struct AppliedRecord: Codable, Sendable, Equatable {
    package var revision: String = ""
    package var jobs: [String: String] = [:]

    package init(revision: String = "", jobs: [String: String] = [:]) {
        self.revision = revision
        self.jobs = jobs
    }

    /// The state store key of the record.
    package static let key = "sync.applied"

    /// The stored record; an empty one when no sync has applied anything yet. Throws when the store
    /// cannot be read, or the stored value is not a record.
    package static func load(from store: any StateStore) async throws -> AppliedRecord {
        guard let text = try await store.value(for: key) else { return AppliedRecord() }
        do {
            return try JSONDecoder().decode(AppliedRecord.self, from: Data(text.utf8))
        } catch {
            throw StoredValueError(key: key, cause: error)
        }
    }

    /// Stores the record.
    package func save(to store: any StateStore) async throws {
        try await store.setValue(json, for: Self.key)
    }

    /// The record as the JSON `load` reads, written without the encoder: it holds every managed job.
    var json: String {
        var bytes: [UInt8] = Array(#"{"jobs":{"#.utf8)
        bytes.reserveCapacity(jobs.count * 40 + 80)
        for (name, hash) in jobs {
            if bytes.count > 9 { bytes.append(0x2C) }
            JSONText.appendEncoded(name, to: &bytes)
            bytes.append(0x3A)
            JSONText.appendEncoded(hash, to: &bytes)
        }
        bytes.append(contentsOf: #"},"revision":"#.utf8)
        JSONText.appendEncoded(revision, to: &bytes)
        bytes.append(0x7D)
        return String(decoding: bytes, as: UTF8.self)
    }
}
