import Foundation
import XCTest
@testable import IntuneWin

/// Test vectors made here with the `openssl` command: a device certificate and its key in every form
/// a user may hold (PKCS#8, PKCS#1, encrypted, DER, PKCS#12), a second unrelated key, and sample 01's
/// real keys as IME's DecryptInfo JSON, encrypted to the certificate as CMS EnvelopedData.
final class DeviceKeyFixture {
    let folder: String
    let sample = TestSupport.sample("01")
    /// Sample 01's content file (what IME downloads as `<app>_1.bin`) and its plain inner zip.
    let bin: String
    let plainZip = TestSupport.samples + "/01_vs_sample_inner_plain.zip"
    let detection: DetectionXML
    /// Subject key identifier and serial of the test certificate, upper-case hex.
    let keyID: String
    let serial: String
    let legacyPKCS12Available: Bool

    /// Built once for the class; a failure (no openssl, a missing sample) fails each test that needs it
    /// with the reason, instead of stopping the whole test process.
    static let shared = Result<DeviceKeyFixture, Error> { try DeviceKeyFixture() }

    private init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("iw-devicekeys-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        bin = folder + "/IntunePackage.intunewin"
        let content = try TestSupport.run("unzip", ["-p", sample, "IntuneWinPackage/Contents/IntunePackage.intunewin"])
        try TestSupport.writeFile(bin, content.stdout)
        detection = try IntuneWinPackage(path: sample).detection

        for name in ["device", "other"] {
            try Self.openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=\(name)", "-days", "30",
                              "-keyout", folder + "/\(name).key.pem", "-out", folder + "/\(name).cert.pem",
                              "-addext", "subjectKeyIdentifier=hash"])
        }
        let key = folder + "/device.key.pem", cert = folder + "/device.cert.pem"
        try Self.openssl(["pkey", "-in", key, "-traditional", "-out", folder + "/device.pkcs1.pem"])
        try Self.openssl(["rsa", "-in", key, "-traditional", "-aes256", "-passout", "pass:pw", "-out", folder + "/device.pkcs1-enc.pem"])
        try Self.openssl(["pkcs8", "-topk8", "-in", key, "-v2", "aes-256-cbc", "-passout", "pass:pw", "-out", folder + "/device.pkcs8-enc.pem"])
        try Self.openssl(["pkey", "-in", key, "-outform", "DER", "-out", folder + "/device.key.der"])
        try Self.openssl(["pkcs12", "-export", "-inkey", key, "-in", cert, "-passout", "pass:x", "-out", folder + "/device.p12"])
        try Self.openssl(["pkcs12", "-export", "-inkey", folder + "/other.key.pem", "-in", folder + "/other.cert.pem",
                          "-passout", "pass:x", "-out", folder + "/other.p12"])
        legacyPKCS12Available = (try? Self.openssl(["pkcs12", "-export", "-legacy", "-inkey", key, "-in", cert,
                                                    "-passout", "pass:x", "-out", folder + "/device-legacy.p12"])) != nil
        let both = try TestSupport.readFile(cert) + TestSupport.readFile(key)
        try TestSupport.writeFile(folder + "/device.both.pem", both)

        let ext = String(decoding: try Self.openssl(["x509", "-in", cert, "-noout", "-ext", "subjectKeyIdentifier"]), as: UTF8.self)
        keyID = ext.split(separator: "\n").last!.filter { $0.isHexDigit }.uppercased()
        let serialLine = String(decoding: try Self.openssl(["x509", "-in", cert, "-noout", "-serial"]), as: UTF8.self)
        serial = String(serialLine.trimmingCharacters(in: .whitespacesAndNewlines).dropFirst("serial=".count))

        try TestSupport.writeFile(folder + "/decryptinfo.json", Array(decryptInfoJSON().utf8))
        try encrypt(folder + "/decryptinfo.json", cipher: "-aes256", keyid: true, to: "aes-keyid")
        try encrypt(folder + "/decryptinfo.json", cipher: "-des3", keyid: false, to: "des3-serial")
    }

    /// Removes the files (called once the tests that use them are done).
    func remove() { try? FileManager.default.removeItem(atPath: folder) }

    /// Runs openssl and returns stdout; fails on a non-zero exit.
    @discardableResult
    static func openssl(_ arguments: [String]) throws -> [UInt8] {
        let result = try TestSupport.run("openssl", arguments)
        guard result.status == 0 else { throw IntuneWinError(.badInput, path: "openssl", "\(arguments.first ?? ""): \(result.stderr)") }
        return result.stdout
    }

    /// IME's decrypted DecryptInfo for sample 01: its real keys under IME's field names.
    func decryptInfoJSON(dropping dropped: Set<String> = []) -> String {
        let e = detection.encryptionInfo
        let fields: [(String, String)] = [
            ("EncryptionKey", e.encryptionKey.revealedBase64()), ("MacKey", e.macKey.revealedBase64()),
            ("IV", Data(e.initializationVector).base64EncodedString()), ("Mac", Data(e.mac).base64EncodedString()),
            ("ProfileIdentifier", "ProfileVersion1"), ("FileDigest", Data(e.fileDigest).base64EncodedString()),
            ("FileDigestAlgorithm", "SHA256"),
        ]
        return "{" + fields.filter { !dropped.contains($0.0) }.map { "\"\($0.0)\":\"\($0.1)\"" }.joined(separator: ",") + "}"
    }

    /// Encrypts `input` to the device certificate: `<name>.der` (CMS) and `<name>.xml` (IME's message).
    func encrypt(_ input: String, cipher: String, keyid: Bool, to name: String, recipient: String? = nil) throws {
        let der = folder + "/\(name).der"
        try Self.openssl(["cms", "-encrypt", "-binary", "-outform", "DER", cipher, "-in", input, "-out", der,
                          "-recip", recipient ?? folder + "/device.cert.pem"] + (keyid ? ["-keyid"] : []))
        try TestSupport.writeFile(folder + "/\(name).xml", Array(Self.message(try TestSupport.readFile(der)).utf8))
    }

    /// The `<EncryptedMessage>` XML around a CMS blob, as IME receives it.
    static func message(_ der: [UInt8], thumbprint: String = "00112233445566778899AABBCCDDEEFF00112233") -> String {
        "<EncryptedMessage xmlns=\"http://schemas.datacontract.org/2004/07/Microsoft.Management.Services.Common.Cryptography\" "
            + "xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\"><EncryptedContent>\(Data(der).base64EncodedString())</EncryptedContent>"
            + "<RecipientCertThumbprints xmlns:a=\"http://schemas.microsoft.com/2003/10/Serialization/Arrays\">"
            + "<a:string>\(thumbprint)</a:string></RecipientCertThumbprints></EncryptedMessage>"
    }

    /// JSON string escaping as the IME service writes it (`"` → `\"`, `<` `>` → `\u003c` `\u003e`).
    static func jsonEscaped(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    func path(_ name: String) -> String { folder + "/" + name }
}

/// `DecryptInfo` and `DeviceKey`: IME's `<EncryptedMessage>` found in every shape it is logged in,
/// its recipient reported, and its CMS opened with the device key in every format.
final class DecryptInfoTests: XCTestCase {
    private var fixture: DeviceKeyFixture!

    override func setUpWithError() throws {
        do { fixture = try DeviceKeyFixture.shared.get() } catch {
            throw IntuneWinError(.badInput, path: TestSupport.samples, "cannot build the openssl fixture: \(error)")
        }
    }

    override class func tearDown() {
        try? DeviceKeyFixture.shared.get().remove()
        super.tearDown()
    }

    /// Decrypts the DecryptInfo at `infoPath` with `keyPath`, then the sample's content with the result,
    /// and checks the plain inner zip is Microsoft's, with every check run.
    private func assertOpensSample(_ infoPath: String, key keyPath: String, password: String? = nil,
                                   file: StaticString = #filePath, line: UInt = #line) throws {
        let info = try DecryptInfo(path: infoPath)
        let material = try info.decrypt(with: try DeviceKey(path: keyPath, password: password))
        guard case .encrypted(let keys) = material else { return XCTFail("plain material", file: file, line: line) }
        let out = try makeTemporaryFolder() + "/inner.zip"
        let result = try material.open(fixture.bin, output: .zipFile(out), overwrite: false)
        XCTAssertEqual(try TestSupport.readFile(out), try TestSupport.readFile(fixture.plainZip), "inner zip", file: file, line: line)
        XCTAssertEqual(Set(result.checked), ["iv", "mac", "padding", "hmac", "file-digest"], file: file, line: line)
        XCTAssertEqual(result.notChecked, [], file: file, line: line)
        XCTAssertEqual(keys.encryptionKey, fixture.detection.encryptionInfo.encryptionKey, file: file, line: line)
    }

    // MARK: Decrypting

    func testAES256KeyIdentifierRecipientOpensWithPKCS8PEM() throws {
        let info = try DecryptInfo(path: fixture.path("aes-keyid.xml"))
        XCTAssertEqual(info.recipients, [CMSRecipient(identifier: .subjectKeyIdentifier(fixture.keyID), keyEncryption: "rsaEncryption")])
        XCTAssertEqual(info.contentEncryption, "AES-256-CBC")
        XCTAssertEqual(info.recipientThumbprints, ["00112233445566778899AABBCCDDEEFF00112233"])
        let key = try DeviceKey(path: fixture.path("device.key.pem"), password: nil)
        XCTAssertEqual(key.keyIdentifiers, [fixture.keyID], "SHA-1 of the public key, as openssl's subjectKeyIdentifier=hash")
        XCTAssertEqual(info.isRecipient(key), true)
        try assertOpensSample(fixture.path("aes-keyid.xml"), key: fixture.path("device.key.pem"))
    }

    func testTripleDESIssuerAndSerialRecipientOpensWithPKCS1PEM() throws {
        let info = try DecryptInfo(path: fixture.path("des3-serial.xml"))
        XCTAssertEqual(info.recipients, [CMSRecipient(identifier: .issuerAndSerial(issuer: "CN=device", serial: fixture.serial),
                                                      keyEncryption: "rsaEncryption")])
        XCTAssertEqual(info.contentEncryption, "DES-EDE3-CBC")
        XCTAssertTrue(info.neededKey.contains("issuer CN=device serial \(fixture.serial)"), info.neededKey)
        try assertOpensSample(fixture.path("des3-serial.xml"), key: fixture.path("device.pkcs1.pem"))
    }

    func testEveryKeyFormatOpensIt() throws {
        try assertOpensSample(fixture.path("aes-keyid.der"), key: fixture.path("device.key.der"))
        try assertOpensSample(fixture.path("des3-serial.xml"), key: fixture.path("device.both.pem"))
        try assertOpensSample(fixture.path("des3-serial.xml"), key: fixture.path("device.pkcs1-enc.pem"), password: "pw")
        try assertOpensSample(fixture.path("aes-keyid.xml"), key: fixture.path("device.pkcs8-enc.pem"), password: "pw")
        try assertOpensSample(fixture.path("aes-keyid.xml"), key: fixture.path("device.p12"), password: "x")
        try assertOpensSample(fixture.path("des3-serial.xml"), key: fixture.path("device.p12"), password: "x")
        if fixture.legacyPKCS12Available {
            try assertOpensSample(fixture.path("aes-keyid.xml"), key: fixture.path("device-legacy.p12"), password: "x")
        }
        let p12 = try DeviceKey(path: fixture.path("device.p12"), password: "x")
        XCTAssertEqual(try DecryptInfo(path: fixture.path("des3-serial.xml")).isRecipient(p12), true, "the certificate names the recipient")
    }

    func testPasswordsMissingOrWrongAreClearErrorsThatNeverShowThePassword() throws {
        for name in ["device.pkcs1-enc.pem", "device.pkcs8-enc.pem", "device.p12"] {
            let missing = assertThrows(.usage) { try DeviceKey(path: fixture.path(name), password: nil) }
            XCTAssertEqual(missing?.remedy, .giveDeviceKeyPassword, "\(missing.map(String.init(describing:)) ?? "")")
            let wrong = assertThrows(.checkFailed) { try DeviceKey(path: fixture.path(name), password: "not-the-secret") }
            XCTAssertTrue(wrong?.description.contains(name) ?? false)
            XCTAssertFalse(wrong?.description.contains("not-the-secret") ?? true)
        }
        let certOnly = assertThrows(.badInput) { try DeviceKey(path: fixture.path("device.cert.pem"), password: nil) }
        XCTAssertTrue(certOnly?.description.contains("no private key") ?? false, "\(certOnly?.description ?? "")")
        let json = assertThrows(.badInput) { try DeviceKey(path: fixture.path("decryptinfo.json"), password: nil) }
        XCTAssertNotNil(json)
    }

    // MARK: Where the message is found

    func testMessageIsFoundInLogLinesEscapedOnceTwiceOrAsXMLEntities() throws {
        let xml = String(decoding: try TestSupport.readFile(fixture.path("aes-keyid.xml")), as: UTF8.self)
        let once = DeviceKeyFixture.jsonEscaped(xml)
        let twice = DeviceKeyFixture.jsonEscaped("{\"DecryptInfo\":\"\(once)\",\"TargetingMethod\":0}")
        let shapes = [
            "verbatim": "<![LOG[Get content info from service,ret = \(xml)]LOG]!><time=\"22:56:39.3539674\" date=\"9-16-2021\" component=\"IntuneManagementExtension\" context=\"\" type=\"1\" thread=\"8\" file=\"\">\n",
            "once": "{\"DecryptInfo\":\"\(once)\"}",
            "twice": "<![LOG[Get content info from service,ret = {\n  \"ResponsePayload\":\"\(twice)\",\"ClientInfo\":null\n}]LOG]!><time=\"22:56:39.3539674\" date=\"9-16-2021\" component=\"IntuneManagementExtension\" context=\"\" type=\"1\" thread=\"8\" file=\"\">\n",
            "entities": "<Response><Info>" + xml.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;") + "</Info></Response>",
            "base64": Data(try TestSupport.readFile(fixture.path("aes-keyid.der"))).base64EncodedString(),
        ]
        let folder = try makeTemporaryFolder()
        for (name, text) in shapes {
            let path = folder + "/\(name).log"
            try TestSupport.writeFile(path, Array(("noise before\n" + text + "\nnoise after, mentions EncryptedMessage in passing\n").utf8))
            let info = try DecryptInfo(path: name == "base64" ? { try TestSupport.writeFile(path, Array(text.utf8)); return path }() : path)
            XCTAssertEqual(info.recipients.first?.identifier, .subjectKeyIdentifier(fixture.keyID), name)
            try assertOpensSample(path, key: fixture.path("device.key.pem"))
        }
    }

    func testTwoDifferentMessagesInOneFileAskWhichOne() throws {
        let a = String(decoding: try TestSupport.readFile(fixture.path("aes-keyid.xml")), as: UTF8.self)
        let b = String(decoding: try TestSupport.readFile(fixture.path("des3-serial.xml")), as: UTF8.self)
        let path = try makeTemporaryFolder() + "/two.log"
        try TestSupport.writeFile(path, Array((a + "\n" + a + "\n" + b).utf8))
        let error = assertThrows(.usage) { try DecryptInfo(path: path) }
        XCTAssertTrue(error?.description.contains("2 different <EncryptedMessage>") ?? false, "\(error?.description ?? "")")
    }

    // MARK: Failures

    func testWrongPrivateKeySaysWhichKeyIsNeeded() throws {
        let info = try DecryptInfo(path: fixture.path("aes-keyid.xml"))
        for (name, password) in [("other.key.pem", nil), ("other.p12", "x")] as [(String, String?)] {
            let key = try DeviceKey(path: fixture.path(name), password: password)
            XCTAssertEqual(info.isRecipient(key), name == "other.p12" ? false : nil)
            let error = assertThrows(.checkFailed) { try info.decrypt(with: key) }
            let text = error?.description ?? ""
            XCTAssertTrue(text.contains("aes-keyid.xml") && text.contains(name) && text.contains(fixture.keyID) && text.contains("private key"), text)
            XCTAssertFalse(text.contains("\n"), text)
        }
        let serialInfo = try DecryptInfo(path: fixture.path("des3-serial.xml"))
        let error = assertThrows(.checkFailed) { try serialInfo.decrypt(with: try DeviceKey(path: fixture.path("other.key.pem"), password: nil)) }
        XCTAssertTrue(error?.description.contains("issuer CN=device serial \(fixture.serial)") ?? false, "\(error?.description ?? "")")
    }

    func testDamagedCMSIsBadInput() throws {
        let der = try TestSupport.readFile(fixture.path("aes-keyid.der"))
        let folder = try makeTemporaryFolder()
        let key = try DeviceKey(path: fixture.path("device.key.pem"), password: nil)

        // Cut short: not CMS at all.
        let cut = folder + "/cut.xml"
        try TestSupport.writeFile(cut, Array(DeviceKeyFixture.message(Array(der.prefix(der.count - 40))).utf8))
        let short = assertThrows(.badInput) { try DecryptInfo(path: cut) }
        XCTAssertTrue(short?.description.contains("cut.xml") ?? false)

        // One ciphertext bit flipped: the key opens, the content does not.
        var flipped = der
        flipped[flipped.count - 17] ^= 1
        let bad = folder + "/flipped.xml"
        try TestSupport.writeFile(bad, Array(DeviceKeyFixture.message(flipped).utf8))
        let damaged = assertThrows(.badInput) { try DecryptInfo(path: bad).decrypt(with: key) }
        XCTAssertTrue(damaged?.description.contains("flipped.xml") ?? false, "\(damaged?.description ?? "")")
        XCTAssertFalse(damaged?.description.contains("\n") ?? true)

        // Not base64, no EncryptedContent, not enveloped.
        let notBase64 = folder + "/notbase64.xml"
        try TestSupport.writeFile(notBase64, Array("<EncryptedMessage><EncryptedContent>MII***</EncryptedContent></EncryptedMessage>".utf8))
        XCTAssertTrue(assertThrows(.badInput) { try DecryptInfo(path: notBase64) }?.description.contains("base64") ?? false)
        let empty = folder + "/empty.xml"
        try TestSupport.writeFile(empty, Array("<EncryptedMessage><Other/></EncryptedMessage>".utf8))
        XCTAssertTrue(assertThrows(.badInput) { try DecryptInfo(path: empty) }?.description.contains("<EncryptedContent>") ?? false)
        let data = folder + "/data.der"
        try DeviceKeyFixture.openssl(["cms", "-data_create", "-in", fixture.path("decryptinfo.json"), "-outform", "DER", "-out", data])
        XCTAssertTrue(assertThrows(.badInput) { try DecryptInfo(path: data) }?.description.contains("not EnvelopedData") ?? false)
        let nothing = folder + "/nothing.log"
        try TestSupport.writeFile(nothing, Array("just a log line\n".utf8))
        XCTAssertTrue(assertThrows(.badInput) { try DecryptInfo(path: nothing) }?.description.contains("no <EncryptedMessage>") ?? false)
    }

    func testDecryptedJSONMissingTheKeyIsAClearError() throws {
        let json = fixture.path("no-key.json")
        try TestSupport.writeFile(json, Array(fixture.decryptInfoJSON(dropping: ["EncryptionKey"]).utf8))
        try fixture.encrypt(json, cipher: "-aes256", keyid: true, to: "no-key")
        let key = try DeviceKey(path: fixture.path("device.key.pem"), password: nil)
        let error = assertThrows(.badInput) { try DecryptInfo(path: fixture.path("no-key.xml")).decrypt(with: key) }
        XCTAssertEqual(error?.description, fixture.path("no-key.xml") + ": decrypted DecryptInfo: missing EncryptionKey")
    }

    // MARK: The real DecryptInfo from a 2021 IME log

    func testRealLoggedDecryptInfoNamesTheDeviceCertificateItNeeds() throws {
        let log = TestSupport.imeLogs + "/ime2021_available-app_install-failed-exit1-unmapped.log"
        let info = try DecryptInfo(path: log)
        XCTAssertEqual(info.recipients, [CMSRecipient(identifier: .subjectKeyIdentifier("0ED1F577245547F2DFCBC8F924A38FD9C185676A"),
                                                      keyEncryption: "rsaEncryption")])
        XCTAssertEqual(info.contentEncryption, "DES-EDE3-CBC")
        XCTAssertEqual(info.recipientThumbprints, ["0346CA9B04AB3F85F7FE639F34C9715B99CAFF9C"])
        XCTAssertTrue(info.neededKey.contains("0ED1F577245547F2DFCBC8F924A38FD9C185676A"), info.neededKey)
        XCTAssertTrue(info.neededKey.contains("0346CA9B04AB3F85F7FE639F34C9715B99CAFF9C"), info.neededKey)

        // We do not have that device: our key is refused, and the error says which key is needed.
        for (name, password) in [("device.key.pem", nil), ("device.p12", "x")] as [(String, String?)] {
            let key = try DeviceKey(path: fixture.path(name), password: password)
            let error = assertThrows(.checkFailed) { try info.decrypt(with: key) }
            let text = error?.description ?? ""
            XCTAssertTrue(text.contains("needs the private key of the certificate with subject key identifier 0ED1F577245547F2DFCBC8F924A38FD9C185676A"), text)
        }
    }
}
