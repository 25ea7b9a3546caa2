import Foundation
import XCTest

/// Bad input, bad arguments, tampered packages: the documented exit code, one line on stderr naming the
/// file, never a crash, and nothing (not even a `.partial`) left behind.
final class ExitCodeTests: ToolTestCase {
    private static let readingCommands = ["info", "list", "verify", "unpack"]

    /// Runs a reading command on `package`; `unpack` extracts into a folder that must not exist afterwards.
    private func read(_ command: String, _ package: URL) throws -> RunResult {
        guard command == "unpack" else { return try tool(command, package.path) }
        let output = path("unpacked")
        let result = try tool("unpack", package.path, "-o", output.path)
        if result.status != 0 {
            XCTAssertFalse(output.exists, "unpack failed but left \(output.path): \(listing(output))")
        }
        assertNoPartials(in: scratch)
        return result
    }

    /// Every reading command must reject `package` with `code` and a one-line error naming it.
    private func assertEveryReaderRejects(_ package: URL, with code: Int32, file: StaticString = #filePath, line: UInt = #line) throws {
        for command in Self.readingCommands {
            let result = try read(command, package)
            assertExit(result, code, command, file: file, line: line)
            assertOneLineError(result, naming: package.lastPathComponent, command, file: file, line: line)
        }
    }

    private func assertNoPartials(in folder: URL, file: StaticString = #filePath, line: UInt = #line) {
        let leftovers = listing(folder).filter { $0.lowercased().contains("partial") || $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [], "temporary files left in \(folder.path)", file: file, line: line)
    }

    private var sampleDetectionXML: String { get throws { try PackageParts(Tool.sample("01")).detectionXML } }

    // MARK: Unreadable packages (3)

    func testNotAZipIsBadInput() throws {
        let package = path("not-a-zip.intunewin")
        try write(String(repeating: "this is not a zip file\n", count: 40), to: package)
        try assertEveryReaderRejects(package, with: 3)
    }

    func testMissingPackageIsBadInput() throws {
        try assertEveryReaderRejects(path("no-such-file.intunewin"), with: 3)
    }

    /// One rule: a path that does not exist is exit 3 and "no such file or folder" or "No such file",
    /// whatever the command and whatever kind of path it expected (a folder, a log, a package, an MSI).
    func testAPathThatDoesNotExistIsTheSameErrorForEveryCommand() throws {
        let app = try makeApp()
        let missing = path("no-such-thing").path
        let runs: [(String, [String])] = [
            ("pack -c", ["pack", "-c", missing, "-s", "setup.exe", "-o", path("out").path]),
            ("pack -a", ["pack", "-c", app.path, "-s", "setup.exe", "-o", path("out").path, "-a", missing]),
            ("lint -c", ["lint", "-c", missing, "-s", "setup.exe"]),
            ("ime-log", ["ime-log", missing]),
            ("info", ["info", missing]),
            ("verify", ["verify", missing]),
            ("unpack", ["unpack", missing, "-o", path("unpacked").path]),
            ("msi", ["msi", missing]),
        ]
        for (name, arguments) in runs {
            let result = try tool(arguments)
            assertExit(result, 3, name)
            assertOneLineError(result, naming: "no-such-thing", name)
            XCTAssertTrue(result.err.lowercased().contains("no such file"), "\(name): \(result.summary)")
        }
        XCTAssertFalse(path("out").exists)
        XCTAssertFalse(path("unpacked").exists)
    }

    func testTruncatedCopiesNeverPassOrCrash() throws {
        let sample = Tool.sample("05")
        let bytes = sample.bytes
        let offsets = [0, 1, 22, 30, 100, 4096, bytes.count / 2, bytes.count - 1000, bytes.count - 100, bytes.count - 22, bytes.count - 1]
        for offset in offsets {
            let package = path("truncated-\(offset).intunewin")
            try bytes.prefix(offset).write(to: package)
            for command in Self.readingCommands {
                let result = try read(command, package)
                let context = "\(command) of a copy truncated at \(offset) of \(bytes.count)"
                assertNoCrash(result, context)
                XCTAssertTrue([1, 3].contains(result.status), "\(context): \(result.summary)")
                assertOneLineError(result, naming: package.lastPathComponent, context)
            }
            try FileManager.default.removeItem(at: package)
        }
    }

    func testMissingDetectionXMLIsBadInput() throws {
        let package = try rewrittenSample([detectionEntry: nil])
        XCTAssertEqual(try execute("zipinfo", ["-1", package.path]).out, "IntuneWinPackage/Contents/IntunePackage.intunewin\n")
        try assertEveryReaderRejects(package, with: 3)
    }

    func testMalformedDetectionXMLIsBadInput() throws {
        let broken = String(try sampleDetectionXML.prefix(200))
        let package = try rewrittenSample([detectionEntry: Data(broken.utf8)])
        try assertEveryReaderRejects(package, with: 3)
    }

    func testMalformedBareDetectionXMLIsBadInputForInfo() throws {
        let xml = path("Detection.xml")
        try write(String(try sampleDetectionXML.prefix(200)), to: xml)
        let result = try tool("info", xml.path)
        assertExit(result, 3)
        assertOneLineError(result, naming: xml.lastPathComponent)
    }

    func testTwelveByteInitializationVectorIsBadInput() throws {
        let parts = try PackageParts(Tool.sample("01"))
        let twelve = Data(repeating: 7, count: 12).base64EncodedString()
        let xml = parts.detectionXML.replacingOccurrences(of: parts["InitializationVector"], with: twelve)
        XCTAssertNotEqual(xml, parts.detectionXML)
        let package = try rewrittenSample([detectionEntry: Data(xml.utf8)])
        try assertEveryReaderRejects(package, with: 3)
    }

    // MARK: Tampered content (1)

    func testFlippedCiphertextBitFailsVerifyNamingTheHMAC() throws {
        let package = try flippedSample()
        let result = try tool("verify", package.path)
        assertExit(result, 1)
        XCTAssertTrue((result.out + result.err).lowercased().contains("hmac"), "the failed check should be named\n\(result.summary)")
        XCTAssertTrue(result.out.contains("FAIL"), result.summary)
        assertOneLineError(result, naming: package.lastPathComponent)
    }

    func testFlippedCiphertextBitFailsUnpackWithoutWritingAnything() throws {
        let package = try flippedSample()
        let output = path("unpacked")
        let result = try tool("unpack", package.path, "-o", output.path)
        assertNoCrash(result)
        XCTAssertNotEqual(result.status, 0, result.summary)
        XCTAssertFalse(output.exists, "unpack of a tampered package created \(output.path): \(listing(output))")
        assertNoPartials(in: scratch)
        assertOneLineError(result, naming: package.lastPathComponent)
    }

    func testDecryptWithAWrongKeyFailsAndWritesNothing() throws {
        let sample = Tool.sample("01")
        let parts = try PackageParts(sample)
        let bin = path("IntunePackage.intunewin")
        try parts.content(of: sample).write(to: bin)
        let wrongKey = Data(repeating: 1, count: 32).base64EncodedString()
        for output in [path("x.zip"), path("content")] {
            let result = try tool("decrypt", bin.path, "-o", output.path, "--key", wrongKey, "--iv", parts["InitializationVector"],
                                  "--mac-key", parts["MacKey"], "--digest", parts["FileDigest"])
            assertExit(result, 1, output.lastPathComponent)
            XCTAssertFalse(output.exists, "decrypt with a wrong key wrote \(output.path)")
            assertOneLineError(result, naming: bin.lastPathComponent)
        }
        XCTAssertEqual(listing(scratch), [bin.lastPathComponent], "leftovers")
    }

    func testDecryptWithAWrongMacKeyFailsAndWritesNothing() throws {
        let sample = Tool.sample("01")
        let parts = try PackageParts(sample)
        let bin = path("IntunePackage.intunewin")
        try parts.content(of: sample).write(to: bin)
        let output = path("x.zip")
        let result = try tool("decrypt", bin.path, "-o", output.path, "--key", parts["EncryptionKey"], "--iv", parts["InitializationVector"],
                              "--mac-key", Data(repeating: 2, count: 32).base64EncodedString())
        assertExit(result, 1)
        XCTAssertFalse(output.exists)
        assertOneLineError(result, naming: bin.lastPathComponent)
    }

    /// A package whose inner zip holds `name` besides setup.exe, built without our packer.
    private func packageWithEntry(_ name: String) throws -> URL {
        let inner = try pythonZip([("setup.exe", "MZ"), (name, "escaped")], scratch: scratch)
        let package = path("unsafe.intunewin")
        try wrapInnerZip(inner, setup: "setup.exe", into: package, scratch: scratch)
        return package
    }

    func testUnsafeEntryNamesAreRefusedByUnpackWithoutWritingAnything() throws {
        let outside = path("escaped.txt")
        for name in ["..\\escaped.txt", "../escaped.txt", "sub\\..\\..\\escaped.txt", outside.path, "C:\\escaped.txt"] {
            let package = try packageWithEntry(name)
            let output = path("deep/unpacked")
            let result = try tool("unpack", package.path, "-o", output.path)
            assertExit(result, 3, name)
            assertOneLineError(result, naming: name, name)
            XCTAssertFalse(output.exists, "\(name): output folder created")
            XCTAssertFalse(outside.exists, "\(name): a file was written outside the output folder")
            assertNoPartials(in: path("deep"))
        }
    }

    /// `unpack` calls such a package malformed (exit 3), so `verify` must not call it verified.
    func testUnsafeEntryNameFailsVerify() throws {
        let package = try packageWithEntry("..\\escaped.txt")
        let result = try tool("verify", package.path)
        assertNoCrash(result)
        XCTAssertTrue([1, 3].contains(result.status), "a package unpack refuses passed verify\n\(result.summary)")
    }

    /// An inner zip whose stored entry bytes no longer match their CRC-32, correctly encrypted and hashed.
    private func packageWithBadCRC() throws -> URL {
        var inner = try pythonZip([("setup.exe", "MZ installer bytes")], stored: true, scratch: scratch)
        let range = try XCTUnwrap(inner.range(of: Data("installer".utf8)))
        inner.replaceSubrange(range, with: Data("INSTALLER".utf8))
        let package = path("badcrc.intunewin")
        try wrapInnerZip(inner, setup: "setup.exe", into: package, scratch: scratch)
        return package
    }

    func testEntryCRCMismatchFailsVerifyNamingTheCheck() throws {
        let package = try packageWithBadCRC()
        let result = try tool("verify", package.path)
        assertExit(result, 1)
        XCTAssertTrue((result.out + result.err).lowercased().contains("crc"), result.summary)
        assertOneLineError(result, naming: package.lastPathComponent)
    }

    func testEntryCRCMismatchFailsUnpackWithoutWritingAnything() throws {
        let package = try packageWithBadCRC()
        let output = path("unpacked")
        let result = try tool("unpack", package.path, "-o", output.path)
        assertExit(result, 1)
        XCTAssertFalse(output.exists, "unpack left \(listing(output))")
        assertNoPartials(in: scratch)
        assertOneLineError(result, naming: "setup.exe")
    }

    // MARK: Usage errors (2)

    private func assertPackRejected(source: URL, setup: String, output: URL, naming subject: String,
                                    file: StaticString = #filePath, line: UInt = #line) throws {
        let before = try tree(source)
        let result = try tool("pack", "-c", source.path, "-s", setup, "-o", output.path)
        assertExit(result, 2, "pack -c \(source.path) -s \(setup) -o \(output.path)", file: file, line: line)
        assertOneLineError(result, naming: subject, file: file, line: line)
        XCTAssertFalse(output.exists, "output written anyway", file: file, line: line)
        XCTAssertEqual(try tree(source).keys.sorted(), before.keys.sorted(), "the source folder changed", file: file, line: line)
    }

    func testSetupFileAboveTheSourceIsAUsageError() throws {
        let src = try makeApp()
        try write("outside", to: path("x"))
        try assertPackRejected(source: src, setup: "../x", output: path("out"), naming: "x")
    }

    func testSetupFileElsewhereByAbsolutePathIsAUsageError() throws {
        let src = try makeApp()
        let elsewhere = path("elsewhere/setup.exe")
        try write("outside", to: elsewhere)
        try assertPackRejected(source: src, setup: elsewhere.path, output: path("out"), naming: "setup.exe")
    }

    func testSetupFileInASiblingFolderSharingThePrefixIsAUsageError() throws {
        let src = try makeApp("src")
        try makeApp("src2")
        try assertPackRejected(source: src, setup: path("src2/setup.exe").path, output: path("out"), naming: "setup.exe")
        try assertPackRejected(source: src, setup: "../src2/setup.exe", output: path("out"), naming: "setup.exe")
    }

    func testOutputInsideTheSourceIsAUsageError() throws {
        // Into the source folder itself (a folder inside it is left out of the package: WindowsPathArgumentTests).
        let src = try makeApp()
        try assertPackRejected(source: src, setup: "setup.exe", output: src.appending("app.intunewin"), naming: "app.intunewin")
        try assertPackRejected(source: src, setup: "setup.exe", output: src.appending("conf/../App.intunewin"), naming: "App.intunewin")
    }

    func testOutputInsideTheSourceThroughASymlinkIsAUsageError() throws {
        let src = try makeApp()
        let link = path("link-to-src")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: src)
        try assertPackRejected(source: src, setup: "setup.exe", output: link.appending("app.intunewin"), naming: "app.intunewin")
        XCTAssertEqual(listing(src), ["conf", "setup.exe"], "the package was written into the source folder")
    }

    func testUnknownOptionIsAUsageError() throws {
        let src = try makeApp()
        for arguments in [["pack", "-c", src.path, "-s", "setup.exe", "-o", path("out").path, "--bogus"],
                          ["info", "--bogus", Tool.sample("01").path],
                          ["-c", src.path, "-s", "setup.exe", "-o", path("out").path, "--bogus"]] {
            let result = try tool(arguments)
            assertExit(result, 2, arguments.joined(separator: " "))
            assertOneLineError(result, naming: "--bogus", arguments.joined(separator: " "))
        }
        XCTAssertFalse(path("out").exists)
    }
}
