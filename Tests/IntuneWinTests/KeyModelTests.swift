import Foundation
import XCTest
@testable import IntuneWin

/// The key model: sizes checked by throwing initialisers (no wrong-sized key reaches the cipher), base64
/// values parsed in one place, one resolver for every format, and one pre-decrypt check.
final class KeyModelTests: XCTestCase {
    private let sample = TestSupport.sample("01")
    private var folder: String!

    override func setUpWithError() throws { folder = try makeTemporaryFolder() }

    private func b64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    private func write(_ name: String, _ text: String) throws -> String {
        let path = folder + "/" + name
        try TestSupport.writeFile(path, Array(text.utf8))
        return path
    }

    /// Sample 01's content as IME downloads it.
    private func bin() throws -> String {
        let path = folder + "/app_1.bin"
        try TestSupport.writeFile(path, try TestSupport.run("unzip", ["-p", sample, "IntuneWinPackage/Contents/IntunePackage.intunewin"]).stdout)
        return path
    }

    func testWrongSizesAreUsageErrorsNamingTheSource() throws {
        let short = SecretBytes(TestSupport.noise(31)), key = SecretBytes(TestSupport.noise(32))
        var error = assertThrows(.usage) { try ContentKeys(encryptionKey: short, source: "keys.txt") }
        XCTAssertEqual(error?.path, "keys.txt")
        XCTAssertEqual(error?.reason, "EncryptionKey is 31 bytes, expected 32")
        error = assertThrows(.usage) { try ContentKeys(encryptionKey: key, initializationVector: TestSupport.noise(15)) }
        XCTAssertEqual(error?.reason, "InitializationVector is 15 bytes, expected 16")
        assertThrows(.usage) { try ContentKeys(encryptionKey: key, macKey: short) }
        assertThrows(.usage) { try ContentKeys(encryptionKey: key, fileDigest: [1, 2, 3]) }
        assertThrows(.usage) { try EncryptionKeys(encryptionKey: key, macKey: key, initializationVector: TestSupport.noise(17)) }
        assertThrows(.usage) { try EncryptionKeys(encryptionKey: short, macKey: key, initializationVector: TestSupport.noise(16)) }
        XCTAssertNoThrow(try EncryptionKeys(encryptionKey: key, macKey: key, initializationVector: TestSupport.noise(16)))

        // A hand-built Detection.xml block with a short key is refused where keys are taken from it.
        var detection = try IntuneWinPackage(path: sample).detection
        detection.encryptionInfo.encryptionKey = short
        assertThrows(.usage) { try KeyMaterial(detection, source: "edited.xml") }
        assertThrows(.usage) { try EncryptionKeys(detection.encryptionInfo) }
        // Nor can a short key given straight to the content reach the cipher.
        let content = try EncryptedContent(source: try FileRegion(path: try bin()))
        assertThrows(.usage) { try content.decrypted(key: short) }
    }

    func testBase64ValuesAreParsedOnceWithTheCallersNames() throws {
        let key = TestSupport.noise(32, seed: 1), iv = TestSupport.noise(16, seed: 2), macKey = TestSupport.noise(32, seed: 3)
        let keys = try ContentKeys(base64: " " + b64(key) + "\n", initializationVector: b64(iv), macKey: b64(macKey), mac: b64(key),
                                   fileDigest: b64(macKey))
        XCTAssertEqual(keys.encryptionKey, SecretBytes(key))
        XCTAssertEqual(keys.initializationVector, iv)
        XCTAssertEqual(keys.macKey, SecretBytes(macKey))
        XCTAssertEqual(keys.mac, key)
        XCTAssertEqual(keys.fileDigest, macKey)

        let names: [KeyField: String] = [.encryptionKey: "--key", .initializationVector: "--iv", .macKey: "--mac-key"]
        let name = { (field: KeyField) in names[field] ?? field.rawValue }
        var error = assertThrows(.usage) { try ContentKeys(base64: b64(Array(key.prefix(31))), source: name) }
        XCTAssertEqual(error?.description, "--key: EncryptionKey is 31 bytes, expected 32")
        error = assertThrows(.usage) { try ContentKeys(base64: b64(key), initializationVector: "not*base64", source: name) }
        XCTAssertEqual(error?.description, "--iv: InitializationVector is not valid base64")
        error = assertThrows(.usage) { try ContentKeys(base64: b64(key), macKey: b64(iv), source: name) }
        XCTAssertEqual(error?.path, "--mac-key")
        XCTAssertFalse(error?.description.contains(b64(iv)) ?? true, "the value is shown")
        error = assertThrows(.usage) { try ContentKeys(base64: b64(key), mac: b64(iv)) }
        XCTAssertEqual(error?.description, "Mac is 16 bytes, expected 32")
    }

    func testShortKeyInJSONIsAnErrorNotACrash() throws {
        let bin = try bin()
        let json = try write("short.json", "{\"EncryptionKey\": \"\(b64(TestSupport.noise(31)))\"}")
        let error = assertThrows(.badInput) { try KeySource.file(json).resolve().open(bin, output: .zipFile(self.folder + "/x.zip"), overwrite: false) }
        XCTAssertEqual(error?.path, json)
        XCTAssertTrue(error?.reason.contains("EncryptionKey is 31 bytes, expected 32") ?? false, "\(String(describing: error))")
    }

    func testOneResolverGivesPackingKeysFromEveryFormat() throws {
        let package = try IntuneWinPackage(path: sample)
        let e = package.detection.encryptionInfo
        let graph = try write("graph.json", """
            {"fileEncryptionInfo": {"encryptionKey": "\(e.encryptionKey.revealedBase64())", "macKey": "\(e.macKey.revealedBase64())",
             "initializationVector": "\(b64(e.initializationVector))", "profileIdentifier": "ProfileVersion1"}}
            """)
        let decryptInfo = try write("decryptinfo.json", """
            {"EncryptionKey": "\(e.encryptionKey.revealedBase64())", "MacKey": "\(e.macKey.revealedBase64())", "IV": "\(b64(e.initializationVector))"}
            """)
        for path in [sample, graph, decryptInfo] {
            let keys = try KeySource.file(path).encryptionKeys()
            XCTAssertEqual(keys.encryptionKey, e.encryptionKey, path)
            XCTAssertEqual(keys.macKey, e.macKey, path)
            XCTAssertEqual(keys.initializationVector, e.initializationVector, path)
        }
        let keyOnly = try write("keyonly.json", "{\"EncryptionKey\": \"\(e.encryptionKey.revealedBase64())\", \"IV\": \"\(b64(e.initializationVector))\"}")
        let error = assertThrows(.usage) { try KeySource.file(keyOnly).encryptionKeys() }
        XCTAssertEqual(error?.path, keyOnly)
        XCTAssertTrue(error?.reason.hasPrefix("has no MacKey:") ?? false, "\(String(describing: error))")
        let plain = try write("plain.json", "{\"ProfileIdentifier\": \"NoEncryption\"}")
        assertThrows(.usage) { try KeySource.file(plain).encryptionKeys() }
        assertThrows(.usage) { try KeySource.file(plain).contentKeys() }
        XCTAssertEqual(KeySource.file(graph).origin, graph)
        XCTAssertEqual(KeySource.decryptInfo("a.log", deviceKey: "k.pfx", password: nil).origin, "a.log, opened with k.pfx")
        XCTAssertNil(KeySource.keys(try ContentKeys(encryptionKey: e.encryptionKey)).origin)
    }

    /// Decrypting and comparing run the same check: the same reasons, in the same order; `Differ` only
    /// reports them as unreadable input (for it, "check failed" would read as "different").
    func testOnePreDecryptCheckForDecryptAndDiff() throws {
        let bin = try bin()
        let e = try IntuneWinPackage(path: sample).detection.encryptionInfo
        let content = try EncryptedContent(source: try FileRegion(path: bin))
        let cases: [(ContentKeys, String)] = [
            (try ContentKeys(encryptionKey: e.encryptionKey, initializationVector: TestSupport.noise(16)), "the IV stored in the file differs"),
            (try ContentKeys(encryptionKey: e.encryptionKey, mac: TestSupport.noise(32)), "the MAC stored in the file differs"),
            (try ContentKeys(encryptionKey: e.encryptionKey, macKey: SecretBytes(TestSupport.noise(32))), "HMAC-SHA256 does not match"),
            (try ContentKeys(encryptionKey: e.encryptionKey, plainSize: 5), "differs from the expected 5"),
        ]
        for (keys, reason) in cases {
            let viaCheck = assertThrows(.checkFailed) { try keys.open(content, authenticate: true) }
            XCTAssertTrue(viaCheck?.reason.contains(reason) ?? false, "\(String(describing: viaCheck))")
            let viaDecrypt = assertThrows(.checkFailed) {
                try Decryptor.decrypt(content, keys: keys, output: .zipFile(self.folder + "/x.zip"), overwrite: false)
            }
            XCTAssertEqual(viaDecrypt?.reason, viaCheck?.reason)
            let viaDiff = assertThrows(.badInput) { try Differ.diff(.bin(bin, keys), .package(self.sample)) }
            XCTAssertEqual(viaDiff?.reason, viaCheck?.reason)
            XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/x.zip"))
        }
        let (_, checked) = try ContentKeys(try IntuneWinPackage(path: sample).detection).open(content, authenticate: true)
        XCTAssertEqual(checked, ["iv", "mac", "hmac", "padding", "size"])
    }

    func testScrubbingClearsTheCallersCopy() throws {
        var bytes = TestSupport.noise(32, seed: 9)
        let copy = bytes
        let secret = SecretBytes(scrubbing: &bytes)
        XCTAssertEqual(bytes, [UInt8](repeating: 0, count: 32))
        XCTAssertEqual(secret, SecretBytes(copy))
        var other = TestSupport.noise(8)
        SecretBytes.scrub(&other)
        XCTAssertEqual(other, [UInt8](repeating: 0, count: 8))
    }
}
