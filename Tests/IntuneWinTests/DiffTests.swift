import Foundation
import XCTest
@testable import IntuneWin

/// `Differ`: pairs of packages packed from trees that differ in exactly one way, each difference reported
/// once and nothing else; the same content compares identical across every kind of side.
final class DiffTests: XCTestCase {
    /// Every file and folder of the test trees gets this time (even, so it is exact at the zip's 2 s).
    static let time: Int64 = 1_709_294_400

    /// The base tree: files at two depths, a larger binary file and an empty folder.
    private func makeTree(_ root: String, _ change: (String) throws -> Void = { _ in }) throws -> String {
        try TestSupport.writeFile(root + "/setup.exe", Array("MZ fake installer\n".utf8))
        try TestSupport.writeFile(root + "/conf/app.ini", Array("config=1\n".utf8))
        try TestSupport.writeFile(root + "/docs/readme.txt", Array("read me\n".utf8))
        try TestSupport.writeFile(root + "/docs/guide.txt", Array("a guide to everything\n".utf8))
        try TestSupport.writeFile(root + "/data/blob.bin", TestSupport.noise(300_000))
        try FileManager.default.createDirectory(atPath: root + "/empty", withIntermediateDirectories: true)
        try change(root)
        try stamp(root)
        return root
    }

    /// Sets every file's and folder's modification time to `time`, leaving any file named `keep` alone.
    private func stamp(_ root: String, keep: String? = nil) throws {
        let paths = try FileManager.default.subpathsOfDirectory(atPath: root)
        for relative in paths where relative != keep {
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: TimeInterval(Self.time))],
                                                  ofItemAtPath: root + "/" + relative)
        }
    }

    private func pack(_ source: String, setup: String = "setup.exe", to output: String) throws -> String {
        _ = try Packager.pack(PackRequest(sourceFolder: source, setupFile: setup, output: output))
        return output
    }

    /// Packs the base tree and a changed copy, and compares the packages.
    private func diffPackages(_ change: @escaping (String) throws -> Void, keep: String? = nil) throws -> DiffReport {
        let folder = try makeTemporaryFolder()
        let a = try pack(try makeTree(folder + "/a"), to: folder + "/a.intunewin")
        let treeB = try makeTree(folder + "/b")
        try change(treeB)
        try stamp(treeB, keep: keep)
        let b = try pack(treeB, to: folder + "/b.intunewin")
        return try Differ.diff(.package(a), .package(b))
    }

    /// Only the file differences named, and no metadata but the sizes that follow from them.
    private func assertOnly(_ report: DiffReport, added: [String] = [], removed: [String] = [], changed: [String] = [],
                            file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(report.added.map(\.path), added, "added", file: file, line: line)
        XCTAssertEqual(report.removed.map(\.path), removed, "removed", file: file, line: line)
        XCTAssertEqual(report.changed.map(\.path), changed, "changed", file: file, line: line)
        let consequences: Set = ["UnencryptedContentSize", "EncryptedContentSize"]
        XCTAssertTrue(report.metadata.allSatisfy { consequences.contains($0.field) }, "\(report.metadata)", file: file, line: line)
        XCTAssertFalse(report.identical, file: file, line: line)
    }

    func testOneByteChanged() throws {
        let report = try diffPackages { root in
            var bytes = try TestSupport.readFile(root + "/data/blob.bin")
            bytes[1000] ^= 0x01
            try TestSupport.writeFile(root + "/data/blob.bin", bytes)
        }
        assertOnly(report, changed: ["data/blob.bin"])
        let change = report.changed[0]
        XCTAssertTrue(change.contentDiffers)
        XCTAssertNil(change.size)
        XCTAssertNotNil(change.crc32, "a one-byte change always changes the CRC-32")
        XCTAssertNil(change.sha256, "different CRCs need no hashing")
        XCTAssertNil(change.modified)
        XCTAssertEqual(report.unchanged, 5)
    }

    func testSameSizeAndCRCButDifferentBytesIsFoundBySHA256() throws {
        let original = TestSupport.noise(4096, seed: 7)
        let forged = sameCRC(as: original, changing: 100, patchAt: 2000)
        XCTAssertNotEqual(forged, original)
        let folder = try makeTemporaryFolder()
        let a = try pack(try makeTree(folder + "/a") { try TestSupport.writeFile($0 + "/data/forged.bin", original) }, to: folder + "/a.intunewin")
        let b = try pack(try makeTree(folder + "/b") { try TestSupport.writeFile($0 + "/data/forged.bin", forged) }, to: folder + "/b.intunewin")
        let entryA = try IntuneWinPackage(path: a).innerZip().entries.first { $0.portableName == "data/forged.bin" }
        let entryB = try IntuneWinPackage(path: b).innerZip().entries.first { $0.portableName == "data/forged.bin" }
        XCTAssertEqual(entryA?.crc32, entryB?.crc32, "the zip directories cannot tell them apart")
        let report = try Differ.diff(.package(a), .package(b))
        assertOnly(report, changed: ["data/forged.bin"])
        let change = try XCTUnwrap(report.changed.first)
        XCTAssertTrue(change.contentDiffers)
        XCTAssertNil(change.size)
        XCTAssertNil(change.crc32)
        XCTAssertEqual(change.sha256, ValueChange(SHA256.hash(original), SHA256.hash(forged)))
    }

    func testOneTimestampChanged() throws {
        let report = try diffPackages({ root in
            let touched = try TestSupport.run("touch", ["-d", "2024-03-05T08:30:10", root + "/docs/readme.txt"])
            XCTAssertEqual(touched.status, 0, touched.stderr)
        }, keep: "docs/readme.txt")
        assertOnly(report, changed: ["docs/readme.txt"])
        let change = report.changed[0]
        XCTAssertFalse(change.contentDiffers, "same bytes")
        XCTAssertNil(change.size)
        XCTAssertEqual(change.modified?.a, DOSDateTime(unixTime: Self.time))
        XCTAssertEqual(change.modified?.b.text, "2024-03-05 08:30:10")
        XCTAssertTrue(report.metadata.isEmpty, "same sizes: \(report.metadata)")

        let folder = try makeTemporaryFolder()
        let a = try pack(try makeTree(folder + "/a"), to: folder + "/a.intunewin")
        let b = try pack(try makeTree(folder + "/b"), to: folder + "/b.intunewin")
        XCTAssertTrue(try Differ.diff(.package(a), .package(b), options: DiffOptions(compareModificationTimes: false)).identical)
    }

    func testOneFileAdded() throws {
        let report = try diffPackages { try TestSupport.writeFile($0 + "/docs/new.txt", Array("new\n".utf8)) }
        assertOnly(report, added: ["docs/new.txt"])
        XCTAssertEqual(report.added[0].size, 4)
        XCTAssertNil(report.added[0].sameContentAs)
        XCTAssertEqual(report.entriesB, report.entriesA + 1)
    }

    func testOneFileRemoved() throws {
        let report = try diffPackages { try FileManager.default.removeItem(atPath: $0 + "/docs/guide.txt") }
        assertOnly(report, removed: ["docs/guide.txt"])
    }

    func testOneFileRenamed() throws {
        let report = try diffPackages { try FileManager.default.moveItem(atPath: $0 + "/docs/guide.txt", toPath: $0 + "/docs/manual.txt") }
        assertOnly(report, added: ["docs/manual.txt"], removed: ["docs/guide.txt"])
        XCTAssertEqual(report.added[0].sameContentAs, "docs/guide.txt")
        XCTAssertEqual(report.removed[0].sameContentAs, "docs/manual.txt")
    }

    func testEmptyFolderAddedAndRemoved() throws {
        let report = try diffPackages { root in
            try FileManager.default.removeItem(atPath: root + "/empty")
            try FileManager.default.createDirectory(atPath: root + "/logs", withIntermediateDirectories: true)
        }
        assertOnly(report, added: ["logs/"], removed: ["empty/"])
        XCTAssertTrue(report.added[0].isFolder)
        XCTAssertNil(report.added[0].sameContentAs, "folders are not matched as moves")
    }

    func testIdenticalTreesPackedTwiceWithDifferentKeys() throws {
        let folder = try makeTemporaryFolder()
        let a = try pack(try makeTree(folder + "/a"), to: folder + "/a.intunewin")
        let b = try pack(try makeTree(folder + "/b"), to: folder + "/b.intunewin")
        XCTAssertNotEqual(try IntuneWinPackage(path: a).detection.encryptionInfo.encryptionKey,
                          try IntuneWinPackage(path: b).detection.encryptionInfo.encryptionKey)
        let report = try Differ.diff(.package(a), .package(b))
        XCTAssertTrue(report.identical, "\(report)")
        XCTAssertEqual(report.entriesA, 6)
        XCTAssertEqual(report.unchanged, 6)
    }

    func testPackageAndTheFolderItWasPackedFrom() throws {
        let folder = try makeTemporaryFolder()
        let tree = try makeTree(folder + "/src")
        // An odd second: the package holds it truncated to 2 s, as `pack` and Microsoft's tool do.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: TimeInterval(Self.time + 7))],
                                              ofItemAtPath: tree + "/conf/app.ini")
        let package = try pack(tree, to: folder + "/app.intunewin")
        XCTAssertTrue(try Differ.diff(.package(package), .folder(tree)).identical)
        let reverse = try Differ.diff(.folder(tree), .package(package))
        XCTAssertTrue(reverse.identical, "\(reverse)")
        XCTAssertEqual(reverse.unchanged, 6)

        try TestSupport.writeFile(tree + "/conf/app.ini", Array("config=22\n".utf8))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: TimeInterval(Self.time + 7))],
                                              ofItemAtPath: tree + "/conf/app.ini")
        let changed = try Differ.diff(.package(package), .folder(tree))
        assertOnly(changed, changed: ["conf/app.ini"])
        XCTAssertEqual(changed.changed[0].size, ValueChange(9, 10))
        XCTAssertNil(changed.changed[0].modified)
    }

    func testPlainZipAndFolder() throws {
        let folder = try makeTemporaryFolder()
        let tree = try makeTree(folder + "/src")
        // Info-ZIP rounds an odd second up where `pack` truncates: both count as the same time.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: TimeInterval(Self.time + 3))],
                                              ofItemAtPath: tree + "/docs/readme.txt")
        let zip = folder + "/plain.zip"
        let zipped = try TestSupport.run("sh", ["-c", "cd '\(tree)' && zip -q -r -X '\(zip)' ."])
        XCTAssertEqual(zipped.status, 0, zipped.stderr)
        XCTAssertEqual(try ContentKind.detect(zip), .zip)
        // Info-ZIP writes entries for every folder; those with children are implied and not compared.
        let names = try ZipReader(source: try FileRegion(path: zip)).entries.map(\.portableName)
        XCTAssertTrue(names.contains("docs/"), "\(names)")
        let report = try Differ.diff(.zip(zip), .folder(tree))
        XCTAssertTrue(report.identical, "\(report)")
        XCTAssertEqual(report.entriesA, 6)

        // 2 s later than the zip's rounded-up time: a difference.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: TimeInterval(Self.time + 6))],
                                              ofItemAtPath: tree + "/docs/readme.txt")
        let later = try Differ.diff(.zip(zip), .folder(tree))
        assertOnly(later, changed: ["docs/readme.txt"])
        XCTAssertEqual(later.changed.first?.contentDiffers, false)
        XCTAssertEqual(later.changed.first?.modified?.a, DOSDateTime(unixTime: Self.time + 4))
        XCTAssertEqual(later.changed.first?.modified?.b, DOSDateTime(unixTime: Self.time + 6))
    }

    func testEncryptedContentWithThePackagesKeys() throws {
        let folder = try makeTemporaryFolder()
        let package = try pack(try makeTree(folder + "/src"), to: folder + "/app.intunewin")
        let extracted = try TestSupport.run("unzip", ["-p", package, "IntuneWinPackage/Contents/IntunePackage.intunewin"])
        XCTAssertEqual(extracted.status, 0, extracted.stderr)
        let bin = folder + "/app_1.bin"
        try TestSupport.writeFile(bin, extracted.stdout)
        XCTAssertEqual(try ContentKind.detect(bin), .bin)
        XCTAssertEqual(try ContentKind.detect(package), .package)
        XCTAssertEqual(try ContentKind.detect(folder + "/src"), .folder)

        let keys = try ContentKeys(try DetectionXML.read(package))
        let report = try Differ.diff(try ContentSide.detect(bin, keys: keys), .package(package))
        XCTAssertTrue(report.identical, "\(report)")
        XCTAssertTrue(report.metadata.isEmpty, "a .bin has no Detection.xml to compare")
        XCTAssertTrue(try Differ.diff(.bin(bin, try ContentKeys(encryptionKey: keys.encryptionKey)), .folder(folder + "/src")).identical)

        // Without keys: a usage error; with another package's keys: bad input, never "different".
        assertThrows(.usage) { try ContentSide.detect(bin) }
        let other = try pack(try makeTree(folder + "/other"), to: folder + "/other.intunewin")
        let otherKeys = try ContentKeys(try DetectionXML.read(other))
        assertThrows(.badInput) { try Differ.diff(.bin(bin, otherKeys), .package(package)) }
        assertThrows(.badInput) { try Differ.diff(.bin(bin, try ContentKeys(encryptionKey: otherKeys.encryptionKey)), .package(package)) }
        // The right encryption key with another package's MacKey: the HMAC is checked, not ignored.
        let wrongMac = try ContentKeys(encryptionKey: keys.encryptionKey, initializationVector: nil, macKey: otherKeys.macKey)
        let error = assertThrows(.badInput) { try Differ.diff(.bin(bin, wrongMac), .package(package)) }
        XCTAssertTrue(error?.reason.contains("HMAC") ?? false, "\(String(describing: error))")
    }

    func testInputsThatAreNotContent() throws {
        let folder = try makeTemporaryFolder()
        try TestSupport.writeFile(folder + "/notes.txt", Array("seven b".utf8))
        assertThrows(.badInput) { try ContentKind.detect(folder + "/notes.txt") }
        assertThrows(.badInput) { try ContentKind.detect(folder + "/missing") }
        // A zip holding one path twice (`a\b` and `a/b`) cannot be compared by path.
        let zip = folder + "/twice.zip"
        let made = try TestSupport.run("python3", ["-c", """
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1], "w") as z:
                z.writestr("a\\\\b", b"1")
                z.writestr("a/b", b"2")
            """, zip])
        XCTAssertEqual(made.status, 0, made.stderr)
        assertThrows(.badInput) { try Differ.diff(.zip(zip), .folder(folder)) }
    }

    func testMsiInfoFieldDifference() throws {
        let folder = try makeTemporaryFolder()
        let packages = try ["1.2.3", "1.2.4"].map { version -> String in
            let build = folder + "/build-" + version
            try FileManager.default.createDirectory(atPath: build, withIntermediateDirectories: true)
            let fixtures = TestSupport.repoRoot + "/Tests/Fixtures/msi"
            try FileManager.default.copyItem(atPath: fixtures + "/payload.txt", toPath: build + "/payload.txt")
            let wxs = try String(contentsOfFile: fixtures + "/machine.wxs", encoding: .utf8)
                .replacingOccurrences(of: "Version=\"1.2.3\"", with: "Version=\"\(version)\"")
            try wxs.write(toFile: build + "/machine.wxs", atomically: true, encoding: .utf8)
            let source = folder + "/src-" + version
            try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
            let built = try TestSupport.run("sh", ["-c", "cd '\(build)' && wixl -o '\(source)/machine.msi' machine.wxs"])
            XCTAssertEqual(built.status, 0, built.stderr)
            try stamp(source)
            return try pack(source, setup: "machine.msi", to: folder + "/machine-\(version).intunewin")
        }
        let detectionA = try IntuneWinPackage(path: packages[0]).detection
        let detectionB = try IntuneWinPackage(path: packages[1]).detection
        let report = try Differ.diff(.package(packages[0]), .package(packages[1]))

        let version = report.metadata.first { $0.field == "MsiProductVersion" }
        XCTAssertEqual(version, MetadataDifference(field: "MsiProductVersion", a: "1.2.3", b: "1.2.4"))
        XCTAssertNil(report.metadata.first { $0.field == "Name" }, "both are Machine Product")
        // Every other field reported really differs, each once; keys and digests never show.
        var expected = Set<String>()
        for field in detectionA.msiInfo ?? [] where detectionB.msiInfo?.first(where: { $0.name == field.name })?.value != field.value {
            expected.insert(field.name)
        }
        if detectionA.unencryptedContentSize != detectionB.unencryptedContentSize { expected.insert("UnencryptedContentSize") }
        let reported = report.metadata.map(\.field)
        XCTAssertEqual(Set(reported).count, reported.count, "each field once: \(reported)")
        XCTAssertEqual(Set(reported).subtracting(["EncryptedContentSize"]), expected)
        XCTAssertTrue(Set(reported).isDisjoint(with: ["EncryptionKey", "MacKey", "InitializationVector", "Mac", "FileDigest"]))
        XCTAssertEqual(report.changed.map(\.path), ["machine.msi"])
        XCTAssertTrue(report.added.isEmpty && report.removed.isEmpty)
    }

    func testMetadataFieldsByName() {
        let info = EncryptionInfo(encryptionKey: SecretBytes([UInt8](repeating: 1, count: 32)), macKey: SecretBytes([UInt8](repeating: 2, count: 32)),
                                  initializationVector: [UInt8](repeating: 3, count: 16), mac: [UInt8](repeating: 4, count: 32),
                                  fileDigest: [UInt8](repeating: 5, count: 32))
        let a = DetectionXML(toolVersion: "1.8.6.0", name: "App", unencryptedContentSize: 10, setupFile: "setup.exe", encryptionInfo: info,
                             msiInfo: [MsiInfoField(name: "MsiProductCode", value: "{1}"), MsiInfoField(name: "MsiPublisher", value: "Contoso")])
        var b = a
        b.toolVersion = "1.8.7.0"
        b.setupFile = "bin\\setup.exe"
        b.msiInfo = [MsiInfoField(name: "MsiProductCode", value: "{1}"), MsiInfoField(name: "MsiUpgradeCode", value: "{2}")]
        b.encryptionInfo.mac = [UInt8](repeating: 9, count: 32)
        b.encryptionInfo.fileDigest = [UInt8](repeating: 8, count: 32)
        XCTAssertEqual(MetadataDifference.compare(a, b, encryptedSizes: (64, 80)), [
            MetadataDifference(field: "SetupFile", a: "setup.exe", b: "bin\\setup.exe"),
            MetadataDifference(field: "ToolVersion", a: "1.8.6.0", b: "1.8.7.0"),
            MetadataDifference(field: "EncryptedContentSize", a: "64", b: "80"),
            MetadataDifference(field: "MsiPublisher", a: "Contoso", b: nil),
            MetadataDifference(field: "MsiUpgradeCode", a: nil, b: "{2}"),
        ])
    }

    // MARK: - Helpers

    /// `data` with one byte changed at `index` and four bytes at `patchAt` adjusted so the CRC-32 is the same
    /// again (CRC is affine over GF(2): solve for the 32 patch bits).
    private func sameCRC(as data: [UInt8], changing index: Int, patchAt window: Int) -> [UInt8] {
        func crc(_ bytes: [UInt8]) -> UInt32 { var c = CRC32(); c.update(bytes); return c.value }
        let zero = crc([UInt8](repeating: 0, count: data.count))
        let columns: [UInt32] = (0..<32).map { bit in
            var unit = [UInt8](repeating: 0, count: data.count)
            unit[window + bit / 8] = 1 << (bit % 8)
            return crc(unit) ^ zero
        }
        var changed = data
        changed[index] ^= 0x5A
        let target = crc(data) ^ crc(changed)
        // One equation per CRC bit: which patch bits flip it, and whether it must flip.
        var rows: [(mask: UInt32, rhs: UInt32)] = (0..<32).map { r in
            (columns.indices.reduce(UInt32(0)) { $0 | ((columns[$1] >> r) & 1) << $1 }, (target >> r) & 1)
        }
        for column in 0..<32 {
            let pivot = (column..<32).first { rows[$0].mask >> column & 1 == 1 }!
            rows.swapAt(column, pivot)
            for r in 0..<32 where r != column && rows[r].mask >> column & 1 == 1 {
                rows[r] = (rows[r].mask ^ rows[column].mask, rows[r].rhs ^ rows[column].rhs)
            }
        }
        // Reduced to the identity: row i says whether patch bit i is set.
        for bit in 0..<32 where rows[bit].rhs == 1 { changed[window + bit / 8] ^= 1 << (bit % 8) }
        XCTAssertEqual(crc(changed), crc(data))
        return changed
    }

    // MARK: Nested-zip packages

    /// Two --nested-zip packages differ by the files inside payload.zip (not "payload.zip changed") and by
    /// their launcher settings; a nested package and the folder it was packed from compare identical.
    func testNestedPackagesAreComparedInsideThePayload() throws {
        let folder = try makeTemporaryFolder()
        let treeA = try makeTree(folder + "/a")
        let treeB = try makeTree(folder + "/b") { root in
            try TestSupport.writeFile(root + "/conf/app.ini", Array("config=2\n".utf8))
            try TestSupport.writeFile(root + "/docs/new.txt", Array("new\n".utf8))
            try FileManager.default.removeItem(atPath: root + "/docs/guide.txt")
        }
        func nested(_ source: String, _ output: String, arguments: String) throws -> String {
            var request = PackRequest(sourceFolder: source, setupFile: "setup.exe", output: output)
            var options = NestedOptions()
            options.name = "Diff App"
            options.setupArguments = arguments
            request.nested = options
            return try Packager.pack(request).outputPath
        }
        let a = try nested(treeA, folder + "/a.intunewin", arguments: "/S")
        let b = try nested(treeB, folder + "/b.intunewin", arguments: "-silent")
        let report = try Differ.diff(.package(a), .package(b))
        XCTAssertEqual(report.added.map(\.path), ["docs/new.txt"])
        XCTAssertEqual(report.removed.map(\.path), ["docs/guide.txt"])
        XCTAssertEqual(report.changed.map(\.path), ["conf/app.ini"])
        XCTAssertFalse(report.changed.contains { $0.path.contains("payload.zip") })
        let setupArgs = report.metadata.first { $0.field == "launcher.setup_args" }
        XCTAssertEqual(setupArgs, MetadataDifference(field: "launcher.setup_args", a: "/S", b: "-silent"))
        XCTAssertFalse(report.metadata.contains { $0.field == "launcher.sha256" || $0.field == "launcher.app_name" }, "\(report.metadata)")

        let againstSource = try Differ.diff(.package(a), .folder(treeA))
        XCTAssertTrue(againstSource.identical, "\(againstSource)")
    }
}
