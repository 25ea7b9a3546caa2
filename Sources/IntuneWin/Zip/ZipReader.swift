/// Reads a zip's central directory (with Zip64) from any random-access source and streams entries.
/// Only the tail is read to list entries; entry data is read on demand.
public struct ZipReader {
    public let source: RandomAccessSource
    public let entries: [ZipEntry]
    /// Where the central directory starts (entry data must lie before it).
    public let centralDirectoryOffset: UInt64

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
        var count = UInt64(r.u16()!)
        let totalCount = UInt64(r.u16()!)
        var cdSize = UInt64(r.u32()!)
        var cdOffset = UInt64(r.u32()!)
        guard disk == 0, cdDisk == 0, count == totalCount || count == 0xFFFF else {
            throw IntuneWinError.badInput(path, "multi-disk zip archives are not supported")
        }
        count = totalCount
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
                _ = zr.u64(); _ = zr.u16(); _ = zr.u16(); _ = zr.u32(); _ = zr.u32()
                _ = zr.u64()
                count = zr.u64()!
                cdSize = zr.u64()!
                cdOffset = zr.u64()!
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
        guard cr.remaining == 0 || count == list.count else {
            throw IntuneWinError.badInput(path, "central directory entry count disagrees with its size")
        }
        entries = list
        centralDirectoryOffset = cdOffset
    }

    /// Offset of an entry's data, after checking its local header agrees with the central one.
    public func dataOffset(of entry: ZipEntry) throws -> UInt64 {
        let path = source.path
        let header = try source.readExactly(at: entry.localHeaderOffset, count: 30)
        var r = ByteReader(header)
        guard r.u32() == ZipRecords.localSignature else {
            throw IntuneWinError.badInput(path, "\(entry.name): no local header at offset \(entry.localHeaderOffset)")
        }
        _ = r.skip(22)
        let nameLength = UInt64(r.u16()!), extraLength = UInt64(r.u16()!)
        let start = entry.localHeaderOffset + 30 + nameLength + extraLength
        guard start <= centralDirectoryOffset, entry.compressedSize <= centralDirectoryOffset - start else {
            throw IntuneWinError.badInput(path, "\(entry.name): data (\(entry.compressedSize) bytes at \(start)) overlaps the central directory or runs past the end")
        }
        let localName = try source.readExactly(at: entry.localHeaderOffset + 30, count: Int(nameLength))
        guard localName == entry.nameBytes else {
            throw IntuneWinError.badInput(path, "\(entry.name): local header names a different file")
        }
        return start
    }

    /// Streams an entry's uncompressed bytes to `sink`, checking the size and CRC-32 at the end.
    public func extract(_ entry: ZipEntry, to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        let path = source.path
        let start = try dataOffset(of: entry)
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
            try source.stream(from: start, length: entry.compressedSize, counted)
        case ZipEntry.deflated:
            let inflater = Inflater()
            do {
                try source.stream(from: start, length: entry.compressedSize) { chunk in
                    try inflater.process(chunk, sink: counted)
                }
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

func hex32(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: 8 - s.count) + s
}
