import Foundation
import XCTest

/// `info`, `list`, `verify` and `unpack` on every real package made by Microsoft's tool, checked against
/// Info-ZIP (Detection.xml) and the Python oracle + Python's zipfile (the decrypted inner zip).
final class SampleTests: ToolTestCase {
    /// Oracle decryptions are shared by the tests of this class (each costs two Python runs).
    nonisolated(unsafe) private static var innerCache: [URL: OracleInner] = [:]
    nonisolated(unsafe) private static var cacheFolder = FileManager.default.temporaryDirectory
        .appendingPathComponent("iwt-samples-\(UUID().uuidString)")

    override class func tearDown() {
        try? FileManager.default.removeItem(at: cacheFolder)
        super.tearDown()
    }

    private func inner(_ sample: URL) throws -> OracleInner {
        if let cached = Self.innerCache[sample] { return cached }
        let inner = try OracleInner(package: sample, scratch: Self.cacheFolder.appending(sample.deletingPathExtension().lastPathComponent))
        Self.innerCache[sample] = inner
        return inner
    }

    func testThereAreTenSamples() {
        XCTAssertEqual(Tool.samples.count, 10, "samples in \(Tool.samplesDirectory.path)")
    }

    func testInfoJSONReportsDetectionFieldsAndHidesKeys() throws {
        for sample in Tool.samples {
            let name = sample.lastPathComponent
            let parts = try PackageParts(sample)
            let result = try tool("info", "--json", sample.path)
            assertExit(result, 0, name)
            let info = try result.jsonObject()
            XCTAssertEqual(info["name"] as? String, parts["Name"], name)
            XCTAssertEqual(info["setupFile"] as? String, parts["SetupFile"], name)
            XCTAssertEqual((info["unencryptedContentSize"] as? NSNumber)?.stringValue, parts["UnencryptedContentSize"], name)
            let encryption = try XCTUnwrap(info["encryptionInfo"] as? [String: Any], name)
            XCTAssertEqual(encryption["fileDigest"] as? String, parts["FileDigest"], name)
            XCTAssertNil(encryption["encryptionKey"], "\(name): key shown without --show-keys")
            XCTAssertNil(encryption["macKey"], "\(name): MAC key shown without --show-keys")
            assertSecretsAbsent(result, parts, name)
        }
    }

    func testInfoJSONShowsKeysOnlyWithShowKeys() throws {
        for sample in Tool.samples {
            let name = sample.lastPathComponent
            let parts = try PackageParts(sample)
            let result = try tool("info", "--json", "--show-keys", sample.path)
            assertExit(result, 0, name)
            let encryption = try XCTUnwrap(try result.jsonObject()["encryptionInfo"] as? [String: Any], name)
            XCTAssertEqual(encryption["encryptionKey"] as? String, parts["EncryptionKey"], name)
            XCTAssertEqual(encryption["macKey"] as? String, parts["MacKey"], name)
        }
    }

    func testInfoTextNamesTheSetupFileAndHidesKeys() throws {
        for sample in Tool.samples {
            let name = sample.lastPathComponent
            let parts = try PackageParts(sample)
            let result = try tool("info", sample.path)
            assertExit(result, 0, name)
            XCTAssertTrue(result.out.contains(parts["SetupFile"]), "\(name): setup file missing\n\(result.out)")
            XCTAssertTrue(result.out.contains(parts["FileDigest"]), "\(name): digest missing\n\(result.out)")
            assertSecretsAbsent(result, parts, name)

            let shown = try tool("info", "--show-keys", sample.path)
            assertExit(shown, 0, name)
            XCTAssertTrue(shown.out.contains(parts["EncryptionKey"]), "\(name): --show-keys hides the key\n\(shown.out)")
            XCTAssertTrue(shown.out.contains(parts["MacKey"]), "\(name): --show-keys hides the MAC key\n\(shown.out)")
        }
    }

    func testInfoReadsABareDetectionXML() throws {
        let sample = Tool.sample("09")
        let parts = try PackageParts(sample)
        let xml = path("Detection.xml")
        try write(parts.detectionXML, to: xml)
        let result = try tool("info", "--json", xml.path)
        assertExit(result, 0)
        let info = try result.jsonObject()
        XCTAssertEqual(info["setupFile"] as? String, parts["SetupFile"])
        XCTAssertNotNil(info["msi"], "sample 09 is an MSI: MsiInfo expected\n\(result.out)")
        assertSecretsAbsent(result, parts, "Detection.xml")
    }

    func testListJSONAgreesWithPythonZipfile() throws {
        for sample in Tool.samples {
            let name = sample.lastPathComponent
            let expected = try inner(sample)
            let result = try tool("list", "--json", sample.path)
            assertExit(result, 0, name)
            let entries = try XCTUnwrap(try result.json() as? [[String: Any]], name)
            XCTAssertEqual(entries.count, expected.names.count, name)
            XCTAssertEqual(entries.compactMap { $0["path"] as? String }, expected.names, name)
            for entry in entries {
                guard let path = entry["path"] as? String, let bytes = expected.files[path] else { continue }
                XCTAssertEqual((entry["size"] as? NSNumber)?.intValue, bytes.count, "\(name): \(path)")
            }
        }
    }

    func testVerifyPassesEverySample() throws {
        for sample in Tool.samples {
            let result = try tool("verify", sample.path)
            assertExit(result, 0, sample.lastPathComponent)
            XCTAssertTrue(result.out.contains("verified"), "\(sample.lastPathComponent)\n\(result.out)")
            XCTAssertEqual(result.err, "", sample.lastPathComponent)
        }
    }

    func testUnpackWritesTheBytesPythonZipfileExtracts() throws {
        for sample in Tool.samples {
            let name = sample.lastPathComponent
            let expected = try inner(sample)
            let output = path("unpacked-\(name)")
            let result = try tool("unpack", sample.path, "-o", output.path)
            assertExit(result, 0, name)
            assertSameFiles(try files(output), expected.files, name)
            XCTAssertEqual(listing(scratch).filter { $0.contains("partial") }, [], "\(name): leftovers beside the output")
        }
    }

    /// Neither key may appear anywhere in what the tool printed.
    private func assertSecretsAbsent(_ result: RunResult, _ parts: PackageParts, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        for secret in ["EncryptionKey", "MacKey"] {
            XCTAssertFalse(parts[secret].isEmpty, "\(name): Detection.xml has no \(secret)", file: file, line: line)
            XCTAssertFalse(result.out.contains(parts[secret]) || result.err.contains(parts[secret]),
                           "\(name): \(secret) printed without --show-keys", file: file, line: line)
        }
    }
}
