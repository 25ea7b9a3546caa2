import Foundation
import XCTest
@testable import IntuneWin
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The source-folder walk: which entries the inner zip gets, in which order (FORMAT.md §2.1, §9.1).
final class SourceTreeTests: XCTestCase {
    // MARK: - Helpers

    /// A fresh folder under the temp dir, removed after the test (permissions restored first).
    private func makeFolder() throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("SourceTreeTests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock {
            _ = path.withCString { chmod($0, 0o755) }
            if let walker = FileManager.default.enumerator(atPath: path) {
                for case let relative as String in walker { _ = chmod(path + "/" + relative, 0o755) }
            }
            try? FileManager.default.removeItem(atPath: path)
        }
        return path
    }

    /// Creates a file (and its folders) with the given content and, optionally, modification time.
    /// POSIX calls, so the name's bytes are exactly the String's UTF-8 (Foundation may normalise paths).
    @discardableResult
    private func file(_ root: String, _ relative: String, _ content: String = "x", mtime: Int64? = nil) throws -> String {
        let path = root + "/" + relative
        if let slash = relative.lastIndex(of: "/") { try folder(root, String(relative[..<slash])) }
        let descriptor = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o644)
        XCTAssertGreaterThanOrEqual(descriptor, 0, path)
        let bytes = Array(content.utf8)
        XCTAssertEqual(bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }, bytes.count, path)
        close(descriptor)
        if let mtime {
            var times = [timespec(tv_sec: time_t(mtime), tv_nsec: 0), timespec(tv_sec: time_t(mtime), tv_nsec: 0)]
            XCTAssertEqual(utimensat(AT_FDCWD, path, &times, 0), 0, path)
        }
        return path
    }

    /// Creates a folder and its missing parents (POSIX, like `file`).
    @discardableResult
    private func folder(_ root: String, _ relative: String) throws -> String {
        var path = root
        for part in relative.split(separator: "/") {
            path += "/" + part
            if mkdir(path, 0o755) != 0 && errno != EEXIST { XCTFail("mkdir \(path): \(errno)") }
        }
        return path
    }

    private func link(_ path: String, to target: String) {
        XCTAssertEqual(symlink(target, path), 0, path)
    }

    private func names(_ root: String) throws -> [String] {
        try SourceTree.scan(root: root).map(\.zipName)
    }

    /// Runs the scan expecting a bad-input error; returns it for further checks.
    private func scanError(_ root: String, file: StaticString = #filePath, line: UInt = #line) -> IntuneWinError? {
        do {
            let entries = try SourceTree.scan(root: root)
            XCTFail("expected an error, got \(entries.map(\.zipName))", file: file, line: line)
            return nil
        } catch let error as IntuneWinError {
            XCTAssertEqual(error.kind, .badInput, file: file, line: line)
            return error
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
            return nil
        }
    }

    // MARK: - Order

    /// The top folder of sample 06 (ChocolateyUpdater, tool 1.8.3), whose inner zip holds, in this order:
    /// check.ps1, Chocolatey Updater.png, install.ps1, uninstall.ps1, Windows Package Manager.png,
    /// Expand\IntunePackage.intunewin (FORMAT.md §2.1; the sample itself is encrypted).
    func testSample06Order() throws {
        let root = try makeFolder()
        for name in ["Windows Package Manager.png", "uninstall.ps1", "install.ps1", "Chocolatey Updater.png",
                     "check.ps1", "Expand/IntunePackage.intunewin"] {
            try file(root, name)
        }
        XCTAssertEqual(try names(root), ["check.ps1", "Chocolatey Updater.png", "install.ps1", "uninstall.ps1",
                                         "Windows Package Manager.png", "Expand\\IntunePackage.intunewin"])
    }

    /// Sample 05 (Basisschrift, tool 1.8.3): a folder's files come before its sub-folders' contents even when
    /// the sub-folder sorts earlier (`Fonts` < `install.ps1`).
    func testSample05Order() throws {
        let root = try makeFolder()
        for name in ["uninstall.ps1", "Fonts/DCH-Basisschrift.otf", "install.ps1", "check.ps1", "Basisschrift.png"] {
            try file(root, name)
        }
        XCTAssertEqual(try names(root), ["Basisschrift.png", "check.ps1", "install.ps1", "uninstall.ps1",
                                         "Fonts\\DCH-Basisschrift.otf"])
    }

    func testNtfsOrderOfPunctuationDigitsAndCase() throws {
        let root = try makeFolder()
        let expected = ["-a", ".a", "0", "1a", "9", "a", "B", "c.txt", "C1.txt", "Zz", "[x", "_a", "{b", "~a"]
        for name in expected.shuffled() { try file(root, name) }
        XCTAssertEqual(try names(root), expected)
    }

    func testNtfsOrderedBefore() {
        XCTAssertTrue(ntfsOrderedBefore("a", "B"))
        XCTAssertFalse(ntfsOrderedBefore("B", "a"))
        XCTAssertTrue(ntfsOrderedBefore("check.ps1", "Chocolatey Updater.png"))
        XCTAssertTrue(ntfsOrderedBefore("Zebra", "_under"))
        XCTAssertTrue(ntfsOrderedBefore("_under", "~tilde"))
        XCTAssertTrue(ntfsOrderedBefore("-dash", ".dot"))
        XCTAssertTrue(ntfsOrderedBefore(".dot", "0digit"))
        XCTAssertTrue(ntfsOrderedBefore("a", "ab"))
        XCTAssertTrue(ntfsOrderedBefore("z", "ä")) // U+00C4 after every ASCII letter
        XCTAssertTrue(ntfsOrderedBefore("~", "é"))
        // Same name to NTFS: neither comes first.
        XCTAssertFalse(ntfsOrderedBefore("é", "É"))
        XCTAssertFalse(ntfsOrderedBefore("É", "é"))
        XCTAssertFalse(ntfsOrderedBefore("ÿ", "Ÿ")) // U+00FF upper-cases to U+0178
        // Full uppercase of ß is "SS" (two units): a 1:1 table leaves it alone.
        XCTAssertEqual(ntfsUpcase(0x00DF), 0x00DF)
        XCTAssertEqual(ntfsUpcase(0x00E9), 0x00C9)
        XCTAssertEqual(ntfsUpcase(0x1F80), 0x1F88) // simple mapping of ᾀ, although its full uppercase is two letters
        XCTAssertEqual(ntfsUpcase(0xD83D), 0xD83D) // a surrogate half stays
        XCTAssertEqual(ntfsUpcase(0x0041), 0x0041)
        // Ordinal on UTF-16 units: U+FFFD (BMP) after an emoji's high surrogate U+D83D.
        XCTAssertTrue(ntfsOrderedBefore("😀", "\u{FFFD}"))
    }

    func testEmptyFolderIsPlacedAmongFiles() throws {
        let root = try makeFolder()
        try file(root, "a.txt")
        try folder(root, "b")
        try file(root, "c.txt")
        try file(root, "d/e.txt")
        try folder(root, "D0") // sorts after d, still among the files
        let entries = try SourceTree.scan(root: root)
        XCTAssertEqual(entries.map(\.zipName), ["a.txt", "b\\", "c.txt", "D0\\", "d\\e.txt"])
        XCTAssertEqual(entries[1].kind, .emptyFolder)
        XCTAssertEqual(entries[1].components, ["b"])
        XCTAssertEqual(entries[1].path, root + "/b")
    }

    func testFolderHoldingOnlyAnEmptyFolderGetsNoEntry() throws {
        let root = try makeFolder()
        try folder(root, "outer/inner")
        try folder(root, "x/y/z")
        try file(root, "x/y.txt")
        XCTAssertEqual(try names(root), ["outer\\inner\\", "x\\y.txt", "x\\y\\z\\"])
    }

    func testEmptyRootGivesNoEntries() throws {
        XCTAssertEqual(try names(try makeFolder()), [])
    }

    func testDepthFirstPreOrder() throws {
        let root = try makeFolder()
        for name in ["b/2.txt", "b/a/1.txt", "b/1.txt", "a/z/1.txt", "a/1.txt", "z.txt", "c/1.txt"] {
            try file(root, name)
        }
        XCTAssertEqual(try names(root), ["z.txt", "a\\1.txt", "a\\z\\1.txt", "b\\1.txt", "b\\2.txt", "b\\a\\1.txt", "c\\1.txt"])
    }

    // MARK: - Entries

    func testSizesTimesPathsAndZeroByteFiles() throws {
        let root = try makeFolder()
        try file(root, "empty.txt", "", mtime: 1_600_000_001)
        try file(root, "sub/data.bin", String(repeating: "a", count: 1234), mtime: 1_500_000_000)
        let entries = try SourceTree.scan(root: root + "/") // a trailing slash does not double up in paths
        XCTAssertEqual(entries.count, 2)
        XCTAssertEqual(entries[0].kind, .file(size: 0))
        XCTAssertEqual(entries[0].modificationTime, 1_600_000_001)
        XCTAssertEqual(entries[0].path, root + "/empty.txt")
        XCTAssertEqual(entries[0].components, ["empty.txt"])
        XCTAssertEqual(entries[1].kind, .file(size: 1234))
        XCTAssertEqual(entries[1].modificationTime, 1_500_000_000)
        XCTAssertEqual(entries[1].path, root + "/sub/data.bin")
        XCTAssertEqual(entries[1].components, ["sub", "data.bin"])
        XCTAssertEqual(entries[1].zipName, "sub\\data.bin")
    }

    func testDotFilesAndSpacesAreIncluded() throws {
        let root = try makeFolder()
        try file(root, ".hidden")
        try file(root, ".git/config")
        try file(root, "My Setup  v2 .exe")
        try file(root, "folder with space/ file.txt")
        XCTAssertEqual(try names(root), [".hidden", "My Setup  v2 .exe", ".git\\config", "folder with space\\ file.txt"])
    }

    func testNonASCIINamesKeepTheirBytes() throws {
        let root = try makeFolder()
        let nfc = "caf\u{E9}.txt"
        let nfd = "cafe\u{301}.txt"
        try file(root, nfc)
        try file(root, nfd)
        try file(root, "Ärger/ö.txt")
        try file(root, "日本語.txt")
        let entries = try SourceTree.scan(root: root)
        let bytes = entries.map { Array($0.zipName.utf8) }
        #if os(Linux)
        let bothSpellingsExist = true
        #else
        let bothSpellingsExist = try FileManager.default.contentsOfDirectory(atPath: root).count == 4
        #endif
        if bothSpellingsExist {
            // NFD's "E" + U+0301 sorts before NFC's "É" (U+00C9); both are kept as written.
            XCTAssertEqual(bytes, [Array(nfd.utf8), Array(nfc.utf8), Array("日本語.txt".utf8), Array("Ärger\\ö.txt".utf8)])
        } else {
            // A normalisation-insensitive file system (APFS, HFS+) holds only one of the two spellings.
            XCTAssertEqual(entries.count, 3)
        }
    }

    func testDeepTree() throws {
        let root = try makeFolder()
        var relative = ""
        var expected: [String] = []
        for level in 0..<200 {
            relative += String(format: "d%03d/", level)
            try file(root, relative + "f.txt")
            expected.append(relative.replacingOccurrences(of: "/", with: "\\") + "f.txt")
        }
        try folder(root, relative + "leaf")
        expected.append(relative.replacingOccurrences(of: "/", with: "\\") + "leaf\\")
        let entries = try SourceTree.scan(root: root)
        XCTAssertEqual(entries.map(\.zipName), expected)
        XCTAssertEqual(entries.last?.components.count, 201)
    }

    func testManyFiles() throws {
        let root = try makeFolder()
        var expected: [String] = []
        for folderIndex in 0..<20 {
            let folderName = String(format: "f%02d", folderIndex)
            try folder(root, folderName)
            for index in 0..<500 {
                let name = String(format: "%05d.dat", index)
                try file(root, folderName + "/" + name, "")
                expected.append(folderName + "\\" + name)
            }
        }
        let start = Date()
        let entries = try SourceTree.scan(root: root)
        let seconds = Date().timeIntervalSince(start)
        XCTAssertEqual(entries.map(\.zipName), expected)
        XCTAssertLessThan(seconds, 10, "10 000 files should take well under a second")
    }

    // MARK: - Symbolic links

    func testSymbolicLinkToFileCountsAsTheTarget() throws {
        let root = try makeFolder()
        let outside = try makeFolder()
        let target = try file(outside, "target.bin", "12345", mtime: 1_400_000_000)
        link(root + "/link.bin", to: target)
        let entries = try SourceTree.scan(root: root, followingLinksOutside: true)
        XCTAssertEqual(entries, [SourceEntry(kind: .file(size: 5), components: ["link.bin"], path: root + "/link.bin",
                                             modificationTime: 1_400_000_000)])
    }

    func testSymbolicLinkToFolderIsWalked() throws {
        let root = try makeFolder()
        let outside = try makeFolder()
        try file(outside, "inner/a.txt")
        try folder(outside, "empty")
        try file(root, "z.txt")
        link(root + "/linked", to: outside)
        XCTAssertEqual(try SourceTree.scan(root: root, followingLinksOutside: true).map(\.zipName),
                       ["z.txt", "linked\\empty\\", "linked\\inner\\a.txt"])
    }

    func testLinksLeavingTheRootAreRefusedNamingTheLink() throws {
        let root = try makeFolder()
        let outside = try makeFolder()
        try file(root, "a.txt")
        let target = try file(outside, "secret.bin", "x")
        try folder(root, "sub")
        link(root + "/sub/file-link", to: target)
        let error = try XCTUnwrap(scanError(root))
        XCTAssertEqual(error.path, root + "/sub/file-link")
        XCTAssertEqual(error.kind, .badInput)
        XCTAssertTrue(error.reason.contains("leads outside the source folder") && error.reason.contains("secret.bin"), error.reason)
        XCTAssertEqual(error.remedy, .followLinks(orExclude: "file-link"))
        // A relative link climbing out is the same, and so is a link to an outside folder.
        let other = try makeFolder()
        try folder(outside, "dir")
        link(other + "/up", to: "../" + (outside as NSString).lastPathComponent + "/dir")
        XCTAssertTrue(try XCTUnwrap(scanError(other)).reason.contains("leads outside"))
        // Left out by the caller's exclude rule, it is passed over.
        XCTAssertEqual(try SourceTree.scan(root: root, skipping: { $0.last == "file-link" }).map(\.zipName), ["a.txt"])
    }

    func testLinksStayingInsideTheRootAreFollowed() throws {
        let root = try makeFolder()
        try file(root, "bin/real.exe", "12345")
        link(root + "/setup.exe", to: "bin/real.exe")
        link(root + "/alias", to: root + "/bin")
        XCTAssertEqual(try names(root), ["setup.exe", "alias\\real.exe", "bin\\real.exe"])
        // The root reached through a link of its own: inside is judged by the real path.
        let viaLink = try makeFolder() + "/root-link"
        link(viaLink, to: root)
        XCTAssertEqual(try SourceTree.scan(root: viaLink).count, 3)
    }

    func testFolderLoopIsAnError() throws {
        let root = try makeFolder()
        try file(root, "sub/a.txt")
        link(root + "/sub/back", to: "..")
        let error = try XCTUnwrap(scanError(root))
        XCTAssertEqual(error.path, root + "/sub/back")
        XCTAssertTrue(error.reason.contains("symbolic link loop"), error.reason)

        let other = try makeFolder()
        link(other + "/self", to: ".")
        XCTAssertTrue(try XCTUnwrap(scanError(other)).reason.contains("symbolic link loop"))
    }

    func testLinkChainLoopIsAnError() throws {
        let root = try makeFolder()
        link(root + "/a", to: "b")
        link(root + "/b", to: "a")
        let error = try XCTUnwrap(scanError(root))
        XCTAssertEqual(error.reason, "symbolic link loop")
    }

    func testBrokenSymbolicLinkIsAnError() throws {
        let root = try makeFolder()
        try file(root, "a.txt")
        link(root + "/gone", to: root + "/does-not-exist")
        let error = try XCTUnwrap(scanError(root))
        XCTAssertEqual(error.path, root + "/gone")
        XCTAssertEqual(error.reason, "broken symbolic link")
    }

    func testProblemsAreCollectedWhenAskedAndTheScanGoesOn() throws {
        let root = try makeFolder()
        try file(root, "a.txt")
        try file(root, "sub/b.txt")
        link(root + "/gone", to: root + "/does-not-exist")
        link(root + "/sub/gone-too", to: root + "/nothing")
        link(root + "/sub/loop", to: root + "/sub")
        var problems: [IntuneWinError] = []
        let entries = try SourceTree.scan(root: root, problems: { problems.append($0) })
        XCTAssertEqual(entries.map(\.zipName), ["a.txt", "sub\\b.txt"])
        XCTAssertEqual(problems.map(\.path).sorted(), [root + "/gone", root + "/sub/gone-too", root + "/sub/loop"])
        XCTAssertTrue(problems.allSatisfy { $0.kind == .badInput })
        // Without the collector, the first one still ends the scan.
        XCTAssertNotNil(scanError(root))
    }

    // MARK: - Errors

    func testFIFOIsAnError() throws {
        let root = try makeFolder()
        try file(root, "a.txt")
        XCTAssertEqual(mkfifo(root + "/pipe", 0o644), 0)
        let error = try XCTUnwrap(scanError(root))
        XCTAssertEqual(error.path, root + "/pipe")
        XCTAssertEqual(error.reason, "not a regular file or folder (FIFO)")
    }

    func testRootMustBeAFolder() throws {
        let root = try makeFolder()
        let plain = try file(root, "plain.txt")
        XCTAssertEqual(try XCTUnwrap(scanError(plain)).reason, "not a folder")
        XCTAssertTrue(try XCTUnwrap(scanError(root + "/missing")).reason.hasPrefix("cannot read folder:"))
    }

    #if os(Linux)
    /// Linux file systems take any bytes in a name; macOS ones refuse bytes that are not UTF-8.
    func testNameThatIsNotUTF8IsAnError() throws {
        let root = try makeFolder()
        let bytes: [CChar] = Array((root + "/bad").utf8CString.dropLast()) + [CChar(bitPattern: 0xFF), 0]
        let descriptor = open(bytes, O_CREAT | O_WRONLY, 0o644)
        XCTAssertGreaterThanOrEqual(descriptor, 0)
        close(descriptor)
        XCTAssertEqual(try XCTUnwrap(scanError(root)).reason, "name is not valid UTF-8")
    }
    #endif

    /// On Linux and macOS "\" is an ordinary name character, but in the inner zip it separates folders.
    func testBackslashInNameIsAnError() throws {
        let root = try makeFolder()
        try file(root, "a\\b.txt")
        XCTAssertTrue(try XCTUnwrap(scanError(root)).reason.contains("backslash"))
    }

    /// Unreadable files and folders are fatal (as for Microsoft's tool). The suite runs as root, for whom
    /// chmod 000 changes nothing (root bypasses permission checks), so in that case the scan runs with the
    /// effective user switched to "nobody" for its duration; where even that is impossible the test is skipped.
    func testUnreadableFileAndFolderAreErrors() throws {
        let root = try makeFolder()
        try file(root, "readable.txt")
        let secret = try file(root, "secret.txt")
        XCTAssertEqual(chmod(secret, 0o000), 0)
        let lockedRoot = try makeFolder()
        try file(lockedRoot, "ok.txt")
        let locked = try folder(lockedRoot, "locked")
        try file(lockedRoot, "locked/inside.txt")
        XCTAssertEqual(chmod(locked, 0o000), 0)

        let fileError: IntuneWinError?
        let folderError: IntuneWinError?
        if geteuid() == 0 {
            let nobody: uid_t = 65534
            // The temp folders must be reachable for nobody, or the test proves nothing.
            _ = chmod(root, 0o755)
            _ = chmod(lockedRoot, 0o755)
            guard seteuid(nobody) == 0 else { throw XCTSkip("running as root and cannot switch to an unprivileged user") }
            defer { XCTAssertEqual(seteuid(0), 0) }
            // (opendir, unlike access(), checks with the effective user.)
            guard let probe = opendir(root) else { throw XCTSkip("the temp folder is not reachable for an unprivileged user") }
            closedir(probe)
            fileError = scanError(root)
            folderError = scanError(lockedRoot)
        } else {
            fileError = scanError(root)
            folderError = scanError(lockedRoot)
        }
        XCTAssertEqual(fileError?.path, secret)
        XCTAssertTrue(fileError?.reason.hasPrefix("cannot read file:") ?? false, fileError?.reason ?? "")
        XCTAssertEqual(folderError?.path, locked)
        XCTAssertTrue(folderError?.reason.hasPrefix("cannot read folder:") ?? false, folderError?.reason ?? "")
    }
}
