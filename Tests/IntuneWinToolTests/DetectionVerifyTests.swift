import Foundation
import XCTest

/// `verify Detection.xml` (alone, with `--content-file`, and a .bin with Graph key JSON), magic numbers
/// before "an IME .bin", truncated content and packages, and verify's quiet and combined output.
final class DetectionVerifyTests: ToolTestCase {
    /// Sample 09 (an MSI package) split the way IME sees it: its Detection.xml and its content (.bin).
    private func split(_ prefix: String = "09") throws -> (xml: URL, bin: URL, parts: PackageParts) {
        let sample = Tool.sample(prefix)
        let parts = try PackageParts(sample)
        let xml = path("Detection.xml"), bin = path("content.bin")
        try write(parts.detectionXML, to: xml)
        try write(try parts.content(of: sample), to: bin)
        return (xml, bin, parts)
    }

    private func checks(_ result: RunResult) throws -> [String: (outcome: String, detail: String)] {
        let list = try XCTUnwrap(try result.jsonObject()["checks"] as? [[String: Any]], result.summary)
        var byName: [String: (String, String)] = [:]
        for check in list { byName[check["name"] as! String] = (check["outcome"] as! String, check["detail"] as! String) }
        return byName
    }

    private func assertMatchesSchema(_ result: RunResult, file: StaticString = #filePath, line: UInt = #line) throws {
        let instance = path("instance-\(UUID().uuidString).json")
        try result.stdout.write(to: instance)
        let schema = Tool.repoRoot.appending("docs/schemas/verify.schema.json")
        let checked = try python("""
            import json, sys, jsonschema
            jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))
            """, [schema.path, instance.path])
        assertExit(checked, 0, "verify --json against its schema", file: file, line: line)
    }

    func testDetectionXMLAloneIsCheckedAndContentNotChecked() throws {
        let (xml, _, _) = try split()
        let text = try tool("verify", xml.path)
        assertExit(text, 0)
        XCTAssertTrue(text.out.contains("content not checked"), text.summary)
        XCTAssertFalse(text.err.contains("not a zip"), text.summary)
        let json = try tool("verify", "--json", xml.path)
        assertExit(json, 0)
        let found = try checks(json)
        for name in ["detection-xml", "required-fields", "key-material", "profile", "sizes", "tool-version", "setup-path", "msi-info", "msi-consistency"] {
            XCTAssertEqual(found[name]?.outcome, "passed", "\(name): \(json.out)")
        }
        XCTAssertEqual(found["content"]?.outcome, "skipped", json.out)
        try assertMatchesSchema(json)
    }

    func testEveryMetadataDefectIsItsOwnFailedCheck() throws {
        let (xml, _, parts) = try split()
        var text = parts.detectionXML
        // MacKey cut to 31 bytes, a product code that is no GUID, a user install in the System context,
        // a SetupFile leaving the content, a ToolVersion that is no version.
        let shortKey = Data(repeating: 7, count: 31).base64EncodedString()
        text = text.replacingOccurrences(of: "<MacKey>\(parts["MacKey"])</MacKey>", with: "<MacKey>\(shortKey)</MacKey>")
        text = text.replacingOccurrences(of: parts["MsiProductCode"], with: "{not-a-guid}")
        text = text.replacingOccurrences(of: "<MsiIsUserInstall>false</MsiIsUserInstall>", with: "<MsiIsUserInstall>true</MsiIsUserInstall>")
        text = text.replacingOccurrences(of: "<SetupFile>AESetup.msi</SetupFile>", with: "<SetupFile>..\\AESetup.msi</SetupFile>")
        text = text.replacingOccurrences(of: "ToolVersion=\"1.8.5.0\"", with: "ToolVersion=\"latest\"")
        try write(text, to: xml)
        let result = try tool("verify", "--json", xml.path)
        assertExit(result, 1)
        let found = try checks(result)
        for name in ["key-material", "msi-info", "msi-consistency", "setup-path", "tool-version"] {
            XCTAssertEqual(found[name]?.outcome, "failed", "\(name): \(result.out)")
        }
        XCTAssertTrue(found["key-material"]!.detail.contains("<MacKey> is 31 bytes, expected 32"), result.out)
        XCTAssertEqual(found["profile"]?.outcome, "passed", result.out)
        XCTAssertFalse(result.out.contains(shortKey), "a key value is shown")
        XCTAssertFalse(result.out.contains(parts["EncryptionKey"]), "a key value is shown")
        try assertMatchesSchema(result)
    }

    func testDetectionXMLWithItsContentRunsThePackageContentChecks() throws {
        let (xml, bin, _) = try split()
        let result = try tool("verify", "--json", xml.path, "--content-file", bin.path)
        assertExit(result, 0)
        let found = try checks(result)
        for name in ["content-size", "header-mac", "header-iv", "padding", "hmac", "file-digest", "unencrypted-size", "inner-zip", "entry-names", "entry-crc", "setup-file", "content-root"] {
            XCTAssertEqual(found[name]?.outcome, "passed", "\(name): \(result.out)")
        }
        XCTAssertNil(found["content"], result.out)
        try assertMatchesSchema(result)

        // Another package's (smaller) content: its size says it is not this one.
        let other = try PackageParts(Tool.sample("01"))
        let wrong = path("other.bin")
        try write(try other.content(of: Tool.sample("01")), to: wrong)
        let mismatch = try tool("verify", "--json", xml.path, "--content-file", wrong.path)
        assertExit(mismatch, 1)
        XCTAssertEqual(try checks(mismatch)["content-size"]?.outcome, "failed", mismatch.out)

        // Content of the right size with one bit flipped: the HMAC says so, and the rest is still checked.
        var flipped = bin.bytes
        flipped[48 + 100] ^= 1
        let damaged = path("damaged.bin")
        try write(flipped, to: damaged)
        let corrupt = try tool("verify", "--json", xml.path, "--content-file", damaged.path)
        assertExit(corrupt, 1)
        let failed = try checks(corrupt)
        XCTAssertEqual(failed["content-size"]?.outcome, "passed", corrupt.out)
        XCTAssertEqual(failed["hmac"]?.outcome, "failed", corrupt.out)
    }

    func testGraphKeyJSONWithABinIsVerifiedAndATruncatedBinIsTruncated() throws {
        let sample = Tool.sample("09")
        let (_, bin, _) = try split()
        let graph = try tool("info", "--graph", sample.path)
        assertExit(graph, 0)
        let keys = path("graph.json")
        try graph.stdout.write(to: keys)
        let whole = try tool("verify", "--json", bin.path, "--encryption-info", keys.path)
        assertExit(whole, 0)
        XCTAssertEqual(try checks(whole)["hmac"]?.outcome, "passed", whole.out)

        let size = bin.bytes.count
        let short = path("short.bin")
        // Cut to whole AES blocks: without the size check it reads as content with a bad HMAC.
        try write(bin.bytes.prefix(48 + 16 * 1000), to: short)
        let cut = try tool("verify", "--json", short.path, "--encryption-info", keys.path)
        assertExit(cut, 1)
        XCTAssertEqual(try checks(cut)["content-size"]?.detail, "truncated (\(48 + 16 * 1000) of \(size) bytes)", cut.out)
        XCTAssertFalse(cut.out.contains("HMAC-SHA256 does not match"), cut.out)

        let decrypted = try tool("decrypt", short.path, "--encryption-info", keys.path, "-o", path("out.zip").path)
        assertExit(decrypted, 3)
        assertOneLineError(decrypted, naming: "truncated (\(48 + 16 * 1000) of \(size) bytes)")
        XCTAssertFalse(path("out.zip").exists)

        let fromXML = try tool("verify", path("Detection.xml").path, "--content-file", short.path)
        assertExit(fromXML, 1)
        XCTAssertTrue(fromXML.out.contains("truncated (\(48 + 16 * 1000) of \(size) bytes)"), fromXML.summary)
    }

    func testMagicNumbersComeBeforeCallingAFileAnIMEBin() throws {
        let (xml, _, _) = try split()
        // Sizes that are 48 + whole AES blocks: the old rule took both for encrypted content.
        var msi = Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
        msi.append(pseudoRandomBytes(48 + 16 * 200 - msi.count))
        // A PE file: MZ, and at 0x3C the offset of its "PE\0\0" header.
        var exe = Data(pseudoRandomBytes(48 + 16 * 200, seed: 3))
        exe.replaceSubrange(0..<2, with: Data("MZ".utf8))
        exe.replaceSubrange(0x3C..<0x40, with: Data([0x80, 0, 0, 0]))
        exe.replaceSubrange(0x80..<0x84, with: Data([0x50, 0x45, 0, 0]))
        for (name, bytes, says) in [("setup.msi", msi, "an MSI"), ("setup.exe", exe, "a Windows executable")] {
            let file = path(name)
            try write(bytes, to: file)
            for arguments in [["info", file.path], ["verify", file.path], ["list", file.path],
                              ["decrypt", file.path, "--encryption-info", xml.path, "-o", path("o-\(name).zip").path]] {
                let result = try tool(arguments)
                assertExit(result, 3, arguments.joined(separator: " "))
                assertOneLineError(result, naming: says, arguments.joined(separator: " "))
                XCTAssertFalse(result.err.contains("IME .bin:") || result.err.contains("looks like encrypted content"), result.summary)
            }
        }
    }

    func testATruncatedPackageIsTruncatedNotNotAZip() throws {
        let sample = Tool.sample("01")
        let cut = path("cut.intunewin")
        try write(sample.bytes.prefix(sample.bytes.count / 2), to: cut)
        for command in ["info", "list", "verify", "unpack"] {
            let arguments = command == "unpack" ? [command, cut.path, "-o", path("u").path] : [command, cut.path]
            let result = try tool(arguments)
            assertExit(result, 3, command)
            assertOneLineError(result, naming: "truncated (\(sample.bytes.count / 2)", command)
            XCTAssertFalse(result.err.contains("not a zip file"), result.summary)
        }
    }

    func testQuietVerifyPrintsOnlyFailuresAndTheSummary() throws {
        let sample = Tool.sample("01")
        let quiet = try tool("verify", "-q", sample.path)
        assertExit(quiet, 0)
        XCTAssertEqual(quiet.out.split(separator: "\n").count, 1, quiet.out)
        XCTAssertTrue(quiet.out.contains("verified"), quiet.out)
        let failed = try tool("verify", "-q", try flippedSample().path)
        assertExit(failed, 1)
        let lines = failed.out.split(separator: "\n")
        XCTAssertTrue(lines.dropLast().allSatisfy { $0.hasPrefix("FAIL") }, failed.out)
        XCTAssertTrue(lines.contains { $0.contains("hmac") }, failed.out)
    }

    func testErrorLineFollowsStdoutOnACombinedStream() throws {
        let flipped = try flippedSample()
        let result = try execute("/bin/sh", ["-c", "\"$0\" verify \"$1\" 2>&1", Tool.binary.path, flipped.path])
        assertExit(result, 1)
        let lines = result.out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let summary = try XCTUnwrap(lines.firstIndex { $0.contains(": FAILED ") }, result.out)
        let error = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("intunewin-tool: error: ") }, result.out)
        XCTAssertEqual(error, summary + 1, "the error line must follow the summary line, each on its own\n\(result.out)")
    }

    func testUnpackCountsOneFileInTheSingular() throws {
        let source = path("one")
        try write("MZ fake installer\n", to: source.appending("setup.exe"))
        try pack(source, to: path("out"))
        let result = try tool("unpack", path("out/setup.intunewin").path, "-o", path("x").path)
        assertExit(result, 0)
        XCTAssertTrue(result.out.contains("Extracted 1 file, 0 folders ("), result.out)
    }
}
