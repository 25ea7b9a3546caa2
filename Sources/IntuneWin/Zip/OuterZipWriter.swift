/// Writes the outer `.intunewin` zip as WindowsBase (System.IO.Packaging) does for Microsoft's tool
/// (FORMAT.md §1.1): stored entries, made-by 0x002D, needed 10 (45 with Zip64), flags 0, and a 28-byte
/// 0xA220 padding extra field in each local header only.
///
/// Entries are written header first; `beginEntry` leaves a header whose sizes and CRC are patched by
/// `endEntry`, so the content can be streamed. The padding exists so a Zip64 field can replace it in
/// place: for an entry of 4 GiB or more the local extra becomes the Zip64 field (20 bytes) plus a
/// shrunk padding element (8 bytes). Unverified: no Microsoft package over 4 GiB exists to compare with.
struct OuterZipWriter {
    static let localExtraSize = 28
    private(set) var entries: [ZipEntry] = []
    private var open: (entry: ZipEntry, headerOffset: UInt64)?

    static func paddingExtra(for entry: ZipEntry) -> [UInt8] {
        var w = ByteWriter(capacity: localExtraSize)
        if ZipRecords.needsZip64(entry) {
            w.append(ZipRecords.zip64LocalExtra(entry))  // 20 bytes
            w.u16(0xA220); w.u16(4); w.u16(0xA028); w.u16(0)
        } else {
            w.u16(0xA220); w.u16(24); w.u16(0xA028); w.u16(20)
            w.append([UInt8](repeating: 0, count: 20))
        }
        return w.bytes
    }

    private static func entry(name: String, time: DOSDateTime, offset: UInt64, size: UInt64, crc: UInt32) -> ZipEntry {
        var e = ZipEntry(nameBytes: Array(name.utf8), method: ZipEntry.stored, flags: 0, versionMadeBy: 0x002D,
                         versionNeeded: 10, modified: time, crc32: crc, compressedSize: size, uncompressedSize: size,
                         localHeaderOffset: offset, externalAttributes: 0)
        if ZipRecords.needsZip64(e) || offset >= ZipRecords.max32 { e.versionNeeded = 45 }
        return e
    }

    /// Writes a provisional local header for an entry whose content follows.
    mutating func beginEntry(name: String, time: DOSDateTime, to file: AtomicOutputFile) throws {
        let e = Self.entry(name: name, time: time, offset: file.offset, size: 0, crc: 0)
        open = (e, file.offset)
        try file.write(ZipRecords.localHeader(e, extra: Self.paddingExtra(for: e)))
    }

    /// Patches the open entry's header with its final CRC and size.
    mutating func endEntry(size: UInt64, crc: UInt32, in file: AtomicOutputFile) throws {
        guard let (provisional, headerOffset) = open else { preconditionFailure("endEntry without beginEntry") }
        let e = Self.entry(name: provisional.name, time: provisional.modified, offset: headerOffset, size: size, crc: crc)
        try file.patch(ZipRecords.localHeader(e, extra: Self.paddingExtra(for: e)), at: headerOffset)
        entries.append(e)
        open = nil
    }

    /// Writes a whole small entry (Detection.xml).
    mutating func addEntry(name: String, time: DOSDateTime, bytes: [UInt8], to file: AtomicOutputFile) throws {
        var crc = CRC32()
        crc.update(bytes)
        let e = Self.entry(name: name, time: time, offset: file.offset, size: UInt64(bytes.count), crc: crc.value)
        try file.write(ZipRecords.localHeader(e, extra: Self.paddingExtra(for: e)))
        try file.write(bytes)
        entries.append(e)
    }

    /// Central directory (no extra fields but Zip64 where needed) and end records.
    func finish(to file: AtomicOutputFile) throws {
        let start = file.offset
        for e in entries { try file.write(ZipRecords.centralHeader(e)) }
        try file.write(ZipRecords.endRecords(entryCount: entries.count, centralOffset: start, centralSize: file.offset - start))
    }
}
