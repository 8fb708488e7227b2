/// Reader for the TZif format of RFC 8536 (versions 1 to 4), as installed by tzdata.
enum TZif {
    /// The zone in `data`, or nil when it is not a TZif file.
    static func parse(_ bytes: [UInt8], identifier: String) -> Zone? {
        var reader = ByteReader(bytes: bytes)
        guard let v1 = reader.header() else { return nil }
        if v1.version == 0 {
            return reader.block(v1, timeSize: 4).map { zone(identifier, $0, rule: nil) }
        }
        // Skip the 32-bit block; the 64-bit one after the second header is authoritative.
        guard reader.skip(v1.blockSize(timeSize: 4)), let v2 = reader.header(), let block = reader.block(v2, timeSize: 8) else {
            return nil
        }
        var rule: PosixZoneRule?
        if let footer = reader.footer(), !footer.isEmpty {
            rule = PosixZoneRule(footer)
        }
        return zone(identifier, block, rule: rule)
    }

    static func parse(_ data: some Sequence<UInt8>, identifier: String) -> Zone? {
        parse(Array(data), identifier: identifier)
    }

    private static func zone(_ identifier: String, _ block: Block, rule: PosixZoneRule?) -> Zone {
        let offsets = block.transitionTypes.map { block.typeOffsets[Int($0)] }
        let initial = block.typeOffsets.first ?? 0
        return Zone(identifier: identifier, transitions: block.transitionTimes, offsets: offsets, initialOffset: initial, rule: rule)
    }

    struct Header {
        var version: UInt8
        var isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt: Int

        func blockSize(timeSize: Int) -> Int {
            timecnt * timeSize + timecnt + typecnt * 6 + charcnt + leapcnt * (timeSize + 4) + isstdcnt + isutcnt
        }
    }

    struct Block {
        var transitionTimes: [Int64]
        var transitionTypes: [UInt8]
        var typeOffsets: [Int32]
    }

    struct ByteReader {
        let bytes: [UInt8]
        var position = 0

        mutating func skip(_ count: Int) -> Bool {
            guard position + count <= bytes.count else { return false }
            position += count
            return true
        }

        mutating func u8() -> UInt8? {
            guard position < bytes.count else { return nil }
            defer { position += 1 }
            return bytes[position]
        }

        mutating func be32() -> Int32? {
            guard position + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for i in 0..<4 { value = value << 8 | UInt32(bytes[position + i]) }
            position += 4
            return Int32(bitPattern: value)
        }

        mutating func be64() -> Int64? {
            guard position + 8 <= bytes.count else { return nil }
            var value: UInt64 = 0
            for i in 0..<8 { value = value << 8 | UInt64(bytes[position + i]) }
            position += 8
            return Int64(bitPattern: value)
        }

        mutating func header() -> Header? {
            guard position + 44 <= bytes.count, bytes[position..<position + 4].elementsEqual("TZif".utf8) else { return nil }
            let versionByte = bytes[position + 4]
            let version: UInt8 = versionByte == 0 ? 0 : versionByte - 48
            position += 20
            var counts: [Int] = []
            for _ in 0..<6 {
                guard let c = be32(), c >= 0 else { return nil }
                counts.append(Int(c))
            }
            return Header(version: version, isutcnt: counts[0], isstdcnt: counts[1], leapcnt: counts[2], timecnt: counts[3], typecnt: counts[4], charcnt: counts[5])
        }

        mutating func block(_ header: Header, timeSize: Int) -> Block? {
            guard header.typecnt > 0, position + header.blockSize(timeSize: timeSize) <= bytes.count else { return nil }
            var times: [Int64] = []
            times.reserveCapacity(header.timecnt)
            for _ in 0..<header.timecnt {
                guard let t = timeSize == 4 ? be32().map(Int64.init) : be64() else { return nil }
                times.append(t)
            }
            var types: [UInt8] = []
            for _ in 0..<header.timecnt {
                guard let t = u8(), Int(t) < header.typecnt else { return nil }
                types.append(t)
            }
            var offsets: [Int32] = []
            for _ in 0..<header.typecnt {
                guard let off = be32(), skip(2) else { return nil }
                offsets.append(off)
            }
            guard skip(header.charcnt + header.leapcnt * (timeSize + 4) + header.isstdcnt + header.isutcnt) else { return nil }
            return Block(transitionTimes: times, transitionTypes: types, typeOffsets: offsets)
        }

        mutating func footer() -> String? {
            guard position < bytes.count, bytes[position] == 10 else { return nil }
            let start = position + 1
            guard let end = bytes[start...].firstIndex(of: 10) else { return nil }
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }
    }
}
