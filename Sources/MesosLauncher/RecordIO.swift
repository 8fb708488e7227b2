import Foundation

/// Splits a RecordIO byte stream (`<length>\n<length bytes>`, records back to back) into records, whatever
/// the chunks it arrives in: bytes are buffered until a whole record is there.
package struct RecordIOParser: Sendable {
    /// A stream that is not RecordIO: a length that is not a number, zero, or past `maxRecord`.
    package struct Malformed: Error, Sendable, CustomStringConvertible {
        package var description: String
    }

    private var buffer: [UInt8] = []
    /// Where the unread bytes of `buffer` start (compacted once a chunk is consumed).
    private var start = 0
    /// The length of the record being read, once its header is complete.
    private var pending: Int?
    package let maxRecord: Int

    package init(maxRecord: Int = 256 << 20) {
        self.maxRecord = maxRecord
    }

    /// Bytes buffered and not yet a whole record.
    package var bufferedCount: Int { buffer.count - start }

    /// Adds a chunk and returns the records it completed, in order.
    package mutating func feed(_ chunk: some Collection<UInt8>) throws(Malformed) -> [Data] {
        buffer.append(contentsOf: chunk)
        var records: [Data] = []
        while true {
            if pending == nil {
                guard let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) else {
                    if buffer.count - start > 20 { throw Malformed(description: "a RecordIO length longer than 20 digits") }
                    break
                }
                let digits = buffer[start..<newline]
                guard !digits.isEmpty, digits.count <= 20, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                      let length = Int(String(decoding: digits, as: UTF8.self)), length > 0, length <= maxRecord else {
                    throw Malformed(description: "not a RecordIO length: \(String(decoding: digits.prefix(40), as: UTF8.self).debugDescription)")
                }
                pending = length
                start = newline + 1
            }
            guard let length = pending, buffer.count - start >= length else { break }
            records.append(Data(buffer[start..<start + length]))
            start += length
            pending = nil
        }
        if start > 0 && (start == buffer.count || start > 1 << 16) {
            buffer.removeFirst(start)
            start = 0
        }
        return records
    }
}
