/// Writes the fixed zip records (local header, central header, end records) in the two styles
/// this project needs; see FORMAT.md §1 (outer, WindowsBase) and §2.1 (inner, .NET Framework).
enum ZipRecords {
    static let localSignature: UInt32 = 0x0403_4B50
    static let centralSignature: UInt32 = 0x0201_4B50
    static let endSignature: UInt32 = 0x0605_4B50
    static let zip64EndSignature: UInt32 = 0x0606_4B50
    static let zip64LocatorSignature: UInt32 = 0x0706_4B50
    static let max32: UInt64 = 0xFFFF_FFFF

    /// Zip64 is used only where a value does not fit (>= 0xFFFFFFFF), as .NET and WindowsBase do.
    static func needsZip64(_ e: ZipEntry) -> Bool {
        e.compressedSize >= max32 || e.uncompressedSize >= max32
    }

    /// Local header. `extra` is written as given (the caller decides padding / zip64 fields).
    static func localHeader(_ e: ZipEntry, extra: [UInt8]) -> [UInt8] {
        var w = ByteWriter(capacity: 30 + e.nameBytes.count + extra.count)
        let zip64 = needsZip64(e)
        w.u32(localSignature)
        w.u16(e.versionNeeded)
        w.u16(e.flags)
        w.u16(e.method)
        w.u16(e.modified.time)
        w.u16(e.modified.date)
        w.u32(e.crc32)
        w.u32(zip64 ? UInt32.max : UInt32(e.compressedSize))
        w.u32(zip64 ? UInt32.max : UInt32(e.uncompressedSize))
        w.u16(UInt16(e.nameBytes.count))
        w.u16(UInt16(extra.count))
        w.append(e.nameBytes)
        w.append(extra)
        return w.bytes
    }

    /// The Zip64 extended-information field for a local header: both sizes (APPNOTE 4.5.3).
    static func zip64LocalExtra(_ e: ZipEntry) -> [UInt8] {
        var w = ByteWriter()
        w.u16(0x0001)
        w.u16(16)
        w.u64(e.uncompressedSize)
        w.u64(e.compressedSize)
        return w.bytes
    }

    /// Central header; a Zip64 field holds exactly the values that do not fit, in APPNOTE order.
    static func centralHeader(_ e: ZipEntry) -> [UInt8] {
        var extra = ByteWriter()
        var z64 = ByteWriter()
        let bigU = e.uncompressedSize >= max32, bigC = e.compressedSize >= max32, bigO = e.localHeaderOffset >= max32
        if bigU { z64.u64(e.uncompressedSize) }
        if bigC { z64.u64(e.compressedSize) }
        if bigO { z64.u64(e.localHeaderOffset) }
        if !z64.bytes.isEmpty {
            extra.u16(0x0001)
            extra.u16(UInt16(z64.bytes.count))
            extra.append(z64.bytes)
        }
        var w = ByteWriter(capacity: 46 + e.nameBytes.count + extra.bytes.count)
        w.u32(centralSignature)
        w.u16(e.versionMadeBy)
        w.u16(e.versionNeeded)
        w.u16(e.flags)
        w.u16(e.method)
        w.u16(e.modified.time)
        w.u16(e.modified.date)
        w.u32(e.crc32)
        w.u32(bigC ? UInt32.max : UInt32(e.compressedSize))
        w.u32(bigU ? UInt32.max : UInt32(e.uncompressedSize))
        w.u16(UInt16(e.nameBytes.count))
        w.u16(UInt16(extra.bytes.count))
        w.u16(0)  // comment length
        w.u16(0)  // disk number start
        w.u16(0)  // internal attributes
        w.u32(e.externalAttributes)
        w.u32(bigO ? UInt32.max : UInt32(e.localHeaderOffset))
        w.append(e.nameBytes)
        w.append(extra.bytes)
        return w.bytes
    }

    /// End records: Zip64 end record and locator when any value does not fit, then the classic EOCD.
    /// Unverified for Microsoft's output (no >4 GiB sample exists): follows APPNOTE and .NET's rule.
    static func endRecords(entryCount: Int, centralOffset: UInt64, centralSize: UInt64) -> [UInt8] {
        var w = ByteWriter()
        let zip64 = entryCount >= 0xFFFF || centralOffset >= max32 || centralSize >= max32
        if zip64 {
            let zip64EndOffset = centralOffset + centralSize
            w.u32(zip64EndSignature)
            w.u64(44)                      // size of the remaining record
            w.u16(45)                      // version made by
            w.u16(45)                      // version needed
            w.u32(0); w.u32(0)             // disk numbers
            w.u64(UInt64(entryCount)); w.u64(UInt64(entryCount))
            w.u64(centralSize)
            w.u64(centralOffset)
            w.u32(zip64LocatorSignature)
            w.u32(0)
            w.u64(zip64EndOffset)
            w.u32(1)
        }
        w.u32(endSignature)
        w.u16(0); w.u16(0)
        let count16 = entryCount >= 0xFFFF ? UInt16.max : UInt16(entryCount)
        w.u16(count16); w.u16(count16)
        w.u32(centralSize >= max32 ? UInt32.max : UInt32(centralSize))
        w.u32(centralOffset >= max32 ? UInt32.max : UInt32(centralOffset))
        w.u16(0)
        return w.bytes
    }
}
