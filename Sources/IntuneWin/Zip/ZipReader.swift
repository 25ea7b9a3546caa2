/// Reads a zip's central directory (with Zip64) from any random-access source and streams entries.
/// Only the tail is read to list entries; entry data is read on demand.
public struct ZipReader {
    /// The bytes the archive is read from.
    public let source: RandomAccessSource
    /// The central directory's entries, in directory order.
    public let entries: [ZipEntry]
    /// Where the central directory starts (entry data must lie before it).
    public let centralDirectoryOffset: UInt64
    /// Entries whose local header and data span at most this many bytes are read in one go.
    static let spanReadLimit: UInt64 = 256 << 10
    /// The most bytes of headers and data one reading group spans (`readingGroups`, `region(for:)`).
    public static let groupReadLimit: UInt64 = 1 << 20
    /// Local header offset -> where that entry's data must end (see `dataLimits`).
    private let dataLimits: [UInt64: UInt64]

    /// Reads the end-of-central-directory record (Zip64 too) and the central directory; throws `badInput` when they are damaged or inconsistent.
    public init(source: RandomAccessSource) throws {
        self.source = source
        let path = source.path
        let size = source.size
        guard size >= 22 else { throw IntuneWinError.badInput(path, "not a zip file (too short: \(size) bytes)") }
        // The EOCD is in the last 22 + 65535 bytes (comment up to 64 KiB).
        let tailLength = Int(min(size, 22 + 0xFFFF))
        let tailStart = size - UInt64(tailLength)
        let tail = try source.readExactly(at: tailStart, count: tailLength)
        var eocdIndex: Int? = nil
        var i = tailLength - 22
        while i >= 0 {
            if tail[i] == 0x50, tail[i + 1] == 0x4B, tail[i + 2] == 5, tail[i + 3] == 6 {
                let commentLength = Int(tail[i + 20]) | Int(tail[i + 21]) << 8
                if i + 22 + commentLength == tailLength { eocdIndex = i; break }
            }
            i -= 1
        }
        guard let eocd = eocdIndex else { throw IntuneWinError.badInput(path, "not a zip file (no end-of-central-directory record)") }
        var r = ByteReader(tail, at: eocd + 4)
        let disk = r.u16()!, cdDisk = r.u16()!
        let diskCount16 = r.u16()!, count16 = r.u16()!
        let cdSize32 = r.u32()!, cdOffset32 = r.u32()!
        guard disk == 0, cdDisk == 0, diskCount16 == count16 || diskCount16 == 0xFFFF else {
            throw IntuneWinError.badInput(path, "multi-disk zip archives are not supported")
        }
        var count = UInt64(count16), cdSize = UInt64(cdSize32), cdOffset = UInt64(cdOffset32)
        let eocdOffset = tailStart + UInt64(eocd)
        var cdEndLimit = eocdOffset
        // Zip64 locator sits right before the EOCD.
        if eocdOffset >= 20 {
            let loc = try source.readExactly(at: eocdOffset - 20, count: 20)
            var lr = ByteReader(loc)
            if lr.u32() == ZipRecords.zip64LocatorSignature {
                _ = lr.u32()
                let z64Offset = lr.u64()!
                guard z64Offset <= eocdOffset - 20, eocdOffset - 20 - z64Offset >= 56 else {
                    throw IntuneWinError.badInput(path, "zip64 end record offset \(z64Offset) is outside the file")
                }
                let rec = try source.readExactly(at: z64Offset, count: 56)
                var zr = ByteReader(rec)
                guard zr.u32() == ZipRecords.zip64EndSignature else {
                    throw IntuneWinError.badInput(path, "zip64 end record missing at offset \(z64Offset)")
                }
                _ = zr.u64(); _ = zr.u16(); _ = zr.u16()
                let disk64 = zr.u32()!, cdDisk64 = zr.u32()!
                let diskCount64 = zr.u64()!
                count = zr.u64()!
                cdSize = zr.u64()!
                cdOffset = zr.u64()!
                guard disk64 == 0, cdDisk64 == 0 else { throw IntuneWinError.badInput(path, "multi-disk zip archives are not supported") }
                // A classic field that is not the "see zip64" marker must agree: readers that ignore
                // zip64 would otherwise see a different directory than this one.
                guard diskCount64 == count, count16 == 0xFFFF || UInt64(count16) == count else {
                    throw IntuneWinError.badInput(path, "the end records disagree on the entry count (\(count16) and \(diskCount64) against zip64's \(count))")
                }
                guard cdSize32 == UInt32.max || UInt64(cdSize32) == cdSize, cdOffset32 == UInt32.max || UInt64(cdOffset32) == cdOffset else {
                    throw IntuneWinError.badInput(path, "the end records disagree on the central directory (offset \(cdOffset32), \(cdSize32) bytes against zip64's offset \(cdOffset), \(cdSize) bytes)")
                }
                cdEndLimit = z64Offset
            }
        }
        guard cdOffset <= cdEndLimit, cdSize <= cdEndLimit - cdOffset else {
            throw IntuneWinError.badInput(path, "central directory (offset \(cdOffset), \(cdSize) bytes) points outside the file")
        }
        guard count <= cdSize / 46 + 1, cdSize < 1 << 32 else {
            throw IntuneWinError.badInput(path, "central directory claims \(count) entries in \(cdSize) bytes")
        }
        // The central directory is small relative to content (~100 bytes an entry); read it whole.
        let cd = try source.readExactly(at: cdOffset, count: Int(cdSize))
        var cr = ByteReader(cd)
        var list: [ZipEntry] = []
        list.reserveCapacity(Int(count))
        for index in 0..<count {
            guard cr.u32() == ZipRecords.centralSignature,
                  let madeBy = cr.u16(), let needed = cr.u16(), let flags = cr.u16(), let method = cr.u16(),
                  let time = cr.u16(), let date = cr.u16(), let crc = cr.u32(),
                  let csize32 = cr.u32(), let usize32 = cr.u32(),
                  let nameLength = cr.u16(), let extraLength = cr.u16(), let commentLength = cr.u16(),
                  let _ = cr.u16(), let _ = cr.u16(), let external = cr.u32(), let offset32 = cr.u32(),
                  let name = cr.take(Int(nameLength)), let extra = cr.take(Int(extraLength)),
                  cr.skip(Int(commentLength))
            else {
                throw IntuneWinError.badInput(path, "central directory entry \(index + 1) of \(count) is malformed")
            }
            var csize = UInt64(csize32), usize = UInt64(usize32), offset = UInt64(offset32)
            // Zip64 extra: only the fields that are 0xFFFFFFFF in the header, in this order.
            var er = ByteReader(extra)
            while er.remaining >= 4 {
                let id = er.u16()!, len = Int(er.u16()!)
                guard let data = er.take(len) else {
                    throw IntuneWinError.badInput(path, "entry \(index + 1): extra field overruns its header")
                }
                if id == 0x0001 {
                    var zr = ByteReader(data)
                    if usize32 == UInt32.max { guard let v = zr.u64() else { throw IntuneWinError.badInput(path, "entry \(index + 1): zip64 field too short") }; usize = v }
                    if csize32 == UInt32.max { guard let v = zr.u64() else { throw IntuneWinError.badInput(path, "entry \(index + 1): zip64 field too short") }; csize = v }
                    if offset32 == UInt32.max { guard let v = zr.u64() else { throw IntuneWinError.badInput(path, "entry \(index + 1): zip64 field too short") }; offset = v }
                }
            }
            list.append(ZipEntry(nameBytes: name, method: method, flags: flags, versionMadeBy: madeBy,
                                 versionNeeded: needed, modified: DOSDateTime(date: date, time: time),
                                 crc32: crc, compressedSize: csize, uncompressedSize: usize,
                                 localHeaderOffset: offset, externalAttributes: external))
        }
        // Entries past the declared count would be invisible here but seen by readers that walk the
        // whole directory (Python's zipfile): refuse rather than disagree.
        if cr.remaining > 0 {
            if cr.u32() == ZipRecords.centralSignature {
                throw IntuneWinError.badInput(path, "the end record says \(count) entries but the central directory holds more")
            }
            throw IntuneWinError.badInput(path, "central directory has \(cd.count - cr.position + 4) bytes after its last entry (the end record says \(count) entries)")
        }
        entries = list
        centralDirectoryOffset = cdOffset
        dataLimits = try Self.dataLimits(list, centralDirectoryOffset: cdOffset, path: path)
    }

    /// For each local header offset, where its entry's data must end: the next entry's local header, or
    /// the central directory. Refuses entries whose bytes overlap another's (two names for the same
    /// data, or one entry's data inside another's) or run past the central directory. Without the
    /// local extra field (read only on extraction) each entry is at least 30 + name + data bytes.
    private static func dataLimits(_ entries: [ZipEntry], centralDirectoryOffset: UInt64, path: String) throws -> [UInt64: UInt64] {
        func minimalEnd(_ e: ZipEntry) -> UInt64? {
            let (a, o1) = e.localHeaderOffset.addingReportingOverflow(30 + UInt64(e.nameBytes.count))
            let (b, o2) = a.addingReportingOverflow(e.compressedSize)
            return o1 || o2 ? nil : b
        }
        for e in entries {
            guard let end = minimalEnd(e), end <= centralDirectoryOffset else {
                throw IntuneWinError.badInput(path, "\(e.name): local header at offset \(e.localHeaderOffset) with \(e.compressedSize) compressed bytes lies outside the entry data (which ends at \(centralDirectoryOffset))")
            }
        }
        let sorted = entries.sorted { $0.localHeaderOffset < $1.localHeaderOffset }
        var limits: [UInt64: UInt64] = [:]
        limits.reserveCapacity(sorted.count)
        for (i, e) in sorted.enumerated() {
            let next = i + 1 < sorted.count ? sorted[i + 1].localHeaderOffset : centralDirectoryOffset
            guard minimalEnd(e)! <= next else {
                throw IntuneWinError.badInput(path, "entries overlap: \(e.name) (offset \(e.localHeaderOffset), \(e.compressedSize) bytes) and \(sorted[i + 1].name) (offset \(next))")
            }
            limits[e.localHeaderOffset] = next
        }
        return limits
    }

    /// Where `entry`'s local header and data must end: where the next entry begins, or the central directory.
    private func dataEnd(of entry: ZipEntry) -> UInt64 { dataLimits[entry.localHeaderOffset] ?? centralDirectoryOffset }

    /// Offset of an entry's data, after checking its local header agrees with the central one: the
    /// same name and method, and (unless a data descriptor follows the data, flag bit 3) the same
    /// CRC-32 and sizes. Readers that trust the local header must not see different content.
    public func dataOffset(of entry: ZipEntry) throws -> UInt64 { try dataOffset(of: entry, span: nil) }

    /// `dataOffset(of:)`, reading the header from `span` (the bytes from the local header on) where it holds them.
    private func dataOffset(of entry: ZipEntry, span: ArraySlice<UInt8>?) throws -> UInt64 {
        let path = source.path
        func refuse(_ why: String) -> IntuneWinError { .badInput(path, "\(entry.name): \(why)") }
        func bytes(at offset: UInt64, count: Int) throws -> [UInt8] {
            let relative = offset - entry.localHeaderOffset
            if let span, relative + UInt64(count) <= UInt64(span.count) {
                let from = span.startIndex + Int(relative)
                return Array(span[from..<from + count])
            }
            return try source.readExactly(at: offset, count: count)
        }
        let header = try bytes(at: entry.localHeaderOffset, count: 30)
        var r = ByteReader(header)
        guard r.u32() == ZipRecords.localSignature else { throw refuse("no local header at offset \(entry.localHeaderOffset)") }
        _ = r.u16()
        let flags = r.u16()!, method = r.u16()!
        _ = r.u32()
        let crc = r.u32()!, csize32 = r.u32()!, usize32 = r.u32()!
        let nameLength = Int(r.u16()!), extraLength = Int(r.u16()!)
        let start = entry.localHeaderOffset + 30 + UInt64(nameLength + extraLength)
        let limit = dataEnd(of: entry)
        guard start <= limit, entry.compressedSize <= limit - start else {
            throw refuse("data (\(entry.compressedSize) bytes at \(start)) overlaps the next entry or the central directory, or runs past the end")
        }
        let nameAndExtra = try bytes(at: entry.localHeaderOffset + 30, count: nameLength + extraLength)
        guard nameAndExtra[..<nameLength].elementsEqual(entry.nameBytes) else { throw refuse("local header names a different file") }
        guard method == entry.method else {
            throw refuse("local header says compression method \(method), the central directory \(entry.method)")
        }
        if (flags | entry.flags) & 0x0008 == 0 {
            var csize = UInt64(csize32), usize = UInt64(usize32)
            if csize32 == UInt32.max || usize32 == UInt32.max {
                guard let z64 = Self.zip64Sizes(Array(nameAndExtra[nameLength...]), usizeMarked: usize32 == UInt32.max,
                                                csizeMarked: csize32 == UInt32.max) else {
                    throw refuse("local header marks zip64 sizes but has no zip64 field")
                }
                (usize, csize) = (z64.usize ?? usize, z64.csize ?? csize)
            }
            guard crc == entry.crc32, csize == entry.compressedSize, usize == entry.uncompressedSize else {
                throw refuse("local header (CRC-32 \(hex32(crc)), \(csize) -> \(usize) bytes) disagrees with the central directory (CRC-32 \(hex32(entry.crc32)), \(entry.compressedSize) -> \(entry.uncompressedSize) bytes)")
            }
        }
        return start
    }

    /// The sizes in a local header's zip64 field. APPNOTE wants both there (uncompressed first); some
    /// writers put only the marked ones, as in the central directory.
    private static func zip64Sizes(_ extra: [UInt8], usizeMarked: Bool, csizeMarked: Bool) -> (usize: UInt64?, csize: UInt64?)? {
        var er = ByteReader(extra)
        while er.remaining >= 4 {
            let id = er.u16()!, len = Int(er.u16()!)
            guard let data = er.take(len) else { return nil }
            guard id == 0x0001 else { continue }
            var zr = ByteReader(data)
            if data.count >= 16 { return (zr.u64(), zr.u64()) }
            let usize = usizeMarked ? zr.u64() : nil
            let csize = csizeMarked ? zr.u64() : nil
            guard (usize != nil) == usizeMarked, (csize != nil) == csizeMarked else { return nil }
            return (usize, csize)
        }
        return nil
    }

    /// Bytes of the archive read ahead for several entries at once (see `readingGroups`).
    public struct Region {
        /// Where `bytes` start in the archive.
        public let offset: UInt64
        /// The bytes read.
        public let bytes: [UInt8]

        /// The bytes from `start` up to `end`, nil unless the region holds all of them.
        func slice(from start: UInt64, to end: UInt64) -> ArraySlice<UInt8>? {
            guard start >= offset, end >= start, end - offset <= UInt64(bytes.count) else { return nil }
            return bytes[Int(start - offset)..<Int(end - offset)]
        }
    }

    /// Entry indices grouped for reading: entries that follow one another in the archive, with at most
    /// `limit` bytes of headers and data a group, so that one read (one seek, one IV and cipher restart
    /// over encrypted content) serves many small entries. An entry larger than that is a group alone.
    /// Every entry is in exactly one group.
    /// (Entries in offset order follow one another: `dataLimits` ends each where the next begins.)
    public func readingGroups(upTo limit: UInt64 = groupReadLimit) -> [[Int]] {
        let order = entries.indices.sorted { entries[$0].localHeaderOffset < entries[$1].localHeaderOffset }
        var groups: [[Int]] = []
        var current: [Int] = []
        var start: UInt64 = 0
        for index in order {
            let entry = entries[index]
            let end = dataEnd(of: entry)
            if !current.isEmpty, end - start <= limit {
                current.append(index)
                continue
            }
            if !current.isEmpty { groups.append(current) }
            current = [index]
            start = entry.localHeaderOffset
        }
        if !current.isEmpty { groups.append(current) }
        return groups
    }

    /// One read of a group's headers and data (a group from `readingGroups`); nil when the group is one
    /// entry too large to hold, which `extract` then streams.
    public func region(for group: [Int], limit: UInt64 = groupReadLimit) throws -> Region? {
        guard let first = group.first, let last = group.last else { return nil }
        let start = entries[first].localHeaderOffset
        let end = dataEnd(of: entries[last])
        guard end > start, end - start <= max(limit, Self.spanReadLimit) else { return nil }
        return Region(offset: start, bytes: try source.readExactly(at: start, count: Int(end - start)))
    }

    /// Streams an entry's uncompressed bytes to `sink`, checking the size and CRC-32 at the end.
    /// `inflater`, when given, is reset and reused (one per thread when checking many entries);
    /// `region`, when it holds the entry, is read instead of the archive.
    public func extract(_ entry: ZipEntry, using inflater: Inflater? = nil, within region: Region? = nil,
                        to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        let path = source.path
        // A small entry (most of a many-file package) is read in one go, local header and data: over
        // encrypted content each read costs a seek, an IV and a cipher restart.
        let end = dataEnd(of: entry)
        let span: ArraySlice<UInt8>? = try region?.slice(from: entry.localHeaderOffset, to: end)
            ?? (end > entry.localHeaderOffset && end - entry.localHeaderOffset <= Self.spanReadLimit
                ? source.readExactly(at: entry.localHeaderOffset, count: Int(end - entry.localHeaderOffset))[...] : nil)
        let start = try dataOffset(of: entry, span: span)
        /// The entry's compressed bytes: from `span` when it holds them all, else streamed from the source.
        func data(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
            let relative = start - entry.localHeaderOffset
            if let span, relative + entry.compressedSize <= UInt64(span.count) {
                try span.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[Int(relative)..<Int(relative + entry.compressedSize)])) }
            } else {
                try source.stream(from: start, length: entry.compressedSize, body)
            }
        }
        var crc = CRC32()
        var produced: UInt64 = 0
        func counted(_ chunk: UnsafeRawBufferPointer) throws {
            produced += UInt64(chunk.count)
            guard produced <= entry.uncompressedSize else {
                throw IntuneWinError.badInput(path, "\(entry.name): inflates to more than its declared \(entry.uncompressedSize) bytes")
            }
            crc.update(chunk)
            try sink(chunk)
        }
        switch entry.method {
        case ZipEntry.stored:
            guard entry.compressedSize == entry.uncompressedSize else {
                throw IntuneWinError.badInput(path, "\(entry.name): stored entry with different sizes")
            }
            try data(counted)
        case ZipEntry.deflated:
            inflater?.reset()
            let inflater = inflater ?? Inflater(expectedSize: entry.uncompressedSize)
            do {
                try data { chunk in try inflater.process(chunk, sink: counted) }
            } catch let failure as Inflater.Failure {
                throw IntuneWinError.badInput(path, "\(entry.name): corrupt deflate data (\(failure))")
            }
            guard inflater.finished else { throw IntuneWinError.badInput(path, "\(entry.name): deflate data is truncated") }
        default:
            throw IntuneWinError.badInput(path, "\(entry.name): unsupported compression method \(entry.method)")
        }
        guard produced == entry.uncompressedSize else {
            throw IntuneWinError.badInput(path, "\(entry.name): \(produced) bytes, declared \(entry.uncompressedSize)")
        }
        guard crc.value == entry.crc32 else {
            throw IntuneWinError.checkFailed(path, "\(entry.name): CRC-32 mismatch (stored \(hex32(entry.crc32)), computed \(hex32(crc.value)))")
        }
    }
}

/// A CRC-32 (or any 32-bit value) as 8 lower-case hex digits, the way `unzip -v` and our JSON show it.
public func hex32(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: 8 - s.count) + s
}
