import Foundation
import XCTest

/// One key resolver for every command: `pack --encryption-info` takes every format `decrypt
/// --encryption-info` takes, `decrypt` of a whole package uses its own Detection.xml, and a key of the
/// wrong size is a one-line error from every source, never a crash.
final class KeySourceCommandTests: ToolTestCase {
    private var sample: URL { Tool.sample("01") }
    private let plainZip = Tool.samplesDirectory.appending("01_vs_sample_inner_plain.zip")

    /// Graph's fileEncryptionInfo JSON for sample 01, nested as Graph returns it; `drop` leaves fields out.
    private func graphJSON(_ parts: PackageParts, drop: Set<String> = [], key: String? = nil) -> String {
        let fields: [(String, String)] = [
            ("encryptionKey", key ?? parts["EncryptionKey"]), ("macKey", parts["MacKey"]),
            ("initializationVector", parts["InitializationVector"]), ("mac", parts["Mac"]),
            ("profileIdentifier", "ProfileVersion1"), ("fileDigest", parts["FileDigest"]), ("fileDigestAlgorithm", "SHA256"),
        ]
        let body = fields.filter { !drop.contains($0.0) }.map { "\"\($0.0)\": \"\($0.1)\"" }.joined(separator: ", ")
        return "{\"value\": [{\"name\": \"content\", \"fileEncryptionInfo\": {\(body)}}]}"
    }

    /// A base64 text of `count` bytes that is not any real key.
    private func base64(_ count: Int) -> String { pseudoRandomBytes(count, seed: UInt64(count)).base64EncodedString() }

    func testPackTakesGraphAndDecryptInfoJSONLikeDecrypt() throws {
        let parts = try PackageParts(sample)
        let source = try makeApp()
        let graph = path("graph.json"), decryptInfo = path("decryptinfo.json")
        try write(graphJSON(parts), to: graph)
        try write("{\"EncryptionKey\":\"\(parts["EncryptionKey"])\",\"MacKey\":\"\(parts["MacKey"])\",\"IV\":\"\(parts["InitializationVector"])\"}",
                  to: decryptInfo)
        var packages: [URL] = []
        for keys in [graph, decryptInfo, sample] {
            let output = path("\(keys.lastPathComponent)-out/app.intunewin")
            let result = try pack(source, to: output, ["--encryption-info", keys.path])
            XCTAssertTrue(result.err.contains("for testing only"), result.summary)
            let packed = try PackageParts(output)
            for field in ["EncryptionKey", "MacKey", "InitializationVector"] {
                XCTAssertEqual(packed[field], parts[field], "\(keys.lastPathComponent): \(field) not reused")
            }
            packages.append(output)
        }
        // The same keys and content give the same encrypted content, whichever format carried the keys.
        let contents = try packages.map { try PackageParts.content(of: $0, fileName: "IntunePackage.intunewin") }
        XCTAssertEqual(Set(contents).count, 1)
        // It opens with the DecryptInfo JSON it was packed from; the Graph JSON's MAC is the sample's, not this content's.
        let opened = try tool("decrypt", packages[0].path, "-o", path("check.zip").path, "--encryption-info", decryptInfo.path)
        assertExit(opened, 0)
        let refused = try tool("decrypt", packages[0].path, "-o", path("refused.zip").path, "--encryption-info", graph.path)
        assertExit(refused, 1)
        XCTAssertTrue(refused.err.contains("the MAC stored in the file differs"), refused.summary)
    }

    func testPackRefusesKeyMaterialItCannotEncryptWith() throws {
        let parts = try PackageParts(sample)
        let source = try makeApp()
        let noMacKey = path("nomackey.json"), plain = path("plain.json"), short = path("short.json")
        try write(graphJSON(parts, drop: ["macKey", "initializationVector"]), to: noMacKey)
        try write("{\"ProfileIdentifier\": \"NoEncryption\"}", to: plain)
        try write(graphJSON(parts, key: base64(31)), to: short)
        for (file, code, needle) in [(noMacKey, Int32(2), "MacKey and InitializationVector"), (plain, 2, "NoEncryption"),
                                     (short, 3, "encryptionKey is 31 bytes, expected 32")] {
            let output = path("\(file.lastPathComponent).intunewin")
            let result = try tool("pack", "-c", source.path, "-s", "setup.exe", "-o", output.path, "--encryption-info", file.path)
            assertExit(result, code, file.lastPathComponent)
            assertOneLineError(result, naming: file.lastPathComponent)
            XCTAssertTrue(result.err.contains(needle), result.summary)
            XCTAssertFalse(result.err.contains(parts["EncryptionKey"]), result.summary)
            XCTAssertFalse(output.exists, "\(file.lastPathComponent): a package was written")
        }
    }

    func testDecryptOfAWholePackageUsesItsOwnDetectionXML() throws {
        let out = path("inner.zip")
        let result = try tool("decrypt", sample.path, "-o", out.path, "--json")
        assertExit(result, 0)
        XCTAssertTrue(out.bytes == plainZip.bytes, "not Microsoft's inner zip")
        let object = try result.jsonObject()
        XCTAssertEqual(object["keySource"] as? String, sample.path)
        XCTAssertEqual(object["notChecked"] as? [String], [], "the package's Detection.xml allows every check")
        XCTAssertTrue((object["checked"] as? [String] ?? []).contains("hmac"), result.summary)

        // A bare .bin carries no keys: still a usage error that says what to give.
        let bin = path("app_1.bin")
        try PackageParts(sample).content(of: sample).write(to: bin)
        let bare = try tool("decrypt", bin.path, "-o", path("bare.zip").path)
        assertExit(bare, 2)
        XCTAssertTrue(bare.err.contains("--key") && bare.err.contains("--encryption-info"), bare.summary)
        XCTAssertFalse(path("bare.zip").exists)
    }

    func testWrongSizedKeysAreErrorsFromEverySource() throws {
        let parts = try PackageParts(sample)
        let bin = path("app_1.bin")
        try parts.content(of: sample).write(to: bin)
        let out = path("x.zip")
        let viaOption = try tool("decrypt", bin.path, "-o", out.path, "--key", base64(31))
        assertExit(viaOption, 2)
        assertNoCrash(viaOption)
        assertOneLineError(viaOption, naming: "--key")
        XCTAssertTrue(viaOption.err.contains("EncryptionKey is 31 bytes, expected 32"), viaOption.summary)

        let badIV = try tool("decrypt", bin.path, "-o", out.path, "--key", parts["EncryptionKey"], "--iv", base64(15))
        assertExit(badIV, 2)
        assertOneLineError(badIV, naming: "--iv")
        XCTAssertFalse(badIV.err.contains(parts["EncryptionKey"]), badIV.summary)

        let notBase64 = try tool("decrypt", bin.path, "-o", out.path, "--key", "not*base64")
        assertExit(notBase64, 2)
        assertOneLineError(notBase64, naming: "--key")

        let json = path("short.json")
        try write(graphJSON(parts, key: base64(31)), to: json)
        let viaJSON = try tool("decrypt", bin.path, "-o", out.path, "--encryption-info", json.path)
        assertExit(viaJSON, 3)
        assertNoCrash(viaJSON)
        assertOneLineError(viaJSON, naming: "short.json")

        let viaDiff = try tool("diff", bin.path, sample.path, "--key-a", base64(31))
        assertExit(viaDiff, 2)
        assertOneLineError(viaDiff, naming: "--key-a")
        XCTAssertFalse(out.exists)
    }
}
