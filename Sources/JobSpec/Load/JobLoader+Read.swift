import Glibc

extension JobLoader {
    /// The bytes of a spec file, or nil after an error in `reader` when it cannot be read or is over the
    /// size limit. One `open`, `fstat` and `read`: this runs once per file, tens of thousands of times in
    /// a large folder, where Foundation's file attributes (which look up the owner's and group's names)
    /// cost more than parsing the file.
    static func read(_ file: String, limits: YAMLLimits, _ reader: SpecReader) -> [UInt8]? {
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            reader.error("cannot read the file", at: Mark(line: 1, column: 1))
            return nil
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            reader.error("cannot read the file", at: Mark(line: 1, column: 1))
            return nil
        }
        let size = Int(info.st_size)
        if size > limits.maxFileBytes {
            reader.error("the file is \(size) bytes, over the limit of \(limits.maxFileBytes)", at: Mark(line: 1, column: 1))
            return nil
        }
        // The size is a hint: a file that grows while it is read is read to its end, then checked again.
        return withinLimit(readToEnd(fd, expected: size, limit: limits.maxFileBytes), limits: limits, reader)
    }

    /// Reads `fd` to its end (or to past `limit`); nil on a read error.
    private static func readToEnd(_ fd: Int32, expected: Int, limit: Int) -> [UInt8]? {
        // One byte more than expected, so that a file of the expected size ends in the first read.
        guard var (bytes, ended) = readChunk(fd, capacity: expected + 1) else { return nil }
        while !ended && bytes.count <= limit {
            guard let (more, end) = readChunk(fd, capacity: max(4096, bytes.count)) else { return nil }
            bytes += more
            ended = end
        }
        return bytes
    }

    /// Up to `capacity` bytes of `fd`, and whether its end was reached; nil on a read error.
    private static func readChunk(_ fd: Int32, capacity: Int) -> (bytes: [UInt8], ended: Bool)? {
        var failed = false
        var ended = false
        let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            initialized = 0
            while initialized < buffer.count {
                let n = Glibc.read(fd, buffer.baseAddress! + initialized, buffer.count - initialized)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    failed = n < 0
                    ended = true
                    return
                }
                initialized += n
            }
        }
        return failed ? nil : (bytes, ended)
    }
}
