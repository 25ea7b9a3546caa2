import Foundation
import XCTest
@testable import IntuneWin

/// Packages whose inner names try to leave the output folder: refused before anything is written.
final class HostilePackageTests: XCTestCase {
    /// Writes a real, correctly encrypted package whose inner zip holds `name` (bytes from a real file).
    private func hostilePackage(named name: String, in folder: String) throws -> String {
        let payload = folder + "/payload.txt"
        try TestSupport.writeFile(payload, Array("owned".utf8))
        let entry = SourceEntry(kind: .file(size: 5), components: [name], path: payload, modificationTime: 1_700_000_000)
        let setup = SourceEntry(kind: .file(size: 5), components: ["setup.exe"], path: payload, modificationTime: 1_700_000_000)
        let output = folder + "/hostile.intunewin"
        _ = try Packager.write(plan: [setup, entry], name: "setup.exe", setupFile: "setup.exe", to: output,
                               request: PackRequest(sourceFolder: folder, setupFile: "setup.exe", output: output))
        return output
    }

    func testEveryEscapingSpellingIsRefusedAndNothingIsWritten() throws {
        let spellings = ["..\\evil.txt", "../evil.txt", "a\\..\\..\\evil.txt", "/abs/evil.txt", "\\abs\\evil.txt",
                         "\\\\server\\share\\evil.txt", "C:\\evil.txt", "C:evil.txt", "a/b\u{0}evil.txt", ".."]
        for name in spellings {
            let folder = try makeTemporaryFolder()
            let package = try IntuneWinPackage(path: try hostilePackage(named: name, in: folder))
            let report = try Verifier.verify(package)
            XCTAssertEqual(report.failures.map(\.name), ["entry-names"], "verify must flag \(name.debugDescription)")
            let error = assertThrows(.badInput) { try Decryptor.unpack(package, to: folder + "/out/unpacked", overwrite: false) }
            XCTAssertTrue(error?.reason.contains("unsafe entry name") ?? false, "\(name.debugDescription): \(String(describing: error))")
            XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/out"), "nothing written for \(name.debugDescription)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/evil.txt"))
            XCTAssertFalse(FileManager.default.fileExists(atPath: "/abs/evil.txt"))
        }
    }

    func testSafeNamesThatLookOddAreAccepted() throws {
        XCTAssertEqual(try SafePath.components(of: "a\\.\\b..c\\..d"), ["a", "b..c", "..d"])
        XCTAssertEqual(try SafePath.components(of: "dir/"), ["dir"])
        XCTAssertEqual(try SafePath.components(of: "a//b"), ["a", "b"])
    }

    func testDuplicateNamesAreRefused() throws {
        let folder = try makeTemporaryFolder()
        let payload = folder + "/p.txt"
        try TestSupport.writeFile(payload, Array("x".utf8))
        let a = SourceEntry(kind: .file(size: 1), components: ["dup.txt"], path: payload, modificationTime: 1_700_000_000)
        let output = folder + "/dup.intunewin"
        _ = try Packager.write(plan: [a, a], name: "dup.txt", setupFile: "dup.txt", to: output,
                               request: PackRequest(sourceFolder: folder, setupFile: "dup.txt", output: output))
        let package = try IntuneWinPackage(path: output)
        assertThrows(.badInput) { try Decryptor.unpack(package, to: folder + "/out", overwrite: false) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/out"))
    }

    func testFlippedCiphertextBitFailsHMACAndUnpackWritesNothing() throws {
        let folder = try makeTemporaryFolder()
        var bytes = try TestSupport.readFile(TestSupport.sample("10_"))
        let package = try IntuneWinPackage(path: TestSupport.sample("10_"))
        let start = Int(try package.outer.dataOffset(of: package.contentEntry))
        bytes[start + 48 + 100] ^= 0x04
        try TestSupport.writeFile(folder + "/flipped.intunewin", bytes)
        let flipped = try IntuneWinPackage(path: folder + "/flipped.intunewin")
        let report = try Verifier.verify(flipped)
        XCTAssertTrue(report.failures.map(\.name).contains("hmac"))
        assertThrows(.checkFailed) { try Decryptor.unpack(flipped, to: folder + "/out", overwrite: false) }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["flipped.intunewin"], "no partial output")
    }
}
