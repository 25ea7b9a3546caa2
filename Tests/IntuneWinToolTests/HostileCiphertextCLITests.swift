import Foundation
import XCTest

/// `decrypt` of content that is not what AES-256-CBC/PKCS#7 produces (HostileCiphertext's cases: too short,
/// not whole blocks, padding that lies under a valid HMAC): the documented exit code (3 unreadable input,
/// 1 failed check), one error line naming the file, nothing written. The content is made by the Python
/// oracle's AES and Python's HMAC, not by our encryptor.
final class HostileCiphertextCLITests: ToolTestCase {
    private let key = pseudoRandomBytes(32, seed: 11)
    private let macKey = pseudoRandomBytes(32, seed: 12)
    private let iv = pseudoRandomBytes(16, seed: 13)

    /// MAC ‖ IV ‖ AES-256-CBC(`plain`) with no padding added: `plain` is whole blocks and its own last
    /// block is the padding.
    private func content(encrypting plain: [UInt8]) throws -> Data {
        let input = path("plain-\(UUID().uuidString).bin"), output = path("content-\(UUID().uuidString).bin")
        try Data(plain).write(to: input)
        func hex(_ data: Data) -> String { data.map { String(format: "%02x", $0) }.joined() }
        let result = try python("""
            import hashlib, hmac, os, sys
            sys.path.insert(0, os.path.dirname(sys.argv[1]))
            import intunewin_ref as ref
            key, mac_key, iv = (bytes.fromhex(h) for h in sys.argv[2:5])
            ct = ref.aes_cbc(key, iv, open(sys.argv[5], "rb").read(), True)
            open(sys.argv[6], "wb").write(hmac.new(mac_key, iv + ct, hashlib.sha256).digest() + iv + ct)
            """, [Tool.oracle.path, hex(key), hex(macKey), hex(iv), input.path, output.path])
        assertExit(result, 0, "python encrypt")
        return output.bytes
    }

    /// Key JSON as IME's decrypted DecryptInfo: key, IV, MAC key, and the MAC the content should carry.
    private func keyFile(mac: Data, in folder: URL) throws -> URL {
        let text = """
            {"EncryptionKey": "\(key.base64EncodedString())", "MacKey": "\(macKey.base64EncodedString())", \
            "IV": "\(iv.base64EncodedString())", "Mac": "\(mac.base64EncodedString())",
             "ProfileIdentifier": "ProfileVersion1", "FileDigestAlgorithm": "SHA256"}
            """
        let file = folder.appending("keys.json")
        try write(text, to: file)
        return file
    }

    private func assertDecryptRefused(_ content: Data, exit expected: Int32, mentions: String, _ what: String,
                                      file: StaticString = #filePath, line: UInt = #line) throws {
        let folder = path(UUID().uuidString)
        let bin = folder.appending("content.bin")
        try write(content, to: bin)
        let keys = try keyFile(mac: content.count >= 32 ? content.prefix(32) : Data(count: 32), in: folder)
        let out = folder.appending("out")
        try makeFolder(out)
        for output in [out.appending("inner.zip"), out.appending("app")] {
            let result = try tool(["decrypt", bin.path, "--encryption-info", keys.path, "-o", output.path])
            assertExit(result, expected, "\(what) → \(output.lastPathComponent)", file: file, line: line)
            XCTAssertEqual(result.errLines.count, 1, "\(what): one error line: \(result.err)", file: file, line: line)
            XCTAssertTrue(result.err.contains(bin.path) && result.err.contains(mentions), "\(what): \(result.err)", file: file, line: line)
            XCTAssertEqual(listing(out), [], "\(what): output written", file: file, line: line)
        }
    }

    func testCLIDecryptOfShortOrPartialBlockContentExits3() throws {
        for size in HostileCiphertext.tooShort {
            try assertDecryptRefused(pseudoRandomBytes(size), exit: 3, mentions: "too short", "\(size) bytes")
        }
        for size in HostileCiphertext.notWholeBlocks {
            try assertDecryptRefused(pseudoRandomBytes(size), exit: 3, mentions: "not a multiple of 16", "\(size) bytes")
        }
    }

    func testCLIDecryptOfLyingPaddingExits1() throws {
        for (name, tail) in HostileCiphertext.lyingTails {
            let plain = HostileCiphertext.plaintext([UInt8](pseudoRandomBytes(64, seed: 8)), tail: tail)
            try assertDecryptRefused(try content(encrypting: plain), exit: 1, mentions: "bad PKCS#7 padding", name)
        }
    }

    func testCLIDecryptOfValidPaddingSucceeds() throws {
        for (name, tail) in HostileCiphertext.validTails {
            let folder = path(UUID().uuidString)
            let plain = HostileCiphertext.plaintext([UInt8](pseudoRandomBytes(64, seed: 9)), tail: tail)
            let data = try content(encrypting: plain)
            let bin = folder.appending("content.bin")
            try write(data, to: bin)
            let keys = try keyFile(mac: data.prefix(32), in: folder)
            let result = try tool(["decrypt", bin.path, "--encryption-info", keys.path, "-o", folder.appending("inner.zip").path])
            assertExit(result, 0, name)
            XCTAssertEqual([UInt8](folder.appending("inner.zip").bytes), Array(plain.dropLast(tail.count)), name)
        }
    }
}
