import Foundation
import XCTest

/// `decrypt` and `unpack` with key material from elsewhere: `--encryption-info` in every format, and
/// `--decrypt-info` with the device key (vectors made here with `openssl`), plus the real 2021
/// DecryptInfo for a device we do not have.
final class DecryptKeySourceTests: ToolTestCase {
    private var sample: URL { Tool.sample("01") }
    private let plainZip = Tool.samplesDirectory.appending("01_vs_sample_inner_plain.zip")
    private let realLog = Tool.imeLogs.appending("ime2021_available-app_install-failed-exit1-unmapped.log")
    private let realKeyID = "0ED1F577245547F2DFCBC8F924A38FD9C185676A"

    // MARK: Fixtures

    private func openssl(_ arguments: String...) throws {
        let result = try execute("openssl", arguments)
        guard result.status == 0 else { throw SetupError("openssl \(arguments.first ?? ""): \(result.summary)") }
    }

    /// Sample 01's content file, as IME downloads it.
    private func makeBin() throws -> (bin: URL, parts: PackageParts) {
        let parts = try PackageParts(sample)
        let bin = path("app_1.bin")
        try parts.content(of: sample).write(to: bin)
        return (bin, parts)
    }

    /// IME's decrypted DecryptInfo JSON for sample 01.
    private func decryptInfoJSON(_ parts: PackageParts) -> String {
        """
        {"EncryptionKey":"\(parts["EncryptionKey"])","MacKey":"\(parts["MacKey"])","IV":"\(parts["InitializationVector"])",\
        "Mac":"\(parts["Mac"])","ProfileIdentifier":"ProfileVersion1","FileDigest":"\(parts["FileDigest"])","FileDigestAlgorithm":"SHA256"}
        """
    }

    /// A device certificate and key (PEM and PKCS#12 with password "x"), and sample 01's DecryptInfo
    /// encrypted to it (AES-256, subject key identifier) as IME's `<EncryptedMessage>` XML.
    private func makeDeviceVectors(_ parts: PackageParts) throws -> (message: URL, key: URL, pkcs12: URL) {
        let key = path("device.key.pem"), cert = path("device.cert.pem"), p12 = path("device.p12")
        try openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=device", "-days", "30",
                    "-keyout", key.path, "-out", cert.path, "-addext", "subjectKeyIdentifier=hash")
        try openssl("pkcs12", "-export", "-inkey", key.path, "-in", cert.path, "-passout", "pass:x", "-out", p12.path)
        let json = path("decryptinfo.json"), der = path("decryptinfo.der")
        try write(decryptInfoJSON(parts), to: json)
        try openssl("cms", "-encrypt", "-binary", "-outform", "DER", "-aes256", "-keyid", "-recip", cert.path, "-in", json.path, "-out", der.path)
        let message = path("DecryptInfo.xml")
        try write("<EncryptedMessage xmlns=\"http://schemas.datacontract.org/2004/07/Microsoft.Management.Services.Common.Cryptography\">"
                  + "<EncryptedContent>\(der.bytes.base64EncodedString())</EncryptedContent></EncryptedMessage>", to: message)
        return (message, key, p12)
    }

    // MARK: --encryption-info

    func testEncryptionInfoTakesGraphAndDecryptInfoJSON() throws {
        let (bin, parts) = try makeBin()
        let graph = path("graph.json")
        try write("""
            {"fileEncryptionInfo": {"encryptionKey": "\(parts["EncryptionKey"])", "macKey": "\(parts["MacKey"])",
             "initializationVector": "\(parts["InitializationVector"])", "mac": "\(parts["Mac"])", "profileIdentifier": "ProfileVersion1",
             "fileDigest": "\(parts["FileDigest"])", "fileDigestAlgorithm": "SHA256"}}
            """, to: graph)
        let decrypted = path("decrypted.json")
        try write(decryptInfoJSON(parts), to: decrypted)
        for source in [graph, decrypted] {
            let out = path("\(source.lastPathComponent).zip")
            let result = try tool("decrypt", bin.path, "-o", out.path, "--encryption-info", source.path)
            assertExit(result, 0, source.lastPathComponent)
            XCTAssertFalse(result.err.contains("not verified"), result.summary)
            XCTAssertTrue(out.bytes == plainZip.bytes, "\(source.lastPathComponent): not Microsoft's inner zip")
        }
        let minimal = path("minimal.json")
        try write("{\"EncryptionKey\": \"\(parts["EncryptionKey"])\", \"IV\": \"\(parts["InitializationVector"])\"}", to: minimal)
        let result = try tool("decrypt", bin.path, "-o", path("minimal.zip").path, "--encryption-info", minimal.path)
        assertExit(result, 0)
        XCTAssertTrue(result.err.contains("integrity not verified: hmac"), result.summary)
        XCTAssertTrue(path("minimal.zip").bytes == plainZip.bytes)
    }

    func testEncryptionInfoErrorsNameFileAndFieldButNoKey() throws {
        let (bin, parts) = try makeBin()
        let bad = path("bad.json")
        try write("{\"EncryptionKey\": \"\(parts["EncryptionKey"])\", \"MacKey\": \"\(parts["MacKey"].dropLast(8))\"}", to: bad)
        let result = try tool("decrypt", bin.path, "-o", path("x.zip").path, "--encryption-info", bad.path)
        assertExit(result, 3)
        assertOneLineError(result, naming: "bad.json")
        XCTAssertTrue(result.err.contains("MacKey is"), result.summary)
        XCTAssertFalse(result.err.contains(parts["EncryptionKey"]) || result.err.contains(String(parts["MacKey"].prefix(12))), result.summary)
        XCTAssertFalse(path("x.zip").exists)
    }

    func testNoEncryptionCopiesThePlainZipAndSaysSo() throws {
        let info = path("plain.json")
        let digest = try XCTUnwrap(python("import hashlib,base64,sys;print(base64.b64encode(hashlib.sha256(open(sys.argv[1],'rb').read()).digest()).decode())",
                                          [plainZip.path]).out.split(separator: "\n").first)
        try write("{\"ProfileIdentifier\": \"NoEncryption\", \"FileDigest\": \"\(digest)\"}", to: info)
        let out = path("copy.zip")
        let result = try tool("decrypt", plainZip.path, "-o", out.path, "--encryption-info", info.path, "--json")
        assertExit(result, 0)
        let object = try result.jsonObject()
        XCTAssertEqual(object["encrypted"] as? Bool, false)
        XCTAssertEqual(object["checked"] as? [String], ["file-digest"])
        XCTAssertTrue(out.bytes == plainZip.bytes)
        let text = try tool("unpack", plainZip.path, "-o", path("unpacked").path, "--encryption-info", info.path)
        assertExit(text, 0)
        XCTAssertTrue(text.out.contains("not encrypted (ProfileIdentifier NoEncryption)"), text.summary)
        XCTAssertTrue(text.err.contains("the content is not encrypted"), text.summary)
        XCTAssertFalse(listing(path("unpacked")).isEmpty)
    }

    // MARK: --decrypt-info with the device key

    func testDecryptInfoWithPEMOrPKCS12OpensTheBin() throws {
        let (bin, parts) = try makeBin()
        let (message, key, p12) = try makeDeviceVectors(parts)
        let zip = path("inner.zip")
        let result = try tool("decrypt", bin.path, "-o", zip.path, "--decrypt-info", message.path, "--device-key", key.path)
        assertExit(result, 0)
        XCTAssertFalse(result.err.contains("not verified"), result.summary)
        XCTAssertTrue(result.out.contains("Key material from \(message.path), opened with \(key.path)"), result.summary)
        XCTAssertTrue(zip.bytes == plainZip.bytes, "not Microsoft's inner zip")

        let folder = path("content")
        let viaP12 = try tool(["decrypt", bin.path, "-o", folder.path, "--decrypt-info", message.path, "--device-key", p12.path,
                               "--device-key-password", "env:IW_TEST_PW"], environment: ["IW_TEST_PW": "x"])
        assertExit(viaP12, 0)
        let expected = try OracleInner(package: sample, scratch: path("oracle"))
        assertSameFiles(try files(folder), expected.files)

        let unpacked = path("unpacked")
        let viaUnpack = try tool("unpack", bin.path, "-o", unpacked.path, "--decrypt-info", message.path,
                                 "--device-key", p12.path, "--device-key-password", "x", "--json")
        assertExit(viaUnpack, 0)
        XCTAssertEqual(try viaUnpack.jsonObject()["notChecked"] as? [String], [])
        assertSameFiles(try files(unpacked), expected.files)
    }

    func testWrongDeviceKeyOrPasswordFailsWithoutWriting() throws {
        let (bin, parts) = try makeBin()
        let (message, _, p12) = try makeDeviceVectors(parts)
        let other = path("other.key.pem")
        try openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=other", "-keyout", other.path, "-out", path("other.pem").path)
        let out = path("x.zip")
        let wrongKey = try tool("decrypt", bin.path, "-o", out.path, "--decrypt-info", message.path, "--device-key", other.path)
        assertExit(wrongKey, 1)
        assertOneLineError(wrongKey, naming: "DecryptInfo.xml")
        XCTAssertTrue(wrongKey.err.contains("other.key.pem") && wrongKey.err.contains("needs the private key"), wrongKey.summary)

        let wrongPassword = try tool("decrypt", bin.path, "-o", out.path, "--decrypt-info", message.path,
                                     "--device-key", p12.path, "--device-key-password", "secret-guess")
        assertExit(wrongPassword, 1)
        assertOneLineError(wrongPassword, naming: "device.p12")
        XCTAssertFalse(wrongPassword.err.contains("secret-guess"))

        let noPassword = try tool("decrypt", bin.path, "-o", out.path, "--decrypt-info", message.path, "--device-key", p12.path)
        assertExit(noPassword, 2)
        XCTAssertTrue(noPassword.err.contains("--device-key-password"), noPassword.summary)

        var damaged = Data(message.bytes)
        damaged.removeLast(200)
        try write(String(decoding: damaged, as: UTF8.self) + "</EncryptedContent></EncryptedMessage>", to: message)
        let cut = try tool("decrypt", bin.path, "-o", out.path, "--decrypt-info", message.path, "--device-key", p12.path,
                           "--device-key-password", "x")
        assertExit(cut, 3)
        assertOneLineError(cut, naming: "DecryptInfo.xml")
        XCTAssertFalse(out.exists)
    }

    // MARK: The real DecryptInfo (a device we do not have)

    func testRealDecryptInfoWithoutDeviceKeyShowsWhoseKeyIsNeeded() throws {
        let result = try tool("decrypt", "--decrypt-info", realLog.path)
        assertExit(result, 2)
        XCTAssertTrue(result.out.contains("subject key identifier \(realKeyID)"), result.summary)
        XCTAssertTrue(result.out.contains("DES-EDE3-CBC"), result.summary)
        assertOneLineError(result, naming: realLog.lastPathComponent)
        XCTAssertTrue(result.err.contains("--device-key is needed: the private key of the certificate with subject key identifier \(realKeyID)"),
                      result.summary)

        let json = try tool("decrypt", "--decrypt-info", realLog.path, "--json")
        assertExit(json, 2)
        let recipients = try XCTUnwrap(try json.jsonObject()["recipients"] as? [[String: Any]])
        XCTAssertEqual(recipients.first?["subjectKeyIdentifier"] as? String, realKeyID)
    }

    func testRealDecryptInfoRefusesOurKey() throws {
        let (bin, parts) = try makeBin()
        let (_, key, _) = try makeDeviceVectors(parts)
        let out = path("content")
        let result = try tool("decrypt", bin.path, "-o", out.path, "--decrypt-info", realLog.path, "--device-key", key.path)
        assertExit(result, 1)
        assertOneLineError(result, naming: realLog.lastPathComponent)
        XCTAssertTrue(result.err.contains("needs the private key of the certificate with subject key identifier \(realKeyID)"), result.summary)
        XCTAssertFalse(out.exists)
    }

    // MARK: Usage

    func testKeySourcesAreAlternativesAndHelpExplainsEach() throws {
        let (bin, parts) = try makeBin()
        let out = path("x.zip").path
        let cases: [[String]] = [
            ["decrypt", bin.path, "-o", out],
            ["decrypt", bin.path, "-o", out, "--key", parts["EncryptionKey"], "--encryption-info", sample.path],
            ["decrypt", bin.path, "-o", out, "--encryption-info", sample.path, "--decrypt-info", realLog.path],
            ["decrypt", bin.path, "-o", out, "--encryption-info", sample.path, "--device-key", sample.path],
            ["decrypt", bin.path, "-o", out, "--encryption-info", sample.path, "--digest", parts["FileDigest"]],
            ["decrypt", "-o", out, "--encryption-info", sample.path],
            ["decrypt", bin.path, "--encryption-info", sample.path],
            ["unpack", bin.path, "-o", out, "--device-key", sample.path],
            ["unpack", bin.path, "-o", out, "--device-key-password", "x", "--encryption-info", sample.path],
        ]
        for arguments in cases {
            let result = try tool(arguments)
            assertExit(result, 2, arguments.joined(separator: " "))
        }
        let encrypted = path("message.xml")
        try write("<EncryptedMessage><EncryptedContent>MIIB</EncryptedContent></EncryptedMessage>", to: encrypted)
        let misplaced = try tool("decrypt", bin.path, "-o", out, "--encryption-info", encrypted.path)
        assertExit(misplaced, 2)
        XCTAssertTrue(misplaced.err.contains("--decrypt-info"), misplaced.summary)

        for command in ["decrypt", "unpack"] {
            let help = try tool(command, "--help")
            assertExit(help, 0)
            for needle in ["--encryption-info", "fileEncryptionInfo", "Detection.xml", "--decrypt-info", "<EncryptedMessage>",
                           "--device-key", "PKCS#12", "PKCS#8", "NoEncryption"] {
                XCTAssertTrue(help.out.contains(needle), "\(command) --help lacks \(needle)")
            }
        }
    }
}
