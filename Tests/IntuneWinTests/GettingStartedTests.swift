import Foundation
import XCTest
// Deliberately not `@testable`: the snippets must compile against the public API alone, as in an app.
import IntuneWin

// The code of the DocC article `Sources/IntuneWin/IntuneWin.docc/GettingStarted.md`. Each block between
// `// snippet: <name>` and `// end snippet` must appear verbatim in the article (the test below checks
// it), so the article cannot show code that no longer compiles or no longer works.

// snippet: pack
/// Packs `source` (a folder holding `install.cmd`) into `outputFolder/install.intunewin`.
func packApp(source: String, outputFolder: String) throws -> PackResult {
    var request = PackRequest(sourceFolder: source, setupFile: "install.cmd", output: outputFolder)
    request.overwrite = true  // replace the package of an earlier run
    let result = try Packager.pack(request)
    for warning in result.warnings { print("warning:", warning) }
    print("\(result.outputPath): \(result.entryCount) entries, \(result.packageSize) bytes")
    return result
}
// end snippet

// snippet: verify
/// Checks a package end to end; with `source`, also that it holds exactly that folder's files.
func verifyPackage(at path: String, source: String? = nil) throws -> Bool {
    let package = try IntuneWinPackage(path: path)
    let report = try Verifier.verify(package, source: source)
    for check in report.failures { print("FAILED \(check.name): \(check.detail)") }
    return report.passed
}
// end snippet

// snippet: export-keys
/// Writes a package's Detection.xml and Graph's fileEncryptionInfo JSON. Both hold the keys!
func exportKeys(of packagePath: String, detectionXML: String, graphJSON: String) throws {
    let package = try IntuneWinPackage(path: packagePath)
    try Data(package.detection.serialized()).write(to: URL(fileURLWithPath: detectionXML))
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(GraphContentInfo(package.detection)).write(to: URL(fileURLWithPath: graphJSON))
}
// end snippet

// snippet: decrypt
/// Decrypts content IME downloaded (`.bin`) into `folder`, with the keys from a Detection.xml,
/// a `.intunewin` or Graph JSON.
func decryptDownload(_ bin: String, keysFrom keyFile: String, into folder: String) throws -> DecryptResult {
    let keys = try KeyMaterial.load(keyFile)
    let content = try EncryptedContent(source: try FileRegion(path: bin))
    let result = try Decryptor.decrypt(content, keys: keys, output: .folder(folder), overwrite: false)
    print("checked:", result.checked.joined(separator: ", "))
    print("not checked:", result.notChecked.joined(separator: ", "))
    return result
}
// end snippet

// snippet: unpack
/// Verifies a whole package (HMAC, digest, size, every CRC) and extracts its content into `folder`.
func unpackPackage(at path: String, into folder: String) throws -> ExtractResult? {
    let package = try IntuneWinPackage(path: path)
    return try Decryptor.unpack(package, to: folder, overwrite: false).extracted
}
// end snippet

/// Runs the article's snippets end to end on a temporary folder: pack, verify, export the keys, cut the
/// encrypted content out of the package as IME downloads it, decrypt it with each kind of key file, unpack
/// the package, and compare every result with the source, byte for byte.
final class GettingStartedTests: XCTestCase {
    func testArticleSnippetsRunEndToEnd() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("iw-getting-started-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }

        let source = root + "/App"
        try write(source + "/install.cmd", Array("@echo off\r\nmsiexec /i app.msi /qn\r\n".utf8))
        try write(source + "/bin/app.dll", (0..<200_000).map { UInt8(truncatingIfNeeded: ($0 * 7919) >> 3) })
        try write(source + "/bin/config/settings.json", Array("{\"channel\": \"stable\"}\n".utf8))
        try write(source + "/docs/empty.txt", [])
        try FileManager.default.createDirectory(atPath: source + "/logs", withIntermediateDirectories: true)

        // Pack, then verify (against the source too).
        let packed = try packApp(source: source, outputFolder: root + "/out")
        XCTAssertTrue(packed.outputPath.hasSuffix("/out/install.intunewin"), packed.outputPath)
        XCTAssertEqual(packed.detection.setupFile, "install.cmd")
        XCTAssertTrue(try verifyPackage(at: packed.outputPath, source: source))
        XCTAssertTrue(try verifyPackage(at: packed.outputPath))

        // The key files, and the encrypted content as IME downloads it (the package's content entry).
        try exportKeys(of: packed.outputPath, detectionXML: root + "/Detection.xml", graphJSON: root + "/graph.json")
        let content = try IntuneWinPackage(path: packed.outputPath).content.source
        var bin = [UInt8](repeating: 0, count: Int(content.size))
        let read = try bin.withUnsafeMutableBytes { try content.read(at: 0, into: $0) }
        XCTAssertEqual(read, bin.count)
        try write(root + "/app.intunewin.bin", bin)

        // Decrypt with keys from Detection.xml (every check), from Graph JSON (no size), from the package.
        let fromXML = try decryptDownload(root + "/app.intunewin.bin", keysFrom: root + "/Detection.xml", into: root + "/from-xml")
        XCTAssertEqual(fromXML.checked, ["iv", "mac", "padding", "size", "hmac", "file-digest", "entry-crc"])
        XCTAssertEqual(fromXML.notChecked, [])
        try assertSameTree(source, fromXML.outputPath)

        let fromGraph = try decryptDownload(root + "/app.intunewin.bin", keysFrom: root + "/graph.json", into: root + "/from-graph")
        XCTAssertTrue(fromGraph.checked.contains("hmac") && fromGraph.checked.contains("file-digest"), "\(fromGraph.checked)")
        try assertSameTree(source, fromGraph.outputPath)

        let fromPackage = try decryptDownload(root + "/app.intunewin.bin", keysFrom: packed.outputPath, into: root + "/from-package")
        try assertSameTree(source, fromPackage.outputPath)

        // Unpack the whole package.
        let unpacked = try XCTUnwrap(try unpackPackage(at: packed.outputPath, into: root + "/unpacked"))
        XCTAssertEqual(unpacked.files, 4)
        try assertSameTree(source, unpacked.outputFolder)

        // Damaged content is refused before anything is written.
        var tampered = bin
        tampered[bin.count - 20] ^= 1
        try write(root + "/tampered.bin", tampered)
        XCTAssertThrowsError(try decryptDownload(root + "/tampered.bin", keysFrom: root + "/Detection.xml", into: root + "/bad")) { error in
            XCTAssertEqual((error as? IntuneWinError)?.kind, .checkFailed)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/bad"))
    }

    /// Every snippet of this file appears, verbatim, in the article.
    func testArticleShowsTheTestedCode() throws {
        let here = URL(fileURLWithPath: #filePath)
        let repo = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let article = try String(contentsOf: repo.appendingPathComponent("Sources/IntuneWin/IntuneWin.docc/GettingStarted.md"), encoding: .utf8)
        let lines = try String(contentsOf: here, encoding: .utf8).components(separatedBy: "\n")
        var snippets: [String: [String]] = [:]
        var current: String?
        for line in lines {
            if line.hasPrefix("// snippet: ") {
                current = String(line.dropFirst("// snippet: ".count))
            } else if line == "// end snippet" {
                current = nil
            } else if let name = current {
                snippets[name, default: []].append(line)
            }
        }
        XCTAssertEqual(Set(snippets.keys), ["pack", "verify", "export-keys", "decrypt", "unpack"])
        for (name, body) in snippets {
            XCTAssertTrue(article.contains(body.joined(separator: "\n")), "GettingStarted.md does not show snippet \(name) as tested")
        }
    }

    private func write(_ path: String, _ bytes: [UInt8]) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Same relative paths (files and folders) and same file bytes under both folders.
    private func assertSameTree(_ a: String, _ b: String, file: StaticString = #filePath, line: UInt = #line) throws {
        func tree(_ root: String) throws -> (folders: Set<String>, files: [String: Data]) {
            var folders = Set<String>(), files: [String: Data] = [:]
            for path in try FileManager.default.subpathsOfDirectory(atPath: root) {
                var isFolder: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isFolder)
                if isFolder.boolValue {
                    folders.insert(path)
                } else {
                    files[path] = try Data(contentsOf: URL(fileURLWithPath: root + "/" + path))
                }
            }
            return (folders, files)
        }
        let left = try tree(a), right = try tree(b)
        XCTAssertEqual(left.folders, right.folders, file: file, line: line)
        XCTAssertEqual(left.files.keys.sorted(), right.files.keys.sorted(), file: file, line: line)
        for (path, bytes) in left.files { XCTAssertEqual(bytes, right.files[path], path, file: file, line: line) }
    }
}
