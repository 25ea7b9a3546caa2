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

    /// A package of files (`name`) and empty folders (`name/`), each file holding "x".
    private func namedPackage(_ names: [String], in folder: String) throws -> IntuneWinPackage {
        let payload = folder + "/payload.txt"
        try TestSupport.writeFile(payload, Array("x".utf8))
        let plan = names.map { name in
            name.hasSuffix("/")
                ? SourceEntry(kind: .emptyFolder, components: name.dropLast().split(separator: "/").map(String.init), path: folder, modificationTime: 1_700_000_000)
                : SourceEntry(kind: .file(size: 1), components: name.split(separator: "/").map(String.init), path: payload, modificationTime: 1_700_000_000)
        }
        let output = folder + "/names.intunewin"
        _ = try Packager.write(plan: plan, name: "setup.exe", setupFile: names[0], to: output,
                               request: PackRequest(sourceFolder: folder, setupFile: names[0], output: output))
        return try IntuneWinPackage(path: output)
    }

    func testEveryEscapingSpellingIsRefusedAndNothingIsWritten() throws {
        let spellings = ["..\\evil.txt", "../evil.txt", "a\\..\\..\\evil.txt", "/abs/evil.txt", "\\abs\\evil.txt",
                         "\\\\server\\share\\evil.txt", "C:\\evil.txt", "C:evil.txt", "a/b\u{0}evil.txt", "..",
                         "evil.txt\u{0}.jpg", "\\\\?\\C:\\evil.txt", "..\\", "../",
                         // A separator followed by a combining mark is one Character but still a separator:
                         // "../\u{301}x" is ".." then "\u{301}x" to the file system.
                         "../\u{301}x", "..\\\u{301}x", "../\u{200D}x", "a/../../\u{301}x", "C:\u{301}x"]
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
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).sorted(), ["hostile.intunewin", "payload.txt"],
                           "nothing written beside the output either for \(name.debugDescription)")
        }
    }

    func testNamesSplitOnBytesNotCharacters() throws {
        XCTAssertEqual(try SafePath.components(of: "a/\u{301}b\\\u{200D}c"), ["a", "\u{301}b", "\u{200D}c"])
        XCTAssertEqual(try SafePath.components(of: "..\u{301}/x"), ["..\u{301}", "x"])  // not "..": an ordinary name
        for name in ["../\u{301}x", "..\\\u{301}x", ".\u{301}/../x", "x:\u{301}"] {
            XCTAssertThrowsError(try SafePath.components(of: name), name.debugDescription)
        }
    }

    /// Full-width and one-dot-leader dots are ordinary characters on POSIX: the files land inside the output.
    func testLookAlikeDotsStayInsideTheOutputFolder() throws {
        let names = ["\u{FF0E}\u{FF0E}/x.txt", "\u{2024}\u{2024}/y.txt", "\u{FE52}\u{FE52}/z.txt", "..\u{301}/w.txt"]
        let folder = try makeTemporaryFolder()
        let package = try namedPackage(["setup.exe"] + names, in: folder)
        XCTAssertTrue(try Verifier.verify(package).passed)
        let out = folder + "/out"
        _ = try Decryptor.unpack(package, to: out, overwrite: false)
        for name in names {
            XCTAssertEqual(try TestSupport.readFile(out + "/" + name), Array("x".utf8), name.debugDescription)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).sorted(), ["names.intunewin", "out", "payload.txt"])
        let inside = try FileManager.default.subpathsOfDirectory(atPath: out).filter { !$0.contains("/") }.sorted()
        XCTAssertEqual(inside, (["setup.exe"] + names.map { String($0.split(separator: "/")[0]) }).sorted())
    }

    func testAFileAndAFolderOfOneNameAreRefused() throws {
        let clashes: [[String]] = [["setup.exe", "a", "a/b"], ["setup.exe", "a/b", "a"], ["setup.exe", "a", "a/"], ["setup.exe", "a/", "a"],
                                   ["setup.exe", "A", "a/b"], ["setup.exe", "dir/sub/f", "DIR/Sub"], ["setup.exe/x", "setup.exe"]]
        for names in clashes {
            let folder = try makeTemporaryFolder()
            let package = try namedPackage(names, in: folder)
            XCTAssertEqual(try Verifier.verify(package).failures.map(\.name), ["entry-names"], "\(names)")
            let error = assertThrows(.badInput) { try Decryptor.unpack(package, to: folder + "/out", overwrite: false) }
            XCTAssertTrue(error?.reason.contains("entry name is both a file and a folder") ?? false, "\(names): \(String(describing: error))")
            XCTAssertEqual(error?.path, package.path)
            XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/out"))
        }
    }

    func testFilesDifferingOnlyInLetterCaseAreRefused() throws {
        for names in [["setup.exe", "A.txt", "a.txt"], ["setup.exe", "SETUP.EXE"], ["setup.exe", "d/\u{C4}.txt", "d/\u{E4}.txt"], ["setup.exe", "Dir/x", "dir/X"]] {
            let folder = try makeTemporaryFolder()
            let package = try namedPackage(names, in: folder)
            XCTAssertEqual(try Verifier.verify(package).failures.map(\.name), ["entry-names"], "\(names)")
            let error = assertThrows(.badInput) { try Decryptor.unpack(package, to: folder + "/out", overwrite: false) }
            XCTAssertTrue(error?.reason.contains("duplicate entry name (differs only in letter case") ?? false, "\(names): \(String(describing: error))")
            XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/out"))
        }
        // Folders that differ only in case merge on NTFS: fine, as are repeated folder entries.
        let folder = try makeTemporaryFolder()
        let package = try namedPackage(["setup.exe", "Dir/x", "dir/y", "DIR/", "dir/"], in: folder)
        XCTAssertTrue(try Verifier.verify(package).passed)
        _ = try Decryptor.unpack(package, to: folder + "/out", overwrite: false)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/out/Dir/x"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/out/dir/y"))
    }

    /// `unsafeReason(of:)` (what list shows) says exactly what `components(of:)` throws, and nil where it does not.
    func testUnsafeReasonAgreesWithComponents() throws {
        let names = ["", "/x", "\\x", "\\\\server\\share", "C:\\x", "C:x", "a/../b", "..", "../", "a\\..", "a\0b", ".", "./", "/", "\\",
                     "a", "a/b", "a\\b\\", "./a", "a/./b", "..a", "a..", "...", "a//b", "\u{301}/..\u{301}", "..\\\u{301}x", "x:\u{301}"]
        for name in names {
            do {
                _ = try SafePath.components(of: name)
                XCTAssertNil(SafePath.unsafeReason(of: name), name.debugDescription)
            } catch let error as IntuneWinError {
                XCTAssertEqual(SafePath.unsafeReason(of: name), error.reason, name.debugDescription)
                XCTAssertTrue(error.reason.hasPrefix("unsafe entry name: "), error.reason)
            }
        }
        XCTAssertEqual(SafePath.unsafeReason(of: "a/../b"), "unsafe entry name: '..' leaves the output folder")
        XCTAssertEqual(SafePath.unsafeReason(of: "./"), "unsafe entry name: names no file")
        XCTAssertEqual(SafePath.unsafeReason(of: "/a\0"), "unsafe entry name: contains a NUL byte")  // checked before the rest
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
