import Foundation
import XCTest
@testable import IntuneWin

/// `KeyMaterial`: every key source a user may have for an IME `.bin` (Detection.xml, the package,
/// Graph's fileEncryptionInfo JSON, IME's decrypted DecryptInfo JSON, `NoEncryption`), each opening
/// sample 01's content into Microsoft's plain inner zip with every check its fields allow.
final class KeySourceTests: XCTestCase {
    private let sample = TestSupport.sample("01")
    private let plainZip = TestSupport.samples + "/01_vs_sample_inner_plain.zip"
    private var folder: String!
    private var bin: String!
    private var info: EncryptionInfo!

    override func setUpWithError() throws {
        folder = try makeTemporaryFolder()
        bin = folder + "/app_1.bin"
        try TestSupport.writeFile(bin, try TestSupport.run("unzip", ["-p", sample, "IntuneWinPackage/Contents/IntunePackage.intunewin"]).stdout)
        info = try IntuneWinPackage(path: sample).detection.encryptionInfo
    }

    private func b64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    /// Every secret of sample 01 as base64: none may appear in an error.
    private var secrets: [String] { [info.encryptionKey.revealedBase64(), info.macKey.revealedBase64()] }

    private func write(_ name: String, _ text: String) throws -> String {
        let path = folder + "/" + name
        try TestSupport.writeFile(path, Array(text.utf8))
        return path
    }

    /// Opens the sample's content with `material` into a zip and checks it is Microsoft's inner zip.
    @discardableResult
    private func assertOpens(_ material: KeyMaterial, input: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> DecryptResult {
        let out = folder + "/out-\(UUID().uuidString.prefix(6)).zip"
        let result = try material.open(input ?? bin, output: .zipFile(out), overwrite: false)
        XCTAssertEqual(try TestSupport.readFile(out), try TestSupport.readFile(plainZip), file: file, line: line)
        return result
    }

    // MARK: Sources

    func testDetectionXMLAndPackageGiveEveryCheck() throws {
        let xml = folder + "/Detection.xml"
        try TestSupport.writeFile(xml, try TestSupport.run("unzip", ["-p", sample, "IntuneWinPackage/Metadata/Detection.xml"]).stdout)
        for path in [xml, sample] {
            let keys = try KeyMaterial.load(path)
            XCTAssertEqual(keys.encryptionKey, info.encryptionKey)
            let result = try assertOpens(try KeyMaterial.read(path))
            XCTAssertEqual(Set(result.checked), ["iv", "mac", "padding", "size", "hmac", "file-digest"], path)
            XCTAssertEqual(result.notChecked, [])
        }
        // The whole package as input works too: its content entry is used in place.
        try assertOpens(try KeyMaterial.read(xml), input: sample)
    }

    func testGraphFileEncryptionInfoTopLevelOrNested() throws {
        let fields = """
            "@odata.type": "#microsoft.graph.fileEncryptionInfo", "encryptionKey": "\(info.encryptionKey.revealedBase64())",
            "initializationVector": "\(b64(info.initializationVector))", "mac": "\(b64(info.mac))",
            "macKey": "\(info.macKey.revealedBase64())", "profileIdentifier": "ProfileVersion1",
            "fileDigest": "\(b64(info.fileDigest))", "fileDigestAlgorithm": "SHA256"
            """
        let top = try write("graph.json", "{\(fields)}")
        let nested = try write("content-file.json", """
            {"@odata.context": "https://graph.microsoft.com/beta/$metadata#x", "value": [{"id": "1", "name": "IntunePackage.intunewin",
             "size": 3078, "isCommitted": true, "fileEncryptionInfo": {\(fields)}}]}
            """)
        for path in [top, nested] {
            let result = try assertOpens(try KeyMaterial.read(path))
            XCTAssertEqual(Set(result.checked), ["iv", "mac", "padding", "hmac", "file-digest"], path)
            XCTAssertEqual(result.notChecked, [], path)
        }
    }

    func testDecryptedDecryptInfoJSONAnyCaseAndEncoding() throws {
        let full = """
            {"EncryptionKey":"\(info.encryptionKey.revealedBase64())","MacKey":"\(info.macKey.revealedBase64())","IV":"\(b64(info.initializationVector))",
             "Mac":"\(b64(info.mac))","ProfileIdentifier":"ProfileVersion1","FileDigest":"\(b64(info.fileDigest))","FileDigestAlgorithm":"SHA256"}
            """
        let result = try assertOpens(try KeyMaterial.read(try write("decryptinfo.json", full)))
        XCTAssertEqual(result.notChecked, [])

        // What PowerShell 5.1's Out-File writes: UTF-16LE with a BOM, and any letter case.
        let utf16 = folder + "/decryptinfo-utf16.json"
        let lower = full.replacingOccurrences(of: "\"EncryptionKey\"", with: "\"encryptionkey\"").replacingOccurrences(of: "\"IV\"", with: "\"iv\"")
        try TestSupport.writeFile(utf16, [0xFF, 0xFE] + lower.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        try assertOpens(try KeyMaterial.read(utf16))

        // Only what every public tool reads: the content is decrypted, and what was not checked is said.
        let minimal = try write("minimal.json", """
            {"EncryptionKey": "\(info.encryptionKey.revealedBase64())", "InitializationVector": "\(b64(info.initializationVector))", "MacKey": null}
            """)
        let partial = try assertOpens(try KeyMaterial.read(minimal))
        XCTAssertEqual(partial.checked, ["iv", "padding"])
        XCTAssertEqual(partial.notChecked, ["hmac (no MAC key given)", "file-digest (no digest given)"])
    }

    func testNoEncryptionCopiesOrExtractsThePlainZipAndSaysSo() throws {
        let digest = SHA256.hash(try TestSupport.readFile(plainZip))
        let path = try write("plain.json", "{\"ProfileIdentifier\": \"NoEncryption\", \"FileDigest\": \"\(b64(digest))\", \"EncryptionKey\": \"\"}")
        let material = try KeyMaterial.read(path)
        XCTAssertTrue(material.isPlain)
        let result = try assertOpens(material, input: plainZip)
        XCTAssertEqual(result.checked, ["file-digest"])
        XCTAssertEqual(result.notChecked, [PlainContent.notEncryptedNote])

        let extracted = try material.open(plainZip, output: .folder(folder + "/extracted"), overwrite: false)
        XCTAssertEqual(extracted.checked, ["file-digest", "entry-crc"])
        XCTAssertGreaterThan(extracted.extracted?.files ?? 0, 0)

        // A digest that does not match: nothing written.
        let wrong = try write("plain-wrong.json", "{\"profileIdentifier\": \"noencryption\", \"fileDigest\": \"\(b64([UInt8](repeating: 7, count: 32)))\"}")
        assertThrows(.checkFailed) { try KeyMaterial.read(wrong).open(self.plainZip, output: .zipFile(self.folder + "/no.zip"), overwrite: false) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/no.zip"))

        // There is no key to load.
        let error = assertThrows(.usage) { try KeyMaterial.load(path) }
        XCTAssertTrue(error?.description.contains("NoEncryption") ?? false)
    }

    // MARK: Errors

    func testBadFieldsNameTheFileAndFieldNeverTheValue() throws {
        let key = info.encryptionKey.revealedBase64()
        let cases: [(String, String)] = [
            ("{\"IV\": \"\(b64(info.initializationVector))\", \"MacKey\": \"\(info.macKey.revealedBase64())\"}", "missing EncryptionKey"),
            ("{\"EncryptionKey\": \"\(key.dropLast(4))\"}", "EncryptionKey is 30 bytes, expected 32"),
            ("{\"encryptionKey\": \"\(key)\", \"macKey\": \"\(info.macKey.revealedBase64())!\"}", "macKey is not valid base64"),
            ("{\"EncryptionKey\": \"\(key)\", \"IV\": \"\(b64(info.initializationVector + [1]))\"}", "IV is 17 bytes, expected 16"),
            ("{\"EncryptionKey\": \"\(key)\", \"Mac\": 5}", "Mac is not a string"),
            ("{\"EncryptionKey\": \"\(key)\", \"encryptionkey\": \"\(key)\"}", "are the same field"),
            ("{\"EncryptionKey\": \"\(key)\", \"FileDigestAlgorithm\": \"MD5\"}", "FileDigestAlgorithm MD5 is not supported"),
            ("{\"EncryptionKey\": \"\(key)\"", "not valid JSON"),
            ("[\"\(key)\"]", "not a JSON object"),
        ]
        for (index, (json, expected)) in cases.enumerated() {
            let path = try write("bad-\(index).json", json)
            let error = assertThrows(.badInput) { try KeyMaterial.read(path) }
            let text = error?.description ?? ""
            XCTAssertTrue(text.hasPrefix(path + ": ") && text.contains(expected), "\(expected): \(text)")
            for secret in secrets { XCTAssertFalse(text.contains(secret) || text.contains(secret.prefix(12)), text) }
        }
    }

    func testOtherFilesAreRefusedClearly() throws {
        let message = try write("message.xml", "<EncryptedMessage><EncryptedContent>MIIB</EncryptedContent></EncryptedMessage>")
        XCTAssertEqual(assertThrows(.usage) { try KeyMaterial.read(message) }?.remedy, .giveAsDecryptInfo)
        let text = try write("notes.txt", "hello")
        XCTAssertNotNil(assertThrows(.badInput) { try KeyMaterial.read(text) })
        let xml = try write("other.xml", "<Other/>")
        XCTAssertTrue(assertThrows(.badInput) { try KeyMaterial.read(xml) }?.description.contains("ApplicationInfo") ?? false)
        XCTAssertNotNil(assertThrows(.badInput) { try KeyMaterial.read(self.folder + "/missing.json") })
        let twoInfos = try write("two.json", "{\"a\": {\"fileEncryptionInfo\": {}}, \"b\": {\"fileEncryptionInfo\": {}}}")
        XCTAssertNotNil(assertThrows(.usage) { try KeyMaterial.read(twoInfos) })
    }
}
