import Foundation
import XCTest
@testable import IntuneWin

/// The zip reader against archives written by Info-ZIP and by Python's zipfile (Zip64 included).
final class ZipReaderTests: XCTestCase {
    private func read(_ path: String) throws -> [String: [UInt8]] {
        let zip = try ZipReader(source: try FileRegion(path: path))
        var files: [String: [UInt8]] = [:]
        for entry in zip.entries where !entry.isDirectory {
            var bytes = [UInt8]()
            try zip.extract(entry) { bytes.append(contentsOf: $0) }
            files[entry.portableName] = bytes
        }
        return files
    }

    func testReadsInfoZipArchive() throws {
        let folder = try makeTemporaryFolder()
        let text = Array(String(repeating: "line of text\n", count: 2000).utf8)
        let noise = TestSupport.noise(50_000)
        try TestSupport.writeFile(folder + "/src/a.txt", text)
        try TestSupport.writeFile(folder + "/src/sub/b.bin", noise)
        try TestSupport.writeFile(folder + "/src/empty.txt", [])
        let zip = try TestSupport.run("sh", ["-c", "cd '\(folder)/src' && zip -qr ../info.zip ."])
        XCTAssertEqual(zip.status, 0, zip.stderr)
        let files = try read(folder + "/info.zip")
        XCTAssertEqual(files["a.txt"], text)
        XCTAssertEqual(files["sub/b.bin"], noise)
        XCTAssertEqual(files["empty.txt"], [])
    }

    func testReadsPythonZip64Archive() throws {
        let folder = try makeTemporaryFolder()
        let script = """
        import zipfile, sys
        with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
            for i in range(3):
                with z.open('dir\\\\f%d.txt' % i, 'w', force_zip64=True) as f:
                    f.write(b'zip64 entry %d ' % i * 1000)
        """
        let made = try TestSupport.run("python3", ["-c", script, folder + "/z64.zip"])
        XCTAssertEqual(made.status, 0, made.stderr)
        let zip = try ZipReader(source: try FileRegion(path: folder + "/z64.zip"))
        XCTAssertEqual(zip.entries.map(\.portableName), ["dir/f0.txt", "dir/f1.txt", "dir/f2.txt"])
        let files = try read(folder + "/z64.zip")
        XCTAssertEqual(files["dir/f2.txt"], Array(String(repeating: "zip64 entry 2 ", count: 1000).utf8))
    }

    /// Many small entries are read a group at a time: every entry lands in exactly one group, a group's
    /// entries follow one another within the limit, a large entry is alone, and what is extracted from a
    /// group's region equals what is extracted entry by entry; a damaged entry fails alone.
    func testReadingGroupsCoverEveryEntryOnceAndExtractTheSameBytes() throws {
        let folder = try makeTemporaryFolder()
        let script = """
        import zipfile, sys, random
        random.seed(7)
        with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
            for i in range(300):
                z.writestr('small/f%03d.txt' % i, ('entry %d ' % i) * random.randint(1, 400))
            z.writestr('big.bin', bytes(random.getrandbits(8) for _ in range(300000)))
            for i in range(5):
                z.writestr('tail/t%d.txt' % i, 'tail %d' % i)
        """
        let made = try TestSupport.run("python3", ["-c", script, folder + "/many.zip"])
        XCTAssertEqual(made.status, 0, made.stderr)
        let zip = try ZipReader(source: try FileRegion(path: folder + "/many.zip"))
        let limit: UInt64 = 16 << 10
        let groups = zip.readingGroups(upTo: limit)
        XCTAssertEqual(groups.flatMap { $0 }.sorted(), Array(zip.entries.indices))
        XCTAssertGreaterThan(groups.count, 3)
        XCTAssertLessThan(groups.count, zip.entries.count / 4, "small entries share reads")
        let big = try XCTUnwrap(zip.entries.firstIndex { $0.name == "big.bin" })
        XCTAssertTrue(groups.contains([big]), "the large entry is a group alone")
        for group in groups {
            let offsets = group.map { zip.entries[$0].localHeaderOffset }
            XCTAssertEqual(offsets, offsets.sorted())
            let region = try zip.region(for: group, limit: limit)
            if group != [big] { XCTAssertNotNil(region) }
            for index in group {
                var alone = [UInt8](), within = [UInt8]()
                try zip.extract(zip.entries[index]) { alone.append(contentsOf: $0) }
                try zip.extract(zip.entries[index], within: region) { within.append(contentsOf: $0) }
                XCTAssertEqual(within, alone, zip.entries[index].name)
            }
        }
        // One damaged byte in one small entry: that entry fails inside its group, its neighbours do not.
        var bytes = try TestSupport.readFile(folder + "/many.zip")
        let victim = zip.entries[10]
        let dataStart = Int(try zip.dataOffset(of: victim))
        bytes[dataStart + Int(victim.compressedSize) / 2] ^= 0x55
        try TestSupport.writeFile(folder + "/damaged.zip", bytes)
        let damaged = try ZipReader(source: try FileRegion(path: folder + "/damaged.zip"))
        let group = try XCTUnwrap(damaged.readingGroups(upTo: limit).first { $0.contains(10) })
        let region = try damaged.region(for: group, limit: limit)
        var failed: [Int] = []
        for index in group {
            do { try damaged.extract(damaged.entries[index], within: region) { _ in } } catch { failed.append(index) }
        }
        XCTAssertEqual(failed, [10])
    }

    func testCorruptedEntryFailsItsCRCCheck() throws {
        let folder = try makeTemporaryFolder()
        try TestSupport.writeFile(folder + "/src/a.txt", Array(String(repeating: "abc", count: 100).utf8))
        XCTAssertEqual(try TestSupport.run("sh", ["-c", "cd '\(folder)/src' && zip -q0 ../s.zip a.txt"]).status, 0)
        var bytes = try TestSupport.readFile(folder + "/s.zip")
        let dataStart = 30 + Int(bytes[26]) + Int(bytes[27]) << 8 + Int(bytes[28]) + Int(bytes[29]) << 8
        bytes[dataStart + 10] ^= 0x01  // a byte of the stored data
        try TestSupport.writeFile(folder + "/s.zip", bytes)
        let zip = try ZipReader(source: try FileRegion(path: folder + "/s.zip"))
        let error = assertThrows(.checkFailed) { try zip.extract(zip.entries[0]) { _ in } }
        XCTAssertTrue(error?.reason.contains("CRC-32") ?? false)
    }

    func testNotAZipAndTruncatedZipAreBadInput() throws {
        let folder = try makeTemporaryFolder()
        try TestSupport.writeFile(folder + "/text.zip", Array("this is not a zip file at all, just text".utf8))
        assertThrows(.badInput) { try ZipReader(source: try FileRegion(path: folder + "/text.zip")) }
        let sample = try TestSupport.readFile(TestSupport.sample("10_"))
        for cut in [10, 100, sample.count / 2, sample.count - 30, sample.count - 1] {
            try TestSupport.writeFile(folder + "/cut.zip", Array(sample[0..<cut]))
            assertThrows(.badInput) { try ZipReader(source: try FileRegion(path: folder + "/cut.zip")) }
        }
    }

    func testCentralDirectoryPointingOutsideTheFileIsRefused() throws {
        var sample = try TestSupport.readFile(TestSupport.sample("10_"))
        // EOCD is the last 22 bytes; its central-directory offset is at +16.
        let eocd = sample.count - 22
        sample[eocd + 16] = 0xFF; sample[eocd + 17] = 0xFF; sample[eocd + 18] = 0xFF; sample[eocd + 19] = 0x7F
        let folder = try makeTemporaryFolder()
        try TestSupport.writeFile(folder + "/bad.zip", sample)
        let error = assertThrows(.badInput) { try ZipReader(source: try FileRegion(path: folder + "/bad.zip")) }
        XCTAssertTrue(error?.reason.contains("outside") ?? false, "\(String(describing: error))")
    }
}
