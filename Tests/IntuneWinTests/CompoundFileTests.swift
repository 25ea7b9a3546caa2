import Foundation
import XCTest
@testable import IntuneWin

/// The OLE compound file reader against MSIs written by wixl, Microsoft's AESetup.msi, compound files
/// written by a small independent Python generator (v4 sectors, DIFAT chains, fragmented chains),
/// and hostile variants of each, patched byte by byte.
final class CompoundFileTests: XCTestCase {
    // MARK: - Fixtures

    /// A minimal wixl-built MSI with a ~5 KB file in an embedded cabinet.
    private func makeMSI(in folder: String) throws -> String {
        try TestSupport.writeFile(folder + "/payload.bin", TestSupport.noise(5000))
        let wxs = """
        <?xml version="1.0" encoding="utf-8"?>
        <Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">
          <Product Id="*" Name="CFB Test" Version="1.2.3" Manufacturer="Test Co" Language="1033"
                   UpgradeCode="12345678-1234-1234-1234-123456789012">
            <Package InstallerVersion="200" Compressed="yes" />
            <Media Id="1" Cabinet="cab1.cab" EmbedCab="yes" />
            <Directory Id="TARGETDIR" Name="SourceDir">
              <Directory Id="ProgramFilesFolder">
                <Directory Id="INSTALLDIR" Name="CFBTest">
                  <Component Id="Main" Guid="87654321-4321-4321-4321-210987654321">
                    <File Id="payload" Source="payload.bin" />
                  </Component>
                </Directory>
              </Directory>
            </Directory>
            <Feature Id="Complete" Level="1"><ComponentRef Id="Main" /></Feature>
          </Product>
        </Wix>
        """
        try TestSupport.writeFile(folder + "/p.wxs", Array(wxs.utf8))
        let built = try TestSupport.run("sh", ["-c", "cd '\(folder)' && wixl -o p.msi p.wxs"])
        XCTAssertEqual(built.status, 0, built.stderr)
        return folder + "/p.msi"
    }

    /// Writes a compound file with the independent generator below; `spec` is its JSON tree.
    private func generate(version: Int, spec: String, in folder: String, name: String = "gen.cfb") throws -> String {
        try TestSupport.writeFile(folder + "/gen.py", Array(Self.generator.utf8))
        try TestSupport.writeFile(folder + "/spec.json", Array(spec.utf8))
        let out = folder + "/" + name
        let made = try TestSupport.run("python3", [folder + "/gen.py", out, String(version), folder + "/spec.json"])
        XCTAssertEqual(made.status, 0, made.stderr)
        return out
    }

    /// The generator's stream contents (same formula as `pattern` in the script).
    private func pattern(_ count: Int, seed: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed &* 7 &+ ($0 >> 8)) }
    }

    /// Every entry below `storage`, with its decoded slash-separated path.
    private func walk(_ file: CompoundFile, _ storage: CompoundFile.Entry, prefix: String = "") throws -> [(path: String, entry: CompoundFile.Entry)] {
        var out: [(String, CompoundFile.Entry)] = []
        for child in try file.children(of: storage) {
            let path = prefix + decodeMSIStreamName(child.name)
            out.append((path, child))
            if child.kind == .storage { out += try walk(file, child, prefix: path + "/") }
        }
        return out
    }

    /// Opens `path` and reads every stream through, as a reader of the file would.
    private func readEverything(_ path: String) throws {
        let file = try CompoundFile(path: path)
        for (_, entry) in try walk(file, file.root) where entry.kind == .stream {
            let stream = try file.open(entry)
            try stream.stream(from: 0, length: stream.size) { _ in }
        }
    }

    private func patch(_ path: String, at offset: UInt64, _ bytes: [UInt8]) throws {
        var data = try TestSupport.readFile(path)
        for (i, byte) in bytes.enumerated() { data[Int(offset) + i] = byte }
        try TestSupport.writeFile(path, data)
    }

    private func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

    /// A patched copy of a fresh wixl MSI, patched by `edit` which gets the parsed original.
    private func hostileMSI(_ edit: (CompoundFile, String) throws -> Void) throws -> String {
        let folder = try makeTemporaryFolder()
        let path = try makeMSI(in: folder)
        try edit(try CompoundFile(path: path), path)
        return path
    }

    private func entry(_ file: CompoundFile, named name: String) throws -> CompoundFile.Entry {
        guard let found = try walk(file, file.root).first(where: { $0.path == name }) else {
            XCTFail("no entry \(name)")
            throw IntuneWinError.badInput(name, "missing")
        }
        return found.entry
    }

    private func nameList(_ output: [UInt8]) -> [String] {
        String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    // MARK: - Names

    func testDecodesMSIStreamNames() {
        // 'a' = 36, 'b' = 37, 'c' = 38 in 0-9A-Za-z._ : a pair packs first + 64 * second.
        XCTAssertEqual(decodeMSIStreamName("\u{4840}\u{4164}\u{4826}"), "!abc")
        XCTAssertEqual(decodeMSIStreamName("\u{3800}\u{47FF}\u{483E}\u{483F}"), "00__._")
        XCTAssertEqual(decodeMSIStreamName("\u{5}SummaryInformation"), "\u{5}SummaryInformation")
        XCTAssertEqual(decodeMSIStreamName("Root Entry"), "Root Entry")
    }

    // MARK: - Real files

    func testWixlMSIMatchesMsiinfo() throws {
        let folder = try makeTemporaryFolder()
        let path = try makeMSI(in: folder)
        let file = try CompoundFile(path: path)
        XCTAssertEqual(file.majorVersion, 3)
        XCTAssertEqual(file.root.kind, .root)
        XCTAssertEqual(file.root.id, 0)
        XCTAssertEqual(file.root.name, "Root Entry")
        let entries = try walk(file, file.root)
        XCTAssertTrue(entries.allSatisfy { $0.entry.kind == .stream })

        // msiinfo lists the non-table streams (decoded); tables are the "!"-prefixed ones.
        let listed = try TestSupport.run("msiinfo", ["streams", path])
        XCTAssertEqual(listed.status, 0, listed.stderr)
        let expected = nameList(listed.stdout).sorted()
        let ours = entries.map(\.path).filter { !$0.hasPrefix("!") }.sorted()
        XCTAssertEqual(ours, expected)
        XCTAssertTrue(ours.contains("cab1.cab"))

        let tables = try TestSupport.run("msiinfo", ["tables", path])
        XCTAssertEqual(tables.status, 0, tables.stderr)
        let tableStreams = Set(entries.map(\.path).filter { $0.hasPrefix("!") }.map { String($0.dropFirst()) })
        XCTAssertTrue(tableStreams.isSuperset(of: ["_StringPool", "_StringData", "_Tables", "_Columns", "File", "Property"]), "\(tableStreams)")
        // Every other table stream is a table msiinfo knows (it also lists empty and pseudo tables).
        let system: Set<String> = ["_StringPool", "_StringData", "_Tables", "_Columns"]
        XCTAssertTrue(tableStreams.subtracting(system).isSubset(of: Set(nameList(tables.stdout))), "\(tableStreams)")

        // Every non-table stream equals msiinfo's extract, whether from the mini stream or regular sectors.
        var sawMini = false, sawRegular = false
        for (name, entry) in entries where !name.hasPrefix("!") {
            let extracted = try TestSupport.run("msiinfo", ["extract", path, name])
            XCTAssertEqual(extracted.status, 0, extracted.stderr)
            let bytes = try file.read(entry)
            XCTAssertEqual(UInt64(bytes.count), entry.size, name)
            XCTAssertEqual(bytes, extracted.stdout, name)
            if entry.size < 4096 { sawMini = true } else { sawRegular = true }
        }
        XCTAssertTrue(sawMini && sawRegular)
        // Tables are read too (all in the mini stream here); sizes hold.
        for (name, entry) in entries where name.hasPrefix("!") {
            XCTAssertEqual(UInt64(try file.read(entry).count), entry.size, name)
        }
    }

    func testRandomAccessReadsAcrossSectors() throws {
        let folder = try makeTemporaryFolder()
        let path = try makeMSI(in: folder)
        let file = try CompoundFile(path: path)
        for (name, entry) in try walk(file, file.root) where !name.hasPrefix("!") {
            let whole = try file.read(entry)
            let source = try file.open(entry)
            XCTAssertEqual(source.size, entry.size)
            XCTAssertEqual(source.path, path)
            for (offset, count) in [(0, 1), (63, 2), (511, 3), (500, 1100), (whole.count - 5, 5)] where offset >= 0 && offset + count <= whole.count {
                XCTAssertEqual(try source.readExactly(at: UInt64(offset), count: count), Array(whole[offset..<offset + count]), "\(name) @\(offset)")
            }
            // A read past the end is short, not an error.
            var tail = [UInt8](repeating: 0, count: 100)
            let n = try tail.withUnsafeMutableBytes { try source.read(at: entry.size - 10, into: $0) }
            XCTAssertEqual(n, 10)
            XCTAssertEqual(try tail.withUnsafeMutableBytes { try source.read(at: entry.size + 1, into: $0) }, 0)
        }
    }

    func testReadsAESetupMSIFromMicrosoftPackage() throws {
        let folder = try makeTemporaryFolder()
        let package = try IntuneWinPackage(path: TestSupport.sample("09_"))
        let zip = try package.innerZip()
        guard let msiEntry = zip.entries.first(where: { $0.name.lowercased().hasSuffix("aesetup.msi") }) else {
            return XCTFail("no AESetup.msi in \(zip.entries.map(\.name))")
        }
        let path = folder + "/AESetup.msi"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try zip.extract(msiEntry) { handle.write(Data($0)) }
        try handle.close()

        let file = try CompoundFile(path: path)
        XCTAssertEqual(file.majorVersion, 4)  // Microsoft's tooling writes 4096-byte sectors
        XCTAssertEqual(file.sectorSize, 4096)
        let entries = try walk(file, file.root)
        let listed = try TestSupport.run("msiinfo", ["streams", path])
        XCTAssertEqual(listed.status, 0, listed.stderr)
        let expected = nameList(listed.stdout).sorted()
        XCTAssertFalse(expected.isEmpty)
        XCTAssertEqual(entries.map(\.path).filter { !$0.hasPrefix("!") }.sorted(), expected)
        for (name, entry) in entries where !name.hasPrefix("!") {
            let extracted = try TestSupport.run("msiinfo", ["extract", path, name])
            XCTAssertEqual(extracted.status, 0, extracted.stderr)
            let source = try file.open(entry)
            var bytes: [UInt8] = []
            try source.stream(from: 0, length: source.size, chunk: 100_000) { bytes.append(contentsOf: $0) }
            XCTAssertEqual(bytes, extracted.stdout, name)
        }
        XCTAssertTrue(entries.contains { $0.path == "!_StringPool" })
        XCTAssertTrue(entries.contains { $0.path == "\u{5}SummaryInformation" })
    }

    // MARK: - Generated files

    private static let treeSpec = """
    {"interleave": true, "root": [
     {"name": "a", "size": 10, "seed": 1},
     {"name": "big", "size": 100000, "seed": 2},
     {"name": "tiny", "size": 0},
     {"name": "Store", "clsid": "00112233445566778899aabbccddeeff", "children": [
       {"name": "x", "size": 4095, "seed": 3}, {"name": "yy", "size": 4096, "seed": 4}]},
     {"name": "small", "size": 200, "seed": 5},
     {"name": "big2", "size": 9000, "seed": 6}
    ]}
    """

    private func checkTree(_ path: String, version: UInt16) throws {
        let file = try CompoundFile(path: path)
        XCTAssertEqual(file.majorVersion, version)
        XCTAssertEqual(file.sectorSize, version == 3 ? 512 : 4096)
        let top = try file.children(of: file.root)
        XCTAssertEqual(top.map(\.name), ["a", "big", "tiny", "Store", "small", "big2"])
        XCTAssertEqual(top.map(\.kind), [.stream, .stream, .stream, .storage, .stream, .stream])
        XCTAssertEqual(top.map(\.size), [10, 100000, 0, 0, 200, 9000])
        let store = top[3]
        XCTAssertEqual(store.clsid, [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF])
        XCTAssertEqual(top[0].clsid, [UInt8](repeating: 0, count: 16))
        let inner = try file.children(of: store)
        XCTAssertEqual(inner.map(\.name), ["x", "yy"])
        XCTAssertEqual(try file.children(of: top[0]), [])
        let seeds = ["a": 1, "big": 2, "tiny": 0, "x": 3, "yy": 4, "small": 5, "big2": 6]
        for entry in top + inner where entry.kind == .stream {
            XCTAssertEqual(try file.read(entry), pattern(Int(entry.size), seed: seeds[entry.name] ?? -1), entry.name)
        }
        // Random access into the interleaved (fragmented) big streams.
        let big = try file.open(top[1])
        let expected = pattern(100000, seed: 2)
        for offset in [0, 511, 4095, 4096, 50_000, 99_990] {
            let count = min(9000, 100000 - offset)
            XCTAssertEqual(try big.readExactly(at: UInt64(offset), count: count), Array(expected[offset..<offset + count]))
        }
        assertThrows(.badInput) { try file.open(store) }
        assertThrows(.badInput) { try file.read(top[1], limit: 99_999) }
        XCTAssertEqual(try file.read(top[1], limit: 100_000).count, 100_000)
    }

    func testReadsVersion4File() throws {
        let folder = try makeTemporaryFolder()
        let path = try generate(version: 4, spec: Self.treeSpec, in: folder)
        XCTAssertEqual(try TestSupport.readFile(path)[26], 4)
        try checkTree(path, version: 4)
        // The same with the FAT at the start of the file, data after it.
        try checkTree(try generate(version: 4, spec: Self.fatFirst(Self.treeSpec), in: folder, name: "ff.cfb"), version: 4)
    }

    private static func fatFirst(_ spec: String) -> String {
        spec.replacingOccurrences(of: "\"interleave\": true", with: "\"interleave\": true, \"fat_first\": true")
    }

    func testReadsGeneratedVersion3File() throws {
        let folder = try makeTemporaryFolder()
        try checkTree(try generate(version: 3, spec: Self.treeSpec, in: folder), version: 3)
    }

    private static let difatSpec = """
    {"interleave": true, "root": [{"name": "huge", "size": 16500000, "seed": 9},
      {"name": "other", "size": 300000, "seed": 10}, {"name": "m", "size": 100, "seed": 11}]}
    """

    func testReadsFileWithDIFATChain() throws {
        let folder = try makeTemporaryFolder()
        try checkDIFAT(try generate(version: 3, spec: Self.difatSpec, in: folder))
        try checkDIFAT(try generate(version: 3, spec: Self.fatFirst(Self.difatSpec), in: folder, name: "ff.cfb"))
    }

    private func checkDIFAT(_ path: String) throws {
        let file = try CompoundFile(path: path)
        // 16.8 MB in 512-byte sectors needs > 109 + 127 FAT sectors: two DIFAT sectors.
        XCTAssertGreaterThan(file.fatSectors.count, 109 + 127)
        let top = try file.children(of: file.root)
        XCTAssertEqual(top.map(\.name), ["huge", "other", "m"])
        let huge = try file.open(top[0])
        XCTAssertEqual(huge.size, 16_500_000)
        // Compare in chunks without holding a second copy: the pattern repeats every 65536 bytes.
        let period = pattern(65536 * 2, seed: 9)
        var offset = 0
        try huge.stream(from: 0, length: huge.size, chunk: 65536) { chunk in
            let start = offset % 65536
            XCTAssertTrue(chunk.elementsEqual(period[start..<start + chunk.count]), "at \(offset)")
            offset += chunk.count
        }
        XCTAssertEqual(offset, 16_500_000)
        XCTAssertEqual(try file.read(top[1]), pattern(300000, seed: 10))
        XCTAssertEqual(try file.read(top[2]), pattern(100, seed: 11))
        // Reads near the end of the huge stream come through the DIFAT-described part of the FAT.
        let tail = try huge.readExactly(at: 16_499_000, count: 1000)
        XCTAssertEqual(tail, Array(period[(16_499_000 % 65536)..<(16_499_000 % 65536) + 1000]))
    }

    // MARK: - Hostile input: header

    func testRejectsWrongSignature() throws {
        let path = try hostileMSI { _, path in try patch(path, at: 0, [0xD1]) }
        let error = assertThrows(.badInput) { try CompoundFile(path: path) }
        XCTAssertTrue(error?.reason.contains("signature") ?? false, "\(String(describing: error))")
    }

    func testRejectsBadSectorShift() throws {
        let path = try hostileMSI { _, path in try patch(path, at: 30, [12, 0]) }  // 4096-byte sectors in a v3 file
        let error = assertThrows(.badInput) { try CompoundFile(path: path) }
        XCTAssertTrue(error?.reason.contains("sector shift") ?? false)
        let huge = try hostileMSI { _, path in try patch(path, at: 30, [40, 0]) }
        assertThrows(.badInput) { try CompoundFile(path: huge) }
    }

    func testRejectsUnsupportedVersion() throws {
        let path = try hostileMSI { _, path in try patch(path, at: 26, [5, 0]) }
        assertThrows(.badInput) { try CompoundFile(path: path) }
    }

    func testRejectsBadHeaderFields() throws {
        for (offset, bytes) in [(28, [0xFF, 0xFE]),          // byte order
                                (32, [7, 0]),                // mini sector shift
                                (40, [1, 0, 0, 0]),          // v3 with directory sector count
                                (56, [0, 0x20, 0, 0]),       // mini stream cutoff 8192
                                (44, [0, 0, 0, 0])] as [(UInt64, [UInt8])] {  // no FAT sectors
            let path = try hostileMSI { _, path in try patch(path, at: offset, bytes) }
            assertThrows(.badInput) { try CompoundFile(path: path) }
        }
    }

    func testRejectsTruncatedFile() throws {
        let folder = try makeTemporaryFolder()
        let path = try makeMSI(in: folder)
        let bytes = try TestSupport.readFile(path)
        for length in [0, 100, 511, 512, 1024, bytes.count / 2, bytes.count - 600] {
            let cut = folder + "/cut\(length).msi"
            try TestSupport.writeFile(cut, Array(bytes.prefix(length)))
            assertThrows(.badInput) { try readEverything(cut) }
        }
        // With the FAT first, truncation cuts stream data: a partial last sector, then whole sectors.
        let fatFirst = try generate(version: 3, spec: Self.fatFirst(Self.treeSpec), in: folder, name: "ff.cfb")
        let full = try TestSupport.readFile(fatFirst)
        XCTAssertNoThrow(try readEverything(fatFirst))
        // The last sector holds the final 160 bytes of "big" (100000 = 195 * 512 + 160), then padding.
        try TestSupport.writeFile(fatFirst, Array(full.dropLast(300)))
        XCTAssertNoThrow(try readEverything(fatFirst))
        try TestSupport.writeFile(fatFirst, Array(full.dropLast(400)))
        let partial = try CompoundFile(path: fatFirst)
        let big = try XCTUnwrap(try partial.children(of: partial.root).first { $0.name == "big" })
        let opened = try partial.open(big)
        XCTAssertEqual(try opened.readExactly(at: 0, count: 1000), pattern(1000, seed: 2))
        let short = assertThrows(.badInput) { try opened.readExactly(at: 99_000, count: 1000) }
        XCTAssertTrue(short?.reason.contains("truncated") ?? false, "\(String(describing: short))")
        try TestSupport.writeFile(fatFirst, Array(full.dropLast(512 * 3)))
        let cut = try CompoundFile(path: fatFirst)
        let outside = assertThrows(.badInput) { try cut.open(try XCTUnwrap(try cut.children(of: cut.root).first { $0.name == "big" })) }
        XCTAssertTrue(outside?.reason.contains("outside the file") ?? false, "\(String(describing: outside))")
        // A v4 file shorter than its 4096-byte header sector.
        let v4 = try generate(version: 4, spec: Self.treeSpec, in: folder)
        try TestSupport.writeFile(v4, Array(try TestSupport.readFile(v4).prefix(2000)))
        let error = assertThrows(.badInput) { try CompoundFile(path: v4) }
        XCTAssertTrue(error?.reason.contains("truncated") ?? false)
    }

    // MARK: - Hostile input: chains

    func testRejectsLoopInDirectoryChain() throws {
        let path = try hostileMSI { file, path in
            // The directory's first sector links to itself.
            let first = UInt32(try XCTUnwrap(file.fileOffset(ofDirectoryEntry: 0)) / 512 - 1)
            try patch(path, at: try XCTUnwrap(file.fileOffset(ofFATEntry: first)), le32(first))
        }
        let error = assertThrows(.badInput) { try CompoundFile(path: path) }
        XCTAssertTrue(error?.reason.contains("loops") ?? false, "\(String(describing: error))")
    }

    func testRejectsLoopInStreamChain() throws {
        let path = try hostileMSI { file, path in
            let cab = try entry(file, named: "cab1.cab")
            let start = try XCTUnwrap(file.startSector(of: cab))
            try patch(path, at: try XCTUnwrap(file.fileOffset(ofFATEntry: start)), le32(start))
        }
        let file = try CompoundFile(path: path)
        let error = assertThrows(.badInput) { try file.open(try entry(file, named: "cab1.cab")) }
        XCTAssertTrue(error?.reason.contains("loops") ?? false, "\(String(describing: error))")
    }

    func testRejectsLoopInMiniFATChain() throws {
        var victim = ""
        let path = try hostileMSI { file, path in
            // A stream of at least two mini sectors whose first link points back to itself.
            let (name, small) = try XCTUnwrap(walk(file, file.root).first { $0.entry.size > 64 && $0.entry.size < 4096 })
            victim = name
            let start = try XCTUnwrap(file.startSector(of: small))
            try patch(path, at: try XCTUnwrap(file.fileOffset(ofMiniFATEntry: start)), le32(start))
        }
        let file = try CompoundFile(path: path)
        let error = assertThrows(.badInput) { try file.open(try entry(file, named: victim)) }
        XCTAssertTrue(error?.reason.contains("loops") ?? false, "\(String(describing: error))")
    }

    func testRejectsSectorOutOfRange() throws {
        let path = try hostileMSI { file, path in
            let start = try XCTUnwrap(file.startSector(of: try entry(file, named: "cab1.cab")))
            try patch(path, at: try XCTUnwrap(file.fileOffset(ofFATEntry: start)), le32(0x00FF_FFFF))
        }
        let file = try CompoundFile(path: path)
        let error = assertThrows(.badInput) { try file.open(try entry(file, named: "cab1.cab")) }
        XCTAssertTrue(error?.reason.contains("outside the file") ?? false, "\(String(describing: error))")
        // A free-sector link in the middle of a chain.
        let freed = try hostileMSI { file, path in
            let start = try XCTUnwrap(file.startSector(of: try entry(file, named: "cab1.cab")))
            try patch(path, at: try XCTUnwrap(file.fileOffset(ofFATEntry: start)), le32(0xFFFF_FFFF))
        }
        let freedFile = try CompoundFile(path: freed)
        assertThrows(.badInput) { try freedFile.open(try entry(freedFile, named: "cab1.cab")) }
        // The directory's first sector out of range (header field).
        let dir = try hostileMSI { _, path in try patch(path, at: 48, le32(0x0012_3456)) }
        assertThrows(.badInput) { try CompoundFile(path: dir) }
        // A FAT sector outside the file (header DIFAT entry 0).
        let fat = try hostileMSI { _, path in try patch(path, at: 76, le32(0x0012_3456)) }
        assertThrows(.badInput) { try CompoundFile(path: fat) }
    }

    func testRejectsChainShorterThanDeclaredSize() throws {
        let path = try hostileMSI { file, path in
            let cab = try entry(file, named: "cab1.cab")
            let at = try XCTUnwrap(file.fileOffset(ofDirectoryEntry: cab.id)) + 120
            try patch(path, at: at, le32(UInt32(cab.size) + 3000))
        }
        let file = try CompoundFile(path: path)
        let error = assertThrows(.badInput) { try file.open(try entry(file, named: "cab1.cab")) }
        XCTAssertTrue(error?.reason.contains("declared size") ?? false, "\(String(describing: error))")
        // The same in the mini stream: a 2-mini-sector stream claiming 4000 bytes.
        var victim = ""
        let mini = try hostileMSI { file, path in
            let (name, small) = try XCTUnwrap(walk(file, file.root).first { $0.entry.size > 64 && $0.entry.size <= 128 })
            victim = name
            try patch(path, at: try XCTUnwrap(file.fileOffset(ofDirectoryEntry: small.id)) + 120, le32(4000))
        }
        let miniFile = try CompoundFile(path: mini)
        assertThrows(.badInput) { try miniFile.open(try entry(miniFile, named: victim)) }
    }

    func testRejectsHugeDeclaredSizes() throws {
        // v3: only the low 32 bits count, so the largest claim is 4 GiB - 1; high bits are ignored.
        let path = try hostileMSI { file, path in
            let cab = try entry(file, named: "cab1.cab")
            try patch(path, at: try XCTUnwrap(file.fileOffset(ofDirectoryEntry: cab.id)) + 120, le32(0xFFFF_FFFF) + le32(0x7FFF_FFFF))
        }
        let file = try CompoundFile(path: path)
        let cab = try entry(file, named: "cab1.cab")
        XCTAssertEqual(cab.size, 0xFFFF_FFFF)
        assertThrows(.badInput) { try file.open(cab) }
        assertThrows(.badInput) { try file.read(cab) }

        // v4: full 64-bit sizes, 2^62 and 2^64 - 1.
        let folder = try makeTemporaryFolder()
        let v4 = try generate(version: 4, spec: Self.treeSpec, in: folder)
        let parsed = try CompoundFile(path: v4)
        let big = try XCTUnwrap(try parsed.children(of: parsed.root).first { $0.name == "big" })
        let at = try XCTUnwrap(parsed.fileOffset(ofDirectoryEntry: big.id)) + 120
        for size in [UInt64(1) << 62, UInt64.max] {
            try patch(v4, at: at, le32(UInt32(truncatingIfNeeded: size)) + le32(UInt32(truncatingIfNeeded: size >> 32)))
            let hostile = try CompoundFile(path: v4)
            let entry = try XCTUnwrap(try hostile.children(of: hostile.root).first { $0.name == "big" })
            XCTAssertEqual(entry.size, size)
            assertThrows(.badInput) { try hostile.open(entry) }
        }
        // The root's mini stream claiming more than the file holds.
        let rootSize = try XCTUnwrap(parsed.fileOffset(ofDirectoryEntry: 0)) + 120
        try patch(v4, at: rootSize, le32(0) + le32(1))
        assertThrows(.badInput) { try CompoundFile(path: v4) }
    }

    func testRejectsLoopInDIFATChain() throws {
        let folder = try makeTemporaryFolder()
        let path = try generate(version: 3, spec: Self.difatSpec, in: folder)
        let header = try FileRegion(path: path).readExactly(at: 68, count: 8)
        let firstDIFAT = UInt64(header[0]) | UInt64(header[1]) << 8 | UInt64(header[2]) << 16 | UInt64(header[3]) << 24
        XCTAssertEqual(header[4], 2)  // two DIFAT sectors
        // The first DIFAT sector's "next" link points at itself.
        try patch(path, at: (firstDIFAT + 1) * 512 + 508, le32(UInt32(firstDIFAT)))
        let error = assertThrows(.badInput) { try CompoundFile(path: path) }
        XCTAssertTrue(error?.reason.contains("DIFAT chain loops") ?? false, "\(String(describing: error))")
        // … or leaves the file.
        try patch(path, at: (firstDIFAT + 1) * 512 + 508, le32(0x00FF_0000))
        assertThrows(.badInput) { try CompoundFile(path: path) }
        try patch(path, at: (firstDIFAT + 1) * 512 + 508, le32(0xFFFF_FFFE))
        let ended = assertThrows(.badInput) { try CompoundFile(path: path) }
        XCTAssertTrue(ended?.reason.contains("DIFAT chain ends") ?? false, "\(String(describing: ended))")
    }

    // MARK: - Hostile input: directory

    func testRejectsDirectoryTreeLoop() throws {
        // The root's child links (as its left sibling) to itself.
        let path = try hostileMSI { file, path in
            let top = try XCTUnwrap(try file.children(of: file.root).first)
            let at = try XCTUnwrap(file.fileOffset(ofDirectoryEntry: top.id)) + 68
            try patch(path, at: at, le32(UInt32(top.id)))
        }
        let error = assertThrows(.badInput) { try CompoundFile(path: path) }
        XCTAssertTrue(error?.reason.contains("loops") ?? false, "\(String(describing: error))")

        // A storage's child links back to the root (entry 0), and a sibling back to its own storage.
        let folder = try makeTemporaryFolder()
        let v4 = try generate(version: 4, spec: Self.treeSpec, in: folder)
        let parsed = try CompoundFile(path: v4)
        let store = try XCTUnwrap(try parsed.children(of: parsed.root).first { $0.name == "Store" })
        let x = try XCTUnwrap(try parsed.children(of: store).first)
        let original = try TestSupport.readFile(v4)
        try patch(v4, at: try XCTUnwrap(parsed.fileOffset(ofDirectoryEntry: x.id)) + 72, le32(0))
        assertThrows(.badInput) { try CompoundFile(path: v4) }
        try TestSupport.writeFile(v4, original)
        try patch(v4, at: try XCTUnwrap(parsed.fileOffset(ofDirectoryEntry: x.id)) + 68, le32(UInt32(store.id)))
        assertThrows(.badInput) { try CompoundFile(path: v4) }
        // A link outside the directory.
        try TestSupport.writeFile(v4, original)
        try patch(v4, at: try XCTUnwrap(parsed.fileOffset(ofDirectoryEntry: store.id)) + 76, le32(100_000))
        let outside = assertThrows(.badInput) { try CompoundFile(path: v4) }
        XCTAssertTrue(outside?.reason.contains("outside the directory") ?? false, "\(String(describing: outside))")
    }

    func testRejectsInvalidNameLength() throws {
        for length: UInt8 in [66, 13, 0xFF] {
            let path = try hostileMSI { file, path in
                let top = try XCTUnwrap(try file.children(of: file.root).last)
                try patch(path, at: try XCTUnwrap(file.fileOffset(ofDirectoryEntry: top.id)) + 64, [length, 0])
            }
            let error = assertThrows(.badInput) { try CompoundFile(path: path) }
            XCTAssertTrue(error?.reason.contains("name length") ?? false, "\(String(describing: error))")
        }
    }

    func testRejectsUnknownEntryType() throws {
        for type: UInt8 in [7, 3, 0] {
            let path = try hostileMSI { file, path in
                let top = try XCTUnwrap(try file.children(of: file.root).first)
                try patch(path, at: try XCTUnwrap(file.fileOffset(ofDirectoryEntry: top.id)) + 66, [type])
            }
            assertThrows(.badInput) { try CompoundFile(path: path) }
        }
        // Entry 0 must be the root.
        let notRoot = try hostileMSI { file, path in
            try patch(path, at: try XCTUnwrap(file.fileOffset(ofDirectoryEntry: 0)) + 66, [1])
        }
        let error = assertThrows(.badInput) { try CompoundFile(path: notRoot) }
        XCTAssertTrue(error?.reason.contains("root") ?? false)
    }

    func testRejectsEntriesFromAnotherFile() throws {
        let folder = try makeTemporaryFolder()
        let file = try CompoundFile(path: try generate(version: 3, spec: Self.treeSpec, in: folder))
        let stranger = CompoundFile.Entry(id: 999, name: "x", kind: .stream, size: 1, clsid: [])
        assertThrows(.badInput) { try file.open(stranger) }
        assertThrows(.badInput) { try file.children(of: stranger) }
    }

    // MARK: - Fuzzing

    /// Random damage to the header, FAT, mini FAT and directory must end in success or `badInput`.
    private func fuzz(_ original: [UInt8], rounds: Int, seed: UInt64) throws -> (ok: Int, rejected: Int) {
        let parsed = try CompoundFile(source: MemorySource(original))
        var targets = Array(0..<512)
        let sectorSize = Int(parsed.sectorSize)
        for sector in parsed.fatSectors { targets += (0..<sectorSize).map { (Int(sector) + 1) * sectorSize + $0 } }
        for id in 0..<(Int(parsed.directory.size) / 128) {
            if let at = parsed.fileOffset(ofDirectoryEntry: id) { targets += (0..<128).map { Int(at) + $0 } }
        }
        for mini in 0..<min(parsed.miniFAT.count, 256) {
            if let at = parsed.fileOffset(ofMiniFATEntry: UInt32(mini)) { targets += (0..<4).map { Int(at) + $0 } }
        }
        let words: [UInt32] = [0, 1, 2, 5, 6, 9, 12, 64, 4095, 4096, 0x7FFF_FFFF, 0xFFFF_FFFA, 0xFFFF_FFFC,
                               0xFFFF_FFFD, 0xFFFF_FFFE, 0xFFFF_FFFF, UInt32(original.count / sectorSize)]
        var state = seed | 1
        func next() -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(truncatingIfNeeded: state >> 1)
        }
        var ok = 0, rejected = 0
        for _ in 0..<rounds {
            var bytes = original
            for _ in 0..<(1 + next() % 3) {
                let at = targets[next() % targets.count] & ~3
                if next() % 2 == 0 {
                    bytes[at + next() % 4] = UInt8(truncatingIfNeeded: next())
                } else if at + 4 <= bytes.count {
                    let word = next() % 4 == 0 ? UInt32(truncatingIfNeeded: next()) : words[next() % words.count]
                    for i in 0..<4 { bytes[at + i] = UInt8(truncatingIfNeeded: word >> (8 * UInt32(i))) }
                }
            }
            do {
                let file = try CompoundFile(source: MemorySource(bytes))
                for (_, entry) in try walk(file, file.root) {
                    _ = try file.children(of: entry)
                    guard entry.kind == .stream else { continue }
                    let stream = try file.open(entry)
                    try stream.stream(from: 0, length: stream.size) { _ in }
                    _ = try file.read(entry, limit: 1 << 20)
                }
                ok += 1
            } catch let error as IntuneWinError {
                XCTAssertEqual(error.kind, .badInput, "\(error)")
                rejected += 1
            }
        }
        return (ok, rejected)
    }

    func testSurvivesRandomStructuralDamage() throws {
        let folder = try makeTemporaryFolder()
        let msi = try fuzz(try TestSupport.readFile(try makeMSI(in: folder)), rounds: 3000, seed: 1)
        let v4 = try fuzz(try TestSupport.readFile(try generate(version: 4, spec: Self.treeSpec, in: folder)), rounds: 1500, seed: 2)
        let v3 = try fuzz(try TestSupport.readFile(try generate(version: 3, spec: Self.fatFirst(Self.treeSpec), in: folder)), rounds: 1500, seed: 3)
        // Both outcomes occur: the damage is not all fatal, and not all harmless.
        for result in [msi, v4, v3] {
            XCTAssertGreaterThan(result.ok, 0)
            XCTAssertGreaterThan(result.rejected, 0)
        }
    }

    // MARK: - Generator

    /// An independent MS-CFB writer (v3 or v4, mini stream, DIFAT, optional interleaved chains).
    private static let generator = #"""
        # Writes an OLE compound file (MS-CFB) from a JSON spec: python3 gen.py OUT VERSION SPEC.json
        # spec: {"interleave": bool, "root": [node...]}; node: {"name", "size", "seed"} (stream)
        #       or {"name", "clsid": hex, "children": [node...]} (storage). Children are given in tree in-order.
        import sys, json, struct
        out, version = sys.argv[1], int(sys.argv[2])
        spec = json.load(open(sys.argv[3]))
        ss = 512 if version == 3 else 4096
        per = ss // 4
        END, FREE, FATSECT, DIFSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFC, 0xFFFFFFFF

        def pattern(n, seed):
            block = bytes(((i * 31 + seed * 7 + (i >> 8)) & 0xFF) for i in range(65536))
            return (block * (n // 65536 + 1))[:n]

        entries = [{"name": "Root Entry", "type": 5, "clsid": bytes(16)}]
        def flatten(nodes):
            ids = []
            for n in nodes:
                e = {"name": n["name"], "clsid": bytes.fromhex(n.get("clsid", "00" * 16))}
                entries.append(e)
                eid = len(entries) - 1
                if "children" in n:
                    e["type"] = 1
                    e["kids"] = flatten(n["children"])
                else:
                    e["type"] = 2
                    e["data"] = pattern(n["size"], n.get("seed", 0))
                ids.append(eid)
            return ids
        entries[0]["kids"] = flatten(spec["root"])

        def build(ids):
            if not ids:
                return NOSTREAM
            m = len(ids) // 2
            e = entries[ids[m]]
            e["left"], e["right"] = build(ids[:m]), build(ids[m + 1:])
            return ids[m]
        for e in entries:
            e.setdefault("left", NOSTREAM); e.setdefault("right", NOSTREAM)
            e["child"] = build(e["kids"]) if "kids" in e else NOSTREAM
        for e in entries:
            e.setdefault("left", NOSTREAM); e.setdefault("right", NOSTREAM)

        sectors, fat = [], []
        def add_sector(chunk):
            sectors.append(chunk.ljust(ss, b"\0")); fat.append(END)
            return len(sectors) - 1
        def alloc_chains(datas, interleave):
            starts, last = [END] * len(datas), [None] * len(datas)
            chunks = [[d[i:i + ss] for i in range(0, len(d), ss)] for d in datas]
            order = []
            if interleave:
                for k in range(max([len(c) for c in chunks] + [0])):
                    order += [(j, k) for j in range(len(datas)) if k < len(chunks[j])]
            else:
                order = [(j, k) for j in range(len(datas)) for k in range(len(chunks[j]))]
            for j, k in order:
                s = add_sector(chunks[j][k])
                if last[j] is None: starts[j] = s
                else: fat[last[j]] = s
                last[j] = s
            return starts

        def u16(v): return struct.pack("<H", v)
        def u32(v): return struct.pack("<I", v)
        def u64(v): return struct.pack("<Q", v)

        # Small streams go to the mini stream (64-byte mini sectors, chained by the mini FAT).
        mini, minifat, big = bytearray(), [], []
        for e in entries:
            if e["type"] != 2: continue
            d = e["data"]
            if len(d) == 0:
                e["start"] = END
            elif len(d) < 4096:
                n = (len(d) + 63) // 64
                e["start"] = len(minifat)
                minifat += [len(minifat) + i + 1 for i in range(n - 1)] + [END]
                mini += d.ljust(n * 64, b"\0")
            else:
                big.append(e)
        entries[0]["data"] = bytes(mini)

        # Sector order: directory, mini FAT, mini stream, big streams (so truncation cuts stream data).
        dir_count = (len(entries) * 128 + ss - 1) // ss
        dir_start, = alloc_chains([bytes(dir_count * ss)], False)
        mf_bytes = b"".join(u32(v) for v in minifat)
        mf_start, = alloc_chains([mf_bytes], False) if minifat else [END]
        mf_count = (len(mf_bytes) + ss - 1) // ss
        entries[0]["start"], = alloc_chains([bytes(mini)], False) if mini else [END]
        for e, s in zip(big, alloc_chains([e["data"] for e in big], spec.get("interleave", False))):
            e["start"] = s

        def directory(shift):
            out = b""
            for e in entries:
                name = e["name"].encode("utf-16-le")
                start = e.get("start", 0)
                if start != END and (e["type"] == 5 or len(e.get("data", b"")) >= 4096): start += shift
                out += name.ljust(64, b"\0") + u16(len(name) + 2) + bytes([e["type"], 1])
                out += u32(e["left"]) + u32(e["right"]) + u32(e["child"]) + e["clsid"] + u32(0) + u64(0) + u64(0)
                out += u32(start) + u64(len(e.get("data", b"")))
            while len(out) % ss:
                out += bytes(64) + u16(0) + bytes(2) + u32(NOSTREAM) * 3 + bytes(16 + 4 + 16 + 4 + 8)
            return out

        n = len(sectors)
        F, D = 1, 0
        while True:
            F2 = (n + F + D + per - 1) // per
            D2 = max(0, (F2 - 109 + per - 2) // (per - 1))
            if (F2, D2) == (F, D): break
            F, D = F2, D2
        # FAT and DIFAT sectors go after the data, or before it with "fat_first" (data shifted up).
        shift = F + D if spec.get("fat_first", False) else 0
        base = 0 if shift else n
        fat_ids = list(range(base, base + F))
        difat_ids = list(range(base + F, base + F + D))
        data_fat = [v + shift if v < 0xFFFFFFFA else v for v in fat]
        if shift:
            fat = [FATSECT] * F + [DIFSECT] * D + data_fat
        else:
            fat = data_fat + [FATSECT] * F + [DIFSECT] * D
        fat += [FREE] * (F * per - len(fat))
        for k in range(dir_count):
            sectors[dir_start + k] = directory(shift)[k * ss:(k + 1) * ss]
        dir_start += shift
        if mf_start != END: mf_start += shift
        meta = [b"".join(u32(v) for v in fat[i * per:(i + 1) * per]) for i in range(F)]
        rest = fat_ids[109:]
        for k, s in enumerate(difat_ids):
            part = rest[k * (per - 1):(k + 1) * (per - 1)]
            part += [FREE] * (per - 1 - len(part))
            nxt = difat_ids[k + 1] if k + 1 < len(difat_ids) else END
            meta.append(b"".join(u32(v) for v in part + [nxt]))
        sectors = meta + sectors if shift else sectors + meta

        head = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(16) + u16(0x3E) + u16(version) + u16(0xFFFE)
        head += u16(9 if version == 3 else 12) + u16(6) + bytes(6)
        head += u32(0 if version == 3 else dir_count) + u32(F) + u32(dir_start) + u32(0) + u32(4096)
        head += u32(mf_start) + u32(mf_count) + u32(difat_ids[0] if D else END) + u32(D)
        head += b"".join(u32(v) for v in (fat_ids[:109] + [FREE] * (109 - min(109, F))))
        with open(out, "wb") as f:
            f.write(head.ljust(ss, b"\0"))
            for s in sectors: f.write(s)
        """#
}

/// A compound file held in memory, for fuzzing without touching the disk.
private final class MemorySource: RandomAccessSource {
    let bytes: [UInt8]
    let path = "memory.cfb"
    var size: UInt64 { UInt64(bytes.count) }

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard offset < size else { return 0 }
        let start = Int(offset), count = min(buffer.count, bytes.count - Int(offset))
        bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[start..<start + count])) }
        return count
    }
}
