/// A value in the state store that does not decode; remove the key (or restore a backup) to start over.
package struct StoredValueError: Error, Sendable, CustomStringConvertible {
    package var key: String
    package var cause: any Error

    package var description: String {
        "the stored value \(key) does not decode (\(cause)); a newer chronos-sync may have written it"
    }
}
