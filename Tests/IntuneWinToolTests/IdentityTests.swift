import Foundation
import XCTest

/// Repacking what we unpacked from Microsoft's packages, with their keys, must give Microsoft's bytes.
final class IdentityTests: ToolTestCase {
    /// Made by tool 1.7 or later: deflate level 1, the layout we write.
    static let modernSamples = ["01", "04", "05", "06", "07", "08", "09", "10"]
    /// Made by tool 1.6 (WindowsBase inner zip, deflate level 6): not reproducible, only readable.
    static let legacySamples = ["02", "03"]

    /// DOS times in the inner zip are local time: unpack and pack in the same zone so they round-trip.
    private let utc = ["TZ": "UTC"]

    func testRepackingModernSamplesWithTheirKeysGivesMicrosoftsContentBytes() throws {
        for id in Self.modernSamples {
            let sample = Tool.sample(id)
            let name = sample.lastPathComponent
            let unpacked = path("\(id)/unpacked")
            let ours = path("\(id)/out.intunewin")
            assertExit(try tool("unpack", sample.path, "-o", unpacked.path, environment: utc), 0, "unpack \(name)")
            let info = try tool("info", "--json", sample.path).jsonObject()
            let setup = try XCTUnwrap(info["setupFile"] as? String, name)

            let packed = try tool(["pack", "-c", unpacked.path, "-s", setup, "-o", ours.path, "--encryption-info", sample.path, "--exact"],
                                  environment: utc)
            assertExit(packed, 0, "pack \(name)")
            XCTAssertTrue(packed.err.contains("testing only"), "\(name): reusing keys must warn\n\(packed.summary)")

            let theirs = try PackageParts(sample).content(of: sample)
            let mine = try PackageParts(ours).content(of: ours)
            XCTAssertFalse(theirs.isEmpty, name)
            XCTAssertEqual(mine.count, theirs.count, "\(name): encrypted content size")
            XCTAssertTrue(mine == theirs, "\(name): encrypted content differs from Microsoft's")

            let ourInfo = try tool("info", "--json", ours.path).jsonObject()
            XCTAssertNotNil(number(info["unencryptedContentSize"]), name)
            XCTAssertEqual(number(ourInfo["unencryptedContentSize"]), number(info["unencryptedContentSize"]), name)
            XCTAssertNotNil((info["encryptionInfo"] as? [String: Any])?["fileDigest"], name)
            XCTAssertEqual((ourInfo["encryptionInfo"] as? [String: Any])?["fileDigest"] as? String,
                           (info["encryptionInfo"] as? [String: Any])?["fileDigest"] as? String, "\(name): FileDigest")
            XCTAssertEqual(ourInfo["toolVersion"] as? String, "1.8.7.0", name)
        }
    }

    func testLegacySamplesStillVerifyAndRepackIntoAValidPackage() throws {
        for id in Self.legacySamples {
            let sample = Tool.sample(id)
            let name = sample.lastPathComponent
            assertExit(try tool("verify", sample.path), 0, name)
            let unpacked = path("\(id)/unpacked")
            let ours = path("\(id)/out.intunewin")
            assertExit(try tool("unpack", sample.path, "-o", unpacked.path, environment: utc), 0, "unpack \(name)")
            let setup = try XCTUnwrap(try tool("info", "--json", sample.path).jsonObject()["setupFile"] as? String, name)
            try pack(unpacked, setup: setup, to: ours, ["--encryption-info", sample.path], environment: utc)
            assertExit(try tool("verify", ours.path, "--source", unpacked.path), 0, "verify repacked \(name)")
        }
    }
}

/// `decrypt` of the content a device downloads.
final class DecryptTests: ToolTestCase {
    private var sample: URL { Tool.sample("01") }
    private let expectedPlainZip = Tool.samplesDirectory.appending("01_vs_sample_inner_plain.zip")

    private func extractContent() throws -> (bin: URL, parts: PackageParts) {
        let parts = try PackageParts(sample)
        let bin = path("IntunePackage.intunewin")
        try parts.content(of: sample).write(to: bin)
        return (bin, parts)
    }

    func testDecryptWithAllKeyMaterialGivesMicrosoftsPlainZip() throws {
        let (bin, parts) = try extractContent()
        let out = path("x.zip")
        let result = try tool("decrypt", bin.path, "-o", out.path, "--key", parts["EncryptionKey"], "--iv", parts["InitializationVector"],
                              "--mac-key", parts["MacKey"], "--digest", parts["FileDigest"])
        assertExit(result, 0)
        XCTAssertFalse(result.err.contains("not verified"), result.summary)
        XCTAssertEqual(out.bytes.count, expectedPlainZip.bytes.count)
        XCTAssertTrue(out.bytes == expectedPlainZip.bytes, "decrypted zip differs from 01_vs_sample_inner_plain.zip")
    }

    func testDecryptWithoutMacKeyOrDigestSaysIntegrityIsNotVerified() throws {
        let (bin, parts) = try extractContent()
        let out = path("x.zip")
        let result = try tool("decrypt", bin.path, "-o", out.path, "--key", parts["EncryptionKey"], "--iv", parts["InitializationVector"])
        assertExit(result, 0)
        XCTAssertTrue(result.err.contains("integrity not verified"), result.summary)
        XCTAssertTrue(out.bytes == expectedPlainZip.bytes, "decrypted zip differs from 01_vs_sample_inner_plain.zip")
    }

    func testDecryptWithEncryptionInfoExtractsIntoAFolder() throws {
        let (bin, _) = try extractContent()
        let out = path("content")
        let result = try tool("decrypt", bin.path, "-o", out.path, "--encryption-info", sample.path)
        assertExit(result, 0)
        XCTAssertFalse(result.err.contains("not verified"), "the package gives the MAC key and digest\n\(result.summary)")
        let expected = try OracleInner(package: sample, scratch: path("oracle"))
        assertSameFiles(try files(out), expected.files)
    }
}
