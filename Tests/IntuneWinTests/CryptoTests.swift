import Foundation
import XCTest
@testable import IntuneWin

/// The crypto layer against OpenSSL's command-line tool and published test vectors.
final class CryptoTests: XCTestCase {
    func testSHA256MatchesPublishedVectorAndSha256sum() throws {
        XCTAssertEqual(TestSupport.hex(SHA256.hash(Array("abc".utf8))),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let data = TestSupport.noise(3_000_001)
        let expected = String(decoding: try TestSupport.run("sha256sum", [], input: data).stdout.prefix(64), as: UTF8.self)
        XCTAssertEqual(TestSupport.hex(SHA256.hash(data)), expected)
    }

    func testHMACMatchesRFC4231Case2AndOpenSSL() throws {
        let h = HMACSHA256(key: SecretBytes(Array("Jefe".utf8)))
        h.update(Array("what do ya want for nothing?".utf8))
        XCTAssertEqual(TestSupport.hex(h.finalize()), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")

        let key = TestSupport.noise(32, seed: 7)
        let data = TestSupport.noise(100_000, seed: 8)
        let mac = HMACSHA256(key: SecretBytes(key))
        mac.update(data)
        let cli = try TestSupport.run("openssl", ["dgst", "-sha256", "-mac", "HMAC", "-macopt", "hexkey:" + TestSupport.hex(key), "-r"], input: data)
        XCTAssertEqual(TestSupport.hex(mac.finalize()), String(decoding: cli.stdout.prefix(64), as: UTF8.self))
    }

    /// Encryption (with PKCS#7) equals `openssl enc`; decryption, streamed and at random offsets, gives the input back.
    func testAESCBCMatchesOpenSSLAndDecryptsAtAnyOffset() throws {
        let key = TestSupport.noise(32, seed: 1), iv = TestSupport.noise(16, seed: 2)
        for size in [0, 1, 15, 16, 17, 1_048_579] {
            let plain = TestSupport.noise(size, seed: UInt64(size) + 3)
            let aes = AESCBC(key: SecretBytes(key), iv: iv, direction: .encrypt)
            var cipher = [UInt8]()
            plain.withUnsafeBytes { aes.update($0) { cipher.append(contentsOf: $0) } }
            try aes.finish { cipher.append(contentsOf: $0) }
            let cli = try TestSupport.run("openssl", ["enc", "-aes-256-cbc", "-K", TestSupport.hex(key), "-iv", TestSupport.hex(iv)], input: plain)
            XCTAssertEqual(cipher, cli.stdout, "size \(size)")
            XCTAssertEqual(cipher.count, (size / 16 + 1) * 16, "PKCS#7 always pads")

            // As encrypted content: MAC(32) | IV | ciphertext, read back through DecryptedContent.
            let folder = try makeTemporaryFolder()
            let path = folder + "/c.bin"
            try TestSupport.writeFile(path, [UInt8](repeating: 0, count: 32) + iv + cipher)
            let content = try EncryptedContent(source: try FileRegion(path: path))
            let decrypted = try content.decrypted(key: SecretBytes(key))
            XCTAssertEqual(decrypted.size, UInt64(size))
            var streamed = [UInt8]()
            let (digest, _) = try decrypted.streamAll(progress: nil) { streamed.append(contentsOf: $0) }
            XCTAssertEqual(streamed, plain)
            XCTAssertEqual(digest, SHA256.hash(plain))
            for (offset, length) in [(0, 5), (13, 40), (size / 2, 33), (max(0, size - 7), 7)] where offset + length <= size {
                XCTAssertEqual(try decrypted.readExactly(at: UInt64(offset), count: length), Array(plain[offset..<offset + length]))
            }
        }
    }

    func testWrongKeyIsReportedAsFailedCheckNotCrash() throws {
        let folder = try makeTemporaryFolder()
        let key = SecretBytes(TestSupport.noise(32, seed: 4)), iv = TestSupport.noise(16, seed: 5)
        let aes = AESCBC(key: key, iv: iv, direction: .encrypt)
        var cipher = [UInt8]()
        TestSupport.noise(1000).withUnsafeBytes { aes.update($0) { cipher.append(contentsOf: $0) } }
        try aes.finish { cipher.append(contentsOf: $0) }
        try TestSupport.writeFile(folder + "/c.bin", [UInt8](repeating: 0, count: 32) + iv + cipher)
        let content = try EncryptedContent(source: try FileRegion(path: folder + "/c.bin"))
        // A wrong key gives random padding bytes: almost always invalid. Try several keys; at least most must fail.
        var failures = 0
        for seed in 10..<30 {
            if (try? content.decrypted(key: SecretBytes(TestSupport.noise(32, seed: UInt64(seed))))) == nil { failures += 1 }
        }
        XCTAssertGreaterThan(failures, 15)
    }

    func testSecretBytesNeverPrintTheirValue() {
        let secret = SecretBytes(Array("super-secret-key-material-32byte".utf8))
        XCTAssertFalse("\(secret)".contains("super"))
        XCTAssertFalse(String(reflecting: secret).contains("super"))
        XCTAssertEqual(secret, SecretBytes(Array("super-secret-key-material-32byte".utf8)))
        XCTAssertNotEqual(secret, SecretBytes(Array("super-secret-key-material-32bytX".utf8)))
        XCTAssertNotEqual(secureRandomBytes(32), secureRandomBytes(32))
    }
}
