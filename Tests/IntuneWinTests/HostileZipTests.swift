import Foundation
import XCTest
@testable import IntuneWin

/// Zips built byte by byte to lie: about their sizes, counts, offsets and headers. Each is refused
/// with a clean error (or, where the lie is harmless, read correctly), and nothing is written.
final class HostileZipTests: XCTestCase {
    // MARK: - Directory and end records

    func testEntriesBeyondTheDeclaredCountAreRefused() throws {
        let zip = CraftedZip([.file("a.txt", "a"), .file("b.txt", "b"), .file("hidden.exe", "MZ")])
        // Python's zipfile walks the whole directory and sees all three: we must not see two.
        for declared: UInt16 in [1, 2] {
            let error = assertThrows(.badInput) { try zip.reader(end: .init(count16: declared)) }
            XCTAssertTrue(error?.reason.contains("the end record says \(declared) entries but the central directory holds more") ?? false, "\(String(describing: error))")
        }
        assertThrows(.badInput) { try zip.reader(end: .init(count16: 4)) }  // fewer than declared
        XCTAssertEqual(try zip.reader().entries.count, 3)
    }

    func testBytesAfterTheLastCentralEntryAreRefused() throws {
        var zip = CraftedZip([.file("a.txt", "a")])
        zip.centralTrailer = [0xAA, 0xBB, 0xCC, 0xDD, 0xEE]
        let error = assertThrows(.badInput) { try zip.reader() }
        XCTAssertTrue(error?.reason.contains("after its last entry") ?? false, "\(String(describing: error))")
    }

    func testZip64EndRecordCountsMustAgreeWithEachOtherAndTheClassicRecord() throws {
        let zip = CraftedZip([.file("a.txt", "a"), .file("b.txt", "b"), .file("c.txt", "c")])
        // Markers in the classic record defer to zip64: fine.
        XCTAssertEqual(try zip.reader(end: .init(zip64: true)).entries.count, 3)
        // Zip64 says fewer than the directory holds.
        let fewer = assertThrows(.badInput) { try zip.reader(end: .init(zip64: true, count64: 2)) }
        XCTAssertTrue(fewer?.reason.contains("holds more") ?? false, "\(String(describing: fewer))")
        // The classic record is not a marker and disagrees with zip64 (either way round).
        for (classic, z64): (UInt16, UInt64) in [(2, 3), (3, 2)] {
            let error = assertThrows(.badInput) { try zip.reader(end: .init(count16: classic, zip64: true, count64: z64)) }
            XCTAssertTrue(error?.reason.contains("disagree on the entry count") ?? false, "\(String(describing: error))")
        }
        // Zip64's own two counts disagree.
        assertThrows(.badInput) { try zip.reader(end: .init(zip64: true, count64: 3, diskCount64: 2)) }
        // Classic size or offset that is not a marker and disagrees with zip64.
        let size = assertThrows(.badInput) { try zip.reader(end: .init(cdSize32: 10, zip64: true)) }
        XCTAssertTrue(size?.reason.contains("disagree on the central directory") ?? false, "\(String(describing: size))")
        assertThrows(.badInput) { try zip.reader(end: .init(cdOffset32: 0, zip64: true)) }
    }

    func testCentralDirectoryOutsideTheFileIsRefused() throws {
        let zip = CraftedZip([.file("a.txt", "some text")])
        let real = zip.layout()
        let cases: [(String, CraftedZip.End)] = [
            ("classic offset", .init(cdOffset32: 0x7FFF_FFF0)),
            ("classic size too large", .init(cdSize32: UInt32(real.centralSize + 100))),
            ("classic size huge", .init(cdSize32: 0xFFFF_FFF0)),
            ("zip64 offset", .init(zip64: true, cdOffset64: 1 << 40)),
            ("zip64 offset near the end of UInt64", .init(zip64: true, cdOffset64: UInt64.max - 10)),
            ("zip64 size too large", .init(zip64: true, cdSize64: UInt64(real.centralSize) + 1)),
            ("zip64 size huge", .init(zip64: true, cdSize64: UInt64.max)),
            ("zip64 locator outside", .init(zip64: true, locatorOffset: 1 << 50)),
            ("zip64 locator at UInt64.max", .init(zip64: true, locatorOffset: UInt64.max)),
        ]
        for (label, end) in cases {
            let error = assertThrows(.badInput) { try zip.reader(end: end) }
            XCTAssertNotNil(error, label)
            XCTAssertFalse(error?.reason.contains("\n") ?? true, label)
        }
    }

    // MARK: - Entries

    func testLocalHeaderOffsetOutsideTheFileIsRefused() throws {
        for offset: UInt64 in [0x7FFF_FFF0, 1 << 40, UInt64.max - 20, UInt64.max] {
            var item = CraftedZip.Item.file("a.txt", "text")
            item.centralOffset = offset
            let error = assertThrows(.badInput) { try CraftedZip([item]).reader() }
            XCTAssertTrue(error?.reason.contains("outside the entry data") ?? false, "\(offset): \(String(describing: error))")
        }
    }

    func testZip64SizesThatOverflowAreRefusedOrBounded() throws {
        // A compressed size of UInt64.max cannot lie inside the file.
        var huge = CraftedZip.Item.file("a.txt", "text")
        huge.entry.compressedSize = .max
        assertThrows(.badInput) { try CraftedZip([huge]).reader() }
        // An uncompressed size of UInt64.max reads; extracting it stops at the real data, cleanly.
        var big = CraftedZip.Item.file("a.txt", "text")
        big.entry.uncompressedSize = .max
        let zip = try CraftedZip([big]).reader()
        XCTAssertEqual(zip.entries[0].uncompressedSize, .max)
        let error = assertThrows(.badInput) { try zip.extract(zip.entries[0]) { _ in } }
        XCTAssertTrue(error?.reason.contains("declared \(UInt64.max)") ?? false, "\(String(describing: error))")
    }

    func testDeclaredSizesSummingPastUInt64MaxAreBadInputNotACrash() throws {
        var a = CraftedZip.Item.file("a.bin", "a"), b = CraftedZip.Item.file("b.bin", "b"), c = CraftedZip.Item.file("c.bin", "c")
        a.entry.uncompressedSize = 1 << 63
        b.entry.uncompressedSize = 1 << 63
        c.entry.uncompressedSize = .max
        let folder = try makeTemporaryFolder()
        for items in [[a, b], [a, c], [a, b, c]] {
            let zip = try CraftedZip(items).reader()
            for limits in [SizeLimits.default, .none] {
                let error = assertThrows(.badInput) { try Extractor.extract(zip, to: folder + "/out", overwrite: false, limits: limits) }
                XCTAssertTrue(error?.reason.contains("add up to more than") ?? false, "\(String(describing: error))")
            }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), [])
    }

    func testEntriesWhoseDataOverlapAreRefused() throws {
        // Two names for the same bytes (same local header).
        var first = CraftedZip.Item.file("a.txt", "shared data")
        var second = CraftedZip.Item.file("a.txt", "shared data")
        second.entry.nameBytes = Array("b.txt".utf8)
        second.centralOffset = 0
        second.omitLocal = true
        var error = assertThrows(.badInput) { try CraftedZip([first, second]).reader() }
        XCTAssertTrue(error?.reason.contains("entries overlap") ?? false, "\(String(describing: error))")
        // One entry's header inside another's data.
        first = .file("big.bin", TestSupport.noise(1000), deflate: false)
        second = .file("inner.txt", "x")
        second.centralOffset = 500
        second.omitLocal = true
        error = assertThrows(.badInput) { try CraftedZip([first, second]).reader() }
        XCTAssertTrue(error?.reason.contains("entries overlap") ?? false, "\(String(describing: error))")
    }

    func testLocalHeaderThatDisagreesWithTheCentralDirectoryIsRefused() throws {
        let edits: [(String, (inout ZipEntry) -> Void)] = [
            ("method", { $0.method = ZipEntry.stored }),
            ("CRC-32", { $0.crc32 ^= 1 }),
            ("compressed size", { $0.compressedSize -= 1 }),
            ("uncompressed size", { $0.uncompressedSize += 1 }),
            ("zip64 uncompressed size", { $0.uncompressedSize = 1 << 33 }),
        ]
        for (label, edit) in edits {
            var item = CraftedZip.Item.file("a.txt", String(repeating: "text ", count: 50))
            var local = item.entry
            edit(&local)
            item.local = local
            let zip = try CraftedZip([item]).reader()
            let error = assertThrows(.badInput) { try zip.extract(zip.entries[0]) { _ in } }
            XCTAssertTrue(error?.reason.contains("local header") ?? false, "\(label): \(String(describing: error))")
        }
        // With a data descriptor (flag bit 3) the local CRC and sizes may be zero; the method must still agree.
        var described = CraftedZip.Item.file("a.txt", "described")
        described.entry.flags |= 0x0008
        var local = described.entry
        local.crc32 = 0; local.compressedSize = 0; local.uncompressedSize = 0
        described.local = local
        let zip = try CraftedZip([described]).reader()
        var out: [UInt8] = []
        try zip.extract(zip.entries[0]) { out.append(contentsOf: $0) }
        XCTAssertEqual(out, Array("described".utf8))
    }

    func testDeclaredSizesThatLieStopInflationCleanly() throws {
        let text = String(repeating: "bomb ", count: 2000)
        // Declares less than it inflates to: inflation stops at the declared size.
        var small = CraftedZip.Item.file("a.txt", text)
        small.entry.uncompressedSize = 100
        var zip = try CraftedZip([small]).reader()
        var produced = 0
        var error = assertThrows(.badInput) { try zip.extract(zip.entries[0]) { produced += $0.count } }
        XCTAssertTrue(error?.reason.contains("inflates to more than its declared 100 bytes") ?? false, "\(String(describing: error))")
        XCTAssertLessThanOrEqual(produced, 100)
        // Declares more than it holds.
        var large = CraftedZip.Item.file("a.txt", text)
        large.entry.uncompressedSize = 1 << 20
        zip = try CraftedZip([large]).reader()
        error = assertThrows(.badInput) { try zip.extract(zip.entries[0]) { _ in } }
        XCTAssertTrue(error?.reason.contains("\(text.utf8.count) bytes, declared \(1 << 20)") ?? false, "\(String(describing: error))")
        // Stored, with different compressed and uncompressed sizes.
        var stored = CraftedZip.Item.file("a.txt", "stored text", deflate: false)
        stored.entry.uncompressedSize = 5
        zip = try CraftedZip([stored]).reader()
        error = assertThrows(.badInput) { try zip.extract(zip.entries[0]) { _ in } }
        XCTAssertTrue(error?.reason.contains("stored entry with different sizes") ?? false, "\(String(describing: error))")
        // And through the extractor: nothing is left behind.
        let folder = try makeTemporaryFolder()
        for item in [small, large, stored] {
            assertThrows(.badInput) { try Extractor.extract(try CraftedZip([.file("ok.txt", "fine"), item]).reader(), to: folder + "/out", overwrite: false) }
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), [])
        }
    }

    // MARK: - Size limits

    func testTotalDeclaredSizeOverTheCapIsRefusedBeforeWriting() throws {
        var bomb = CraftedZip.Item.file("bomb.bin", "x")
        bomb.entry.uncompressedSize = 65 << 30
        let zip = try CraftedZip([.file("setup.exe", "MZ"), bomb]).reader()
        let folder = try makeTemporaryFolder()
        let error = assertThrows(.badInput) { try Extractor.extract(zip, to: folder + "/out", overwrite: false) }
        XCTAssertEqual(error?.path, zip.source.path)
        XCTAssertTrue(error?.reason.contains("over the limit of \(64 << 30) bytes (64 GiB)") ?? false, "\(String(describing: error))")
        XCTAssertEqual(error?.remedy, .liftSizeLimits)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), [])
        // A lower cap, on real content: refused; without limits the same zip extracts.
        let real = try CraftedZip([.file("a.txt", String(repeating: "a", count: 2000))]).reader()
        let capped = SizeLimits(maximumTotal: 1000, maximumRatio: nil, checksFreeSpace: false)
        assertThrows(.badInput) { try Extractor.extract(real, to: folder + "/capped", overwrite: false, limits: capped) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/capped"))
        XCTAssertEqual(try Extractor.extract(real, to: folder + "/free", overwrite: false, limits: .none).bytes, 2000)
    }

    func testCompressionRatioOverTheCapIsRefused() throws {
        var bomb = CraftedZip.Item.file("bomb.bin", "x")
        bomb.entry.uncompressedSize = 2 << 30
        let zip = try CraftedZip([bomb]).reader()
        let folder = try makeTemporaryFolder()
        let error = assertThrows(.badInput) { try Extractor.extract(zip, to: folder + "/out", overwrite: false) }
        XCTAssertTrue(error?.reason.contains("ratio over the limit of 1000:1") ?? false, "\(String(describing: error))")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), [])
        // The ratio counts only beyond its threshold: 1 MiB of zeros (about 1000:1) passes a 10:1 cap above 1 GiB,
        // not one above 1000 bytes.
        let zeros = try CraftedZip([.file("zeros.bin", [UInt8](repeating: 0, count: 1 << 20))]).reader()
        XCTAssertGreaterThan(UInt64(1 << 20) / zeros.source.size, 100)
        let above = SizeLimits(maximumTotal: nil, maximumRatio: 10, ratioAppliesAbove: 1 << 30, checksFreeSpace: false)
        XCTAssertEqual(try Extractor.extract(zeros, to: folder + "/zeros", overwrite: false, limits: above).bytes, 1 << 20)
        let low = SizeLimits(maximumTotal: nil, maximumRatio: 10, ratioAppliesAbove: 1000, checksFreeSpace: false)
        assertThrows(.badInput) { try Extractor.extract(zeros, to: folder + "/low", overwrite: false, limits: low) }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["zeros"])
        XCTAssertEqual(try Extractor.extract(zeros, to: folder + "/default", overwrite: false).bytes, 1 << 20)
    }

    func testNotEnoughFreeSpaceIsCannotWrite() throws {
        var big = CraftedZip.Item.file("big.bin", "x")
        big.entry.uncompressedSize = 1 << 62  // more than any file system holds
        let zip = try CraftedZip([big]).reader()
        let folder = try makeTemporaryFolder()
        let onlySpace = SizeLimits(maximumTotal: nil, maximumRatio: nil, checksFreeSpace: true)
        let error = assertThrows(.cannotWrite) { try Extractor.extract(zip, to: folder + "/new/out", overwrite: false, limits: onlySpace) }
        XCTAssertTrue(error?.reason.contains("needs \(UInt64(1) << 62) bytes") ?? false, "\(String(describing: error))")
        XCTAssertTrue(error?.reason.contains("available") ?? false)
        XCTAssertTrue(error?.path.hasSuffix("/new/out") ?? false, "\(String(describing: error))")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), [], "not even the parent folder")
    }

    func testLimitsReachUnpackDecryptAndVerifyAndCanBeLifted() throws {
        var bomb = CraftedZip.Item.file("bomb.bin", "x")
        bomb.entry.uncompressedSize = 3 << 30
        let folder = try makeTemporaryFolder()
        let package = try IntuneWinPackage(path: try CraftedZip([.file("setup.exe", "MZ"), bomb]).package(in: folder))
        // verify: the size-limits check fails and no entry is inflated.
        let report = try Verifier.verify(package)
        XCTAssertEqual(report.failures.map(\.name), ["size-limits"])
        XCTAssertEqual(report.failures[0].remedy, .liftSizeLimits)
        XCTAssertEqual(report.checks.first { $0.name == "entry-crc" }?.outcome, .skipped)
        // unpack and decrypt into a folder: refused before anything is written.
        let unpack = assertThrows(.badInput) { try Decryptor.unpack(package, to: folder + "/out", overwrite: false) }
        XCTAssertTrue(unpack?.reason.contains("ratio over the limit") ?? false, "\(String(describing: unpack))")
        assertThrows(.badInput) {
            try Decryptor.decrypt(package.content, keys: ContentKeys(package.detection), output: .folder(folder + "/out"), overwrite: false)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/out"))
        // Lifted, explicitly or as the current limits: the lie is found by inflating, still nothing written.
        let lifted = assertThrows(.badInput) { try Decryptor.unpack(package, to: folder + "/out", overwrite: false, limits: .none) }
        XCTAssertTrue(lifted?.reason.contains("1 bytes, declared \(3 << 30)") ?? false, "\(String(describing: lifted))")
        let unlimited = try Verifier.verify(package, limits: .none)
        XCTAssertEqual(unlimited.failures.map(\.name), ["entry-crc"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["crafted.intunewin"])
    }

    // MARK: - Links

    func testSymlinkEntriesBecomeRegularFiles() throws {
        var link = CraftedZip.Item.file("link", "/etc")
        link.entry.versionMadeBy = 0x031E  // Unix
        link.entry.externalAttributes = UInt32(0o120777) << 16
        var escape = CraftedZip.Item.file("up", "../../..")
        escape.entry.versionMadeBy = 0x031E
        escape.entry.externalAttributes = UInt32(0o120777) << 16
        let folder = try makeTemporaryFolder()
        _ = try Extractor.extract(try CraftedZip([link, escape, .file("after.txt", "after")]).reader(), to: folder + "/out", overwrite: false)
        for (name, text) in [("link", "/etc"), ("up", "../../.."), ("after.txt", "after")] {
            var st = stat()
            XCTAssertEqual(lstat(folder + "/out/" + name, &st), 0)
            XCTAssertEqual(st.st_mode & S_IFMT, S_IFREG, "\(name) must be a regular file")
            XCTAssertEqual(try TestSupport.readFile(folder + "/out/" + name), Array(text.utf8))
        }
        // A "link" then a file through it: refused (a file and a folder of one name), nothing written.
        let through = try CraftedZip([link, .file("link/passwd", "owned")]).reader()
        let error = assertThrows(.badInput) { try Extractor.extract(through, to: folder + "/second", overwrite: false) }
        XCTAssertTrue(error?.reason.contains("both a file and a folder") ?? false, "\(String(describing: error))")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["out"])
    }
}

/// A zip assembled from records, each of which may lie: declared sizes, the local header, the offset
/// the central directory gives, the end records. Written the way `InnerZipBuilder` writes, by default.
struct CraftedZip {
    struct Item {
        /// What the central directory says (its offset is filled in unless `centralOffset` is set).
        var entry: ZipEntry
        /// The bytes after the local header.
        var data: [UInt8]
        /// The local header's values, when they differ from the central one.
        var local: ZipEntry? = nil
        var centralOffset: UInt64? = nil
        /// Write no local header and data (the central entry points at someone else's).
        var omitLocal = false

        static func file(_ name: String, _ text: String, deflate: Bool = true) -> Item { file(name, Array(text.utf8), deflate: deflate) }

        static func file(_ name: String, _ bytes: [UInt8], deflate: Bool = true) -> Item {
            var crc = CRC32()
            crc.update(bytes)
            let data = deflate ? bytes.withUnsafeBytes { Deflater(level: 6).compressAll($0, flush: .finish) } : bytes
            let entry = ZipEntry(nameBytes: Array(name.utf8), method: deflate ? ZipEntry.deflated : ZipEntry.stored, flags: 0x0800,
                                 versionMadeBy: 20, versionNeeded: 20, modified: DOSDateTime(date: 0x5A21, time: 0x6000),
                                 crc32: crc.value, compressedSize: UInt64(data.count), uncompressedSize: UInt64(bytes.count),
                                 localHeaderOffset: 0, externalAttributes: 0)
            return Item(entry: entry, data: data)
        }
    }

    /// End-record fields; nil means the true value (or, in the classic record beside a zip64 one, the marker).
    struct End {
        var count16: UInt16? = nil
        var cdSize32: UInt32? = nil
        var cdOffset32: UInt32? = nil
        var zip64 = false
        var count64: UInt64? = nil
        var diskCount64: UInt64? = nil
        var cdSize64: UInt64? = nil
        var cdOffset64: UInt64? = nil
        var locatorOffset: UInt64? = nil
    }

    var items: [Item]
    /// Bytes appended inside the central directory, after the last entry.
    var centralTrailer: [UInt8] = []

    init(_ items: [Item]) { self.items = items }

    /// The entries' records and the central directory, without end records.
    func layout() -> (bytes: [UInt8], centralOffset: Int, centralSize: Int) {
        var w = ByteWriter()
        var central: [ZipEntry] = []
        for item in items {
            var e = item.entry
            e.localHeaderOffset = item.centralOffset ?? UInt64(w.bytes.count)
            if !item.omitLocal {
                let local = item.local ?? e
                w.append(ZipRecords.localHeader(local, extra: ZipRecords.needsZip64(local) ? ZipRecords.zip64LocalExtra(local) : []))
                w.append(item.data)
            }
            central.append(e)
        }
        let start = w.bytes.count
        for e in central { w.append(ZipRecords.centralHeader(e)) }
        w.append(centralTrailer)
        return (w.bytes, start, w.bytes.count - start)
    }

    func bytes(end: End = End()) -> [UInt8] {
        let (body, cdOffset, cdSize) = layout()
        var w = ByteWriter()
        w.append(body)
        let count = UInt64(items.count)
        if end.zip64 {
            let recordOffset = UInt64(w.bytes.count)
            w.u32(ZipRecords.zip64EndSignature)
            w.u64(44); w.u16(45); w.u16(45); w.u32(0); w.u32(0)
            w.u64(end.diskCount64 ?? end.count64 ?? count); w.u64(end.count64 ?? count)
            w.u64(end.cdSize64 ?? UInt64(cdSize)); w.u64(end.cdOffset64 ?? UInt64(cdOffset))
            w.u32(ZipRecords.zip64LocatorSignature); w.u32(0); w.u64(end.locatorOffset ?? recordOffset); w.u32(1)
        }
        let count16 = end.count16 ?? (end.zip64 ? 0xFFFF : UInt16(count))
        w.u32(ZipRecords.endSignature)
        w.u16(0); w.u16(0); w.u16(count16); w.u16(count16)
        w.u32(end.cdSize32 ?? (end.zip64 ? .max : UInt32(cdSize)))
        w.u32(end.cdOffset32 ?? (end.zip64 ? .max : UInt32(cdOffset)))
        w.u16(0)
        return w.bytes
    }

    /// Writes the zip to a fresh file and opens it.
    func reader(end: End = End()) throws -> ZipReader {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("crafted-\(UUID().uuidString).zip").path
        try TestSupport.writeFile(path, bytes(end: end))
        defer { unlink(path) }  // the open descriptor keeps it readable
        return try ZipReader(source: try FileRegion(path: path))
    }

    /// A correctly encrypted package around this zip (setup file `setup.exe`), as `crafted.intunewin` in `folder`.
    func package(in folder: String, end: End = End()) throws -> String {
        let output = folder + "/crafted.intunewin"
        let keys = EncryptionKeys.random()
        let now = DOSDateTime(unixTime: 1_700_000_000)
        let file = try AtomicOutputFile(finalPath: output)
        var outer = OuterZipWriter()
        try outer.beginEntry(name: PackagePaths.contentFolder + PackagePaths.contentFileName, time: now, to: file)
        let encryptor = try ContentEncryptor(keys: keys, output: file)
        try bytes(end: end).withUnsafeBytes { try encryptor.write($0) }
        let sealed = try encryptor.finish()
        try outer.endEntry(size: sealed.encryptedSize, crc: sealed.crc32, in: file)
        let detection = DetectionXML(
            toolVersion: Packager.toolVersion, name: "setup.exe", unencryptedContentSize: sealed.plainSize, setupFile: "setup.exe",
            encryptionInfo: EncryptionInfo(encryptionKey: keys.encryptionKey, macKey: keys.macKey, initializationVector: keys.initializationVector,
                                           mac: sealed.mac, profileIdentifier: "ProfileVersion1", fileDigest: sealed.fileDigest,
                                           fileDigestAlgorithm: "SHA256"))
        try outer.addEntry(name: PackagePaths.detectionEntry, time: now, bytes: detection.serialized(), to: file)
        try outer.finish(to: file)
        try file.commit(replace: false)
        return output
    }
}
