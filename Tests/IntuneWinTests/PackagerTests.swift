import Foundation
import XCTest
@testable import IntuneWin

/// Packing: the format rules of FORMAT.md, the path rules, and round trips through our own reader and
/// through readers we did not write (Python's zipfile, the oracle).
final class PackagerTests: XCTestCase {
    /// A folder with the awkward things real apps have.
    private func makeEdgeFolder(_ root: String) throws {
        try TestSupport.writeFile(root + "/setup.exe", TestSupport.noise(300_000))
        try TestSupport.writeFile(root + "/readme with spaces.txt", Array("hello\r\n".utf8))
        try TestSupport.writeFile(root + "/café.txt", Array("non-ASCII name".utf8))
        try TestSupport.writeFile(root + "/zero.bin", [])
        try TestSupport.writeFile(root + "/.hidden", Array("dot file".utf8))
        try FileManager.default.createDirectory(atPath: root + "/Empty Folder", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/outer/inner-empty", withIntermediateDirectories: true)
        var deep = root + "/deep"
        for level in 0..<60 { deep += "/d\(level)" }
        try TestSupport.writeFile(deep + "/leaf.txt", Array("deep".utf8))
        try TestSupport.writeFile(root + "/Sub/b.txt", Array(String(repeating: "b", count: 5000).utf8))
    }

    private func pack(_ source: String, _ setup: String, _ output: String, keys: EncryptionKeys? = nil) throws -> PackResult {
        var request = PackRequest(sourceFolder: source, setupFile: setup, output: output)
        request.keys = keys
        return try Packager.pack(request)
    }

    func testEdgeContentRoundTripsAndFollowsMicrosoftsRules() throws {
        let folder = try makeTemporaryFolder()
        try makeEdgeFolder(folder + "/src")
        let result = try pack(folder + "/src", "setup.exe", folder + "/out")
        XCTAssertEqual(result.outputPath, folder + "/out/setup.intunewin")
        XCTAssertEqual(result.detection.name, "setup.exe")
        XCTAssertEqual(result.detection.setupFile, "setup.exe")

        let package = try IntuneWinPackage(path: result.outputPath)
        let report = try Verifier.verify(package, source: folder + "/src")
        XCTAssertTrue(report.passed, "\(report.failures)")
        XCTAssertTrue(report.checks.contains { $0.name == "source" && $0.outcome == .passed })

        let inner = try package.innerZip()
        let names = inner.entries.map(\.name)
        XCTAssertTrue(names.contains("Empty Folder\\"), "an empty folder gets a name\\ entry: \(names)")
        XCTAssertTrue(names.contains("outer\\inner-empty\\"), "the leaf gets the entry")
        XCTAssertFalse(names.contains("outer\\"), "a folder holding only an empty folder gets none")
        XCTAssertTrue(names.contains("café.txt"))
        XCTAssertLessThan(names.firstIndex(of: "zero.bin")!, names.firstIndex(of: "Sub\\b.txt")!, "files before sub-folders")
        for entry in inner.entries {
            XCTAssertEqual(entry.flags, 0x0800, entry.name)
            XCTAssertEqual(entry.versionMadeBy, 20, entry.name)
            XCTAssertEqual(entry.versionNeeded, 20, entry.name)
            XCTAssertEqual(entry.externalAttributes, 0, entry.name)
            let empty = entry.uncompressedSize == 0
            XCTAssertEqual(entry.method, empty ? ZipEntry.stored : ZipEntry.deflated, "zero-byte files and folders stored, all else deflated: \(entry.name)")
        }
        // The outer zip: WindowsBase layout.
        XCTAssertEqual(package.outer.entries.map(\.name), [PackagePaths.contentFolder + PackagePaths.contentFileName, PackagePaths.detectionEntry])
        for entry in package.outer.entries {
            XCTAssertEqual(entry.method, ZipEntry.stored)
            XCTAssertEqual(entry.versionMadeBy, 0x2D)
            XCTAssertEqual(entry.versionNeeded, 10)
            XCTAssertEqual(entry.flags, 0)
        }
        let raw = try TestSupport.readFile(result.outputPath)
        XCTAssertEqual(Array(raw[26..<30]), [UInt8(PackagePaths.contentFolder.utf8.count + PackagePaths.contentFileName.utf8.count), 0, 28, 0], "28-byte extra in the local header")
        XCTAssertEqual(Array(raw[30 + 49..<30 + 49 + 8]), [0x20, 0xA2, 0x18, 0x00, 0x28, 0xA0, 0x14, 0x00], "the 0xA220 padding field")

        // Unpack gives back every byte and the modification times (2-second resolution).
        let unpacked = try Decryptor.unpack(package, to: folder + "/unpacked", overwrite: false)
        XCTAssertEqual(unpacked.extracted?.files, 7)
        XCTAssertEqual(unpacked.extracted?.folders, 2)
        let leafPath = "/deep/" + (0..<60).map { "d\($0)" }.joined(separator: "/") + "/leaf.txt"
        for relative in ["/setup.exe", "/café.txt", "/zero.bin", "/.hidden", "/Sub/b.txt", leafPath] {
            XCTAssertEqual(try TestSupport.readFile(folder + "/unpacked" + relative), try TestSupport.readFile(folder + "/src" + relative), relative)
            let a = try FileManager.default.attributesOfItem(atPath: folder + "/src" + relative)[.modificationDate] as! Date
            let b = try FileManager.default.attributesOfItem(atPath: folder + "/unpacked" + relative)[.modificationDate] as! Date
            XCTAssertLessThan(a.timeIntervalSince(b), 2.0, relative)
            XCTAssertGreaterThanOrEqual(a.timeIntervalSince(b), 0, relative)
        }
        var isDirectory: ObjCBool = false
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/unpacked/Empty Folder", isDirectory: &isDirectory) && isDirectory.boolValue)
    }

    func testInnerZipIsReadByPythonZipfileWithMicrosoftsHeaderValues() throws {
        let folder = try makeTemporaryFolder()
        try makeEdgeFolder(folder + "/src")
        let result = try pack(folder + "/src", "setup.exe", folder + "/app.intunewin")
        let package = try IntuneWinPackage(path: result.outputPath)
        _ = try Decryptor.decrypt(package.content, keys: ContentKeys(package.detection), output: .zipFile(folder + "/inner.zip"), overwrite: false)
        let script = """
        import zipfile, sys
        z = zipfile.ZipFile(sys.argv[1])
        assert z.testzip() is None
        for i in z.infolist():
            assert i.flag_bits == 0x800, (i.filename, i.flag_bits)
            assert i.create_version == 20 and i.extract_version == 20 and i.create_system == 0, i.filename
            assert i.extra == b'', i.filename
        print(len(z.infolist()))
        """
        let python = try TestSupport.run("python3", ["-c", script, folder + "/inner.zip"])
        XCTAssertEqual(python.status, 0, python.stderr)
        XCTAssertEqual(String(decoding: python.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), "9", "7 files and 2 empty folders")
    }

    func testSetupFileRulesAndOutputRules() throws {
        let folder = try makeTemporaryFolder()
        try TestSupport.writeFile(folder + "/src/bin/setup.exe", Array("MZ".utf8))
        try TestSupport.writeFile(folder + "/src2/other.exe", Array("MZ".utf8))
        try TestSupport.writeFile(folder + "/outside.exe", Array("MZ".utf8))
        // A path inside the source is fine; SetupFile uses Microsoft's separator.
        let result = try pack(folder + "/src", folder + "/src/bin/setup.exe", folder + "/out")
        XCTAssertEqual(result.detection.setupFile, "bin\\setup.exe")
        XCTAssertEqual(result.detection.name, "setup.exe")
        XCTAssertEqual(try pack(folder + "/src", "bin/setup.exe", folder + "/o2").detection.setupFile, "bin\\setup.exe")
        // Outside the source, even as a sibling whose name shares the prefix: usage errors.
        assertThrows(.usage) { try pack(folder + "/src", "../outside.exe", folder + "/o3") }
        assertThrows(.usage) { try pack(folder + "/src", folder + "/outside.exe", folder + "/o3") }
        assertThrows(.usage) { try pack(folder + "/src", folder + "/src2/other.exe", folder + "/o3") }
        assertThrows(.usage) { try pack(folder + "/src", "missing.exe", folder + "/o3") }
        assertThrows(.usage) { try pack(folder + "/src", "bin", folder + "/o3") }
        // Output into the source folder itself: refused, nothing written there.
        assertThrows(.usage) { try pack(folder + "/src", "bin/setup.exe", folder + "/src/setup.intunewin") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/src/setup.intunewin"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/o3"), "a failed pack creates no output folder")
    }

    func testOutputFolderInsideTheSourceIsLeftOut() throws {
        let folder = try makeTemporaryFolder()
        try TestSupport.writeFile(folder + "/src/setup.exe", Array("MZ".utf8))
        try TestSupport.writeFile(folder + "/src/out/old.intunewin", Array("old".utf8))
        let first = try pack(folder + "/src", "setup.exe", folder + "/src/out")
        XCTAssertEqual(first.outputFolderLeftOut, "out")
        XCTAssertEqual(first.excluded, ["out/old.intunewin"])
        XCTAssertEqual(first.entryCount, 1)
        // Packed again, the first package is left out too (and replaced when asked).
        var again = PackRequest(sourceFolder: folder + "/src", setupFile: "setup.exe", output: folder + "/src/out/sub/../app.intunewin")
        again.overwrite = true
        let second = try Packager.pack(again)
        XCTAssertEqual(second.outputFolderLeftOut, "out")
        XCTAssertEqual(second.excluded, ["out/old.intunewin", "out/setup.intunewin"])
        let names = try IntuneWinPackage(path: second.outputPath).innerZip().entries.map(\.name)
        XCTAssertEqual(names, ["setup.exe"])
    }

    func testWindowsPathArgumentsAndDrivePaths() throws {
        let folder = try makeTemporaryFolder()
        try TestSupport.writeFile(folder + "/My App/setup.exe", Array("MZ".utf8))
        try TestSupport.writeFile(folder + "/cat/app.cat", Array("cat".utf8))
        var request = PackRequest(sourceFolder: folder + "\\My App\\", setupFile: "setup.exe", output: folder + "\\out\\w5\\")
        request.catalogFolder = folder + "\\cat\\"
        let result = try Packager.pack(request)
        XCTAssertEqual(result.outputPath, folder + "/out/w5/setup.intunewin")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).sorted(), ["My App", "cat", "out"])
        for (source, output, catalog) in [("C:\\app", folder + "/o", nil), (folder + "/My App", "C:\\out", nil),
                                          (folder + "/My App", "d:out", nil), (folder + "/My App", "\\\\server\\share", nil),
                                          (folder + "/My App", folder + "/o", "C:\\cat")] as [(String, String, String?)] {
            var bad = PackRequest(sourceFolder: source, setupFile: "setup.exe", output: output)
            bad.catalogFolder = catalog
            assertThrows(.usage) { try Packager.pack(bad) }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).sorted(), ["My App", "cat", "out"], "nothing created")
    }

    func testUnsafeNamesFailThePackUnlessAllowed() throws {
        let folder = try makeTemporaryFolder()
        try TestSupport.writeFile(folder + "/src/setup.exe", Array("MZ".utf8))
        try TestSupport.writeFile(folder + "/src/CON.txt", Array("x".utf8))
        try TestSupport.writeFile(folder + "/src/Thumbs.db", Array("x".utf8))
        assertThrows(.badInput) { try pack(folder + "/src", "setup.exe", folder + "/out") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/out"))
        var request = PackRequest(sourceFolder: folder + "/src", setupFile: "setup.exe", output: folder + "/out")
        request.allowsUnsafeNames = true
        let result = try Packager.pack(request)
        XCTAssertEqual(result.findings.map(\.rule), [.leftover, .windowsName])
        XCTAssertEqual(result.findings.map(\.severity), [.warning, .error])
    }

    func testExistingOutputIsKeptUnlessOverwriteIsAsked() throws {
        let folder = try makeTemporaryFolder()
        try TestSupport.writeFile(folder + "/src/setup.exe", Array("MZ".utf8))
        try TestSupport.writeFile(folder + "/out/setup.intunewin", Array("precious".utf8))
        assertThrows(.cannotWrite) { try pack(folder + "/src", "setup.exe", folder + "/out") }
        XCTAssertEqual(try TestSupport.readFile(folder + "/out/setup.intunewin"), Array("precious".utf8))
        var request = PackRequest(sourceFolder: folder + "/src", setupFile: "setup.exe", output: folder + "/out")
        request.overwrite = true
        _ = try Packager.pack(request)
        XCTAssertTrue(try Verifier.verify(try IntuneWinPackage(path: folder + "/out/setup.intunewin")).passed)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder + "/out")
        XCTAssertEqual(leftovers, ["setup.intunewin"], "no temporary files left")
    }

    func testFreshKeysDifferAndReusedKeysReproduceTheSameBytes() throws {
        let folder = try makeTemporaryFolder()
        try TestSupport.writeFile(folder + "/src/setup.exe", TestSupport.noise(10_000))
        let a = try pack(folder + "/src", "setup.exe", folder + "/a.intunewin")
        let b = try pack(folder + "/src", "setup.exe", folder + "/b.intunewin")
        XCTAssertNotEqual(a.detection.encryptionInfo.encryptionKey, b.detection.encryptionInfo.encryptionKey)
        XCTAssertNotEqual(a.detection.encryptionInfo.initializationVector, b.detection.encryptionInfo.initializationVector)
        XCTAssertEqual(a.detection.encryptionInfo.fileDigest, b.detection.encryptionInfo.fileDigest, "same content, same inner zip")
        let c = try pack(folder + "/src", "setup.exe", folder + "/c.intunewin", keys: try EncryptionKeys(a.detection.encryptionInfo))
        XCTAssertEqual(c.detection.encryptionInfo.mac, a.detection.encryptionInfo.mac)
        let contentA = try IntuneWinPackage(path: a.outputPath).content, contentC = try IntuneWinPackage(path: c.outputPath).content
        XCTAssertEqual(try contentA.source.readExactly(at: 0, count: Int(contentA.source.size)),
                       try contentC.source.readExactly(at: 0, count: Int(contentC.source.size)))
    }

    func testSampleOneDecryptsToMicrosoftsOwnPlainZip() throws {
        let folder = try makeTemporaryFolder()
        let package = try IntuneWinPackage(path: TestSupport.sample("01_"))
        let result = try Decryptor.decrypt(package.content, keys: ContentKeys(package.detection), output: .zipFile(folder + "/inner.zip"), overwrite: false)
        XCTAssertEqual(result.checked, ["iv", "mac", "padding", "size", "hmac", "file-digest"])
        XCTAssertEqual(try TestSupport.readFile(folder + "/inner.zip"), try TestSupport.readFile(TestSupport.samples + "/01_vs_sample_inner_plain.zip"))
        XCTAssertEqual(package.detection.encryptionInfo.fileDigest, [UInt8](Data(base64Encoded: "S+ZXJesMxhj1Opq2AWdJEZlmMJrElayFctjtlx3F/nE=")!))
    }

    /// A digest without a MAC key, to a folder: the digest is computed once, while the files are written,
    /// and checked (and reported) once; a wrong digest leaves no folder.
    func testDigestWithoutMacKeyToAFolderIsCheckedOnce() throws {
        let folder = try makeTemporaryFolder()
        let package = try IntuneWinPackage(path: TestSupport.sample("01_"))
        let full = try ContentKeys(package.detection)
        let keys = try ContentKeys(encryptionKey: full.encryptionKey, fileDigest: full.fileDigest)
        let result = try Decryptor.decrypt(package.content, keys: keys, output: .folder(folder + "/out"), overwrite: false)
        XCTAssertEqual(result.checked, ["padding", "file-digest", "entry-crc"])
        var wrong = full.fileDigest!
        wrong[0] ^= 1
        assertThrows(.checkFailed) {
            try Decryptor.decrypt(package.content, keys: ContentKeys(encryptionKey: full.encryptionKey, fileDigest: wrong),
                                  output: .folder(folder + "/bad"), overwrite: false)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/bad"))
    }

    func testEverySampleVerifiesAndListsWithoutFullDecryption() throws {
        XCTAssertEqual(TestSupport.allSamples.count, 10)
        for path in TestSupport.allSamples {
            let package = try IntuneWinPackage(path: path)
            let report = try Verifier.verify(package)
            XCTAssertTrue(report.passed, "\(path): \(report.failures)")
            XCTAssertEqual(report.checks.filter { $0.outcome == .passed }.map(\.name),
                           ["outer-layout", "content-stored", "detection-xml", "header-mac", "header-iv", "padding", "hmac",
                            "file-digest", "unencrypted-size", "inner-zip", "entry-names", "entry-crc", "setup-file", "content-root"], path)
            XCTAssertEqual(try package.innerZip().entries.count, report.entryCount, path)
        }
    }

    func testOraclePassesOurPackageAndWePassTheOracles() throws {
        let folder = try makeTemporaryFolder()
        try makeEdgeFolder(folder + "/src")
        let ours = try pack(folder + "/src", "setup.exe", folder + "/ours.intunewin")
        let check = try TestSupport.run("python3", [TestSupport.oracle, "check", ours.outputPath, "--source", folder + "/src"])
        XCTAssertEqual(check.status, 0, String(decoding: check.stdout, as: UTF8.self))
        let made = try TestSupport.run("python3", [TestSupport.oracle, "pack", folder + "/src", "setup.exe", folder + "/theirs.intunewin"])
        XCTAssertEqual(made.status, 0, made.stderr)
        let theirs = try IntuneWinPackage(path: folder + "/theirs.intunewin")
        let report = try Verifier.verify(theirs, source: folder + "/src")
        // The oracle's zipfile writes no entries for empty folders; everything else must match.
        XCTAssertEqual(report.failures.map(\.name), ["source"])
        XCTAssertTrue(report.failures.first?.detail.contains("missing from the package (Empty Folder/") ?? false, report.failures.first?.detail ?? "")
        XCTAssertFalse(report.failures.first?.detail.contains("differ") ?? true)
    }
}
