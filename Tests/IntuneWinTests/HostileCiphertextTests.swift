import Foundation
import XCTest
@testable import IntuneWin

/// Encrypted content that is not what AES-256-CBC/PKCS#7 produces: a length that is not whole blocks, too
/// short for MAC + IV + one block, and padding that lies (0, 17, 0xFF, inconsistent bytes) under a valid
/// HMAC. Each gives a clean error of the right kind from EncryptedContent, Decryptor and Verifier, writes
/// nothing, and through the CLI the documented exit code (3 unreadable input, 1 failed check).
final class HostileCiphertextTests: XCTestCase {
    private let key = SecretBytes(TestSupport.noise(32, seed: 11))
    private let macKey = SecretBytes(TestSupport.noise(32, seed: 12))
    private let iv = TestSupport.noise(16, seed: 13)

    // MARK: Building content

    /// AES-256-CBC of `plain` (whole blocks) with no padding added: `finish` would append a padding block,
    /// so it is not called and the caller's own last block is the padding.
    private func encryptRaw(_ plain: [UInt8]) -> [UInt8] {
        precondition(plain.count % 16 == 0)
        let aes = AESCBC(key: key, iv: iv, direction: .encrypt)
        var out = [UInt8]()
        plain.withUnsafeBytes { aes.update($0) { out.append(contentsOf: $0) } }
        XCTAssertEqual(out.count, plain.count, "encryption must not hold a block back")
        return out
    }

    /// MAC ‖ IV ‖ ciphertext with a correct HMAC (unless `badMac`).
    private func content(ciphertext: [UInt8], badMac: Bool = false) -> [UInt8] {
        let hmac = HMACSHA256(key: macKey)
        hmac.update(iv)
        hmac.update(ciphertext)
        var mac = hmac.finalize()
        if badMac { mac[0] ^= 0xFF }
        return mac + iv + ciphertext
    }

    /// Microsoft's sample inner zip (3078 bytes).
    private var sampleZip: [UInt8] { (try? TestSupport.readFile(TestSupport.samples + "/01_vs_sample_inner_plain.zip")) ?? [] }

    /// `body` padded to whole blocks with filler, ending in `tail` (the padding as the file claims it).
    private func plaintext(_ body: [UInt8], tail: [UInt8]) -> [UInt8] {
        let filler = (16 - (body.count + tail.count) % 16) % 16
        return body + [UInt8](repeating: 0xAA, count: filler) + tail
    }

    private func write(_ bytes: [UInt8], _ name: String, in folder: String) throws -> String {
        let path = folder + "/" + name
        try TestSupport.writeFile(path, bytes)
        return path
    }

    private func open(_ path: String) throws -> EncryptedContent { try EncryptedContent(source: try FileRegion(path: path)) }

    private var keys: ContentKeys { get throws { try ContentKeys(encryptionKey: key, initializationVector: iv, macKey: macKey) } }

    /// Padding that lies, as the last bytes of the last block.
    private let lyingTails: [(String, [UInt8])] = [
        ("pad byte 0", [0x00]),
        ("pad byte 17", [0x11]),
        ("pad byte 0xFF", [0xFF]),
        ("inconsistent 03 02 03", [0x03, 0x02, 0x03]),
        ("claims 16, one byte differs", [0x0F] + [UInt8](repeating: 0x10, count: 15)),
        ("claims 2, first differs", [0x01, 0x02]),
    ]

    /// Valid padding: a whole block of 16, one byte, three bytes.
    private let validTails: [(String, [UInt8])] = [
        ("full block of 16", [UInt8](repeating: 0x10, count: 16)),
        ("pad byte 1", [0x01]),
        ("03 03 03", [0x03, 0x03, 0x03]),
    ]

    // MARK: Lengths

    /// Total sizes shorter than MAC (32) + IV (16) + one block, or with a partial last block.
    private let tooShort = [0, 16, 31, 32, 47, 48, 49, 63]
    private let notWholeBlocks = [48 + 17, 48 + 31, 48 + 33, 48 + 4095]

    func testTooShortContentIsBadInputNamingTheFile() throws {
        let folder = try makeTemporaryFolder()
        for size in tooShort {
            let path = try write(TestSupport.noise(size), "short-\(size).bin", in: folder)
            let error = assertThrows(.badInput) { try open(path) }
            XCTAssertEqual(error?.path, path)
            XCTAssertTrue(error?.reason.contains("too short") == true, "\(size): \(String(describing: error))")
        }
    }

    func testCiphertextNotWholeBlocksIsBadInputNamingTheFile() throws {
        let folder = try makeTemporaryFolder()
        for size in notWholeBlocks {
            let path = try write(TestSupport.noise(size), "odd-\(size).bin", in: folder)
            let error = assertThrows(.badInput) { try open(path) }
            XCTAssertEqual(error?.path, path)
            XCTAssertTrue(error?.reason.contains("ciphertext length \(size - 48) is not a multiple of 16") == true, "\(size): \(String(describing: error))")
        }
        // The same content cut to whole blocks opens: the length alone was the problem.
        let whole = try write(TestSupport.noise(48 + 32), "whole.bin", in: folder)
        XCTAssertNoThrow(try open(whole))
    }

    // MARK: Padding

    func testLyingPaddingIsACheckFailureFromEveryReader() throws {
        let folder = try makeTemporaryFolder()
        for (name, tail) in lyingTails {
            let plain = plaintext(TestSupport.noise(64, seed: 5), tail: tail)
            let path = try write(content(ciphertext: encryptRaw(plain)), "lying.bin", in: folder)
            let content = try open(path)
            XCTAssertTrue(try content.hmacMatches(macKey: macKey), "\(name): the HMAC is valid, only the padding lies")

            let error = assertThrows(.checkFailed) { try content.decrypted(key: key) }
            XCTAssertTrue(error?.reason.contains("bad PKCS#7 padding") == true, "\(name): \(String(describing: error))")
            XCTAssertEqual(error?.path, path)

            for output in [Decryptor.Output.zipFile(folder + "/out/inner.zip"), .folder(folder + "/out/app")] {
                try FileManager.default.createDirectory(atPath: folder + "/out", withIntermediateDirectories: true)
                let failure = assertThrows(.checkFailed) { try Decryptor.decrypt(content, keys: keys, output: output, overwrite: false) }
                XCTAssertNotNil(failure, name)
                XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder + "/out"), [], "\(name): output written")
            }
        }
    }

    func testValidPaddingIsAcceptedAndStripped() throws {
        let folder = try makeTemporaryFolder()
        for (name, tail) in validTails {
            let body = TestSupport.noise(64, seed: 6)
            let plain = plaintext(body, tail: tail)
            let path = try write(content(ciphertext: encryptRaw(plain)), "valid.bin", in: folder)
            let decrypted = try open(path).decrypted(key: key)
            XCTAssertEqual(decrypted.paddingLength, tail.count, name)
            XCTAssertEqual(decrypted.size, UInt64(plain.count - tail.count), name)
            let zip = folder + "/inner-\(tail.count).zip"
            let result = try Decryptor.decrypt(try open(path), keys: keys, output: .zipFile(zip), overwrite: false)
            XCTAssertEqual(result.checked.sorted(), ["hmac", "iv", "padding"], name)
            XCTAssertEqual(try TestSupport.readFile(zip), Array(plain.dropLast(tail.count)), name)
        }
    }

    /// The padding is checked with the key alone; where a MAC key is given, a bad HMAC must also stop it.
    /// Which of the two errors is reported first is the order of the checks (see the report on issue #8:
    /// Decryptor checks the padding before the HMAC); either way it is a failed check and nothing is written.
    func testLyingPaddingUnderABadHMACIsACheckFailureAndWritesNothing() throws {
        let folder = try makeTemporaryFolder()
        try FileManager.default.createDirectory(atPath: folder + "/out", withIntermediateDirectories: true)
        for (name, tail) in lyingTails {
            let path = try write(content(ciphertext: encryptRaw(plaintext(TestSupport.noise(48), tail: tail)), badMac: true), "both.bin", in: folder)
            let error = assertThrows(.checkFailed) {
                try Decryptor.decrypt(try open(path), keys: keys, output: .folder(folder + "/out/app"), overwrite: false)
            }
            let reason = error?.reason ?? ""
            XCTAssertTrue(reason.contains("HMAC-SHA256 does not match") || reason.contains("bad PKCS#7 padding"), "\(name): \(reason)")
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder + "/out"), [])
        }
    }

    // MARK: Verifier, through a package

    /// A package around `content` (its Detection.xml gives these keys, the content's stored MAC, and the
    /// digest and size of `plain`), written with the library's outer zip writer.
    private func package(content: [UInt8], plain: [UInt8], at path: String) throws {
        let mac = content.count >= 32 ? Array(content[0..<32]) : [UInt8](repeating: 0, count: 32)
        let detection = DetectionXML(
            toolVersion: Packager.toolVersion, name: "file.txt", unencryptedContentSize: UInt64(plain.count), setupFile: "file.txt",
            encryptionInfo: EncryptionInfo(encryptionKey: key, macKey: macKey, initializationVector: iv, mac: mac,
                                           fileDigest: SHA256.hash(plain)))
        let file = try AtomicOutputFile(finalPath: path)
        var outer = OuterZipWriter()
        let now = DOSDateTime(unixTime: 1_700_000_000)
        try outer.addEntry(name: PackagePaths.contentFolder + PackagePaths.contentFileName, time: now, bytes: content, to: file)
        try outer.addEntry(name: PackagePaths.detectionEntry, time: now, bytes: detection.serialized(), to: file)
        try outer.finish(to: file)
        try file.commit(replace: true)
    }

    func testVerifierReportsLyingPaddingWithAValidHMAC() throws {
        let folder = try makeTemporaryFolder()
        let zip = sampleZip
        XCTAssertEqual(zip.count, 3078)
        for (name, tail) in lyingTails {
            let plain = plaintext(zip, tail: tail)
            let path = folder + "/lying.intunewin"
            try package(content: content(ciphertext: encryptRaw(plain)), plain: zip, at: path)
            let report = try Verifier.verify(try IntuneWinPackage(path: path))
            let outcome = Dictionary(report.checks.map { ($0.name, $0.outcome) }, uniquingKeysWith: { a, _ in a })
            XCTAssertFalse(report.passed, name)
            XCTAssertEqual(outcome["padding"], .failed, "\(name): \(report.checks)")
            XCTAssertEqual(outcome["hmac"], .passed, "\(name): the HMAC holds, so the key (or the packer) is at fault")
            XCTAssertEqual(outcome["entry-crc"], .skipped, name)
        }
        // Control: the same zip with the padding a packer writes (10 bytes of 0x0A here) verifies completely.
        let standard = zip + [UInt8](repeating: UInt8(16 - zip.count % 16), count: 16 - zip.count % 16)
        try package(content: content(ciphertext: encryptRaw(standard)), plain: zip, at: folder + "/standard.intunewin")
        XCTAssertTrue(try Verifier.verify(try IntuneWinPackage(path: folder + "/standard.intunewin")).passed)
    }

    func testPackageWithContentNotWholeBlocksIsBadInput() throws {
        let folder = try makeTemporaryFolder()
        for size in tooShort + notWholeBlocks {
            let path = folder + "/odd-\(size).intunewin"
            try package(content: TestSupport.noise(size), plain: [], at: path)
            let error = assertThrows(.badInput) { try IntuneWinPackage(path: path) }
            XCTAssertEqual(error?.path, path, "\(size)")
        }
    }

    // MARK: Through the CLI

    /// The built tool, beside this test bundle (the same products folder, whatever --scratch-path is).
    private var toolPath: String {
        var candidates = Bundle.allBundles.filter { $0.bundlePath.hasSuffix(".xctest") }.map { $0.bundleURL.deletingLastPathComponent() }
        candidates.append(Bundle.main.bundleURL)
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent())
        let found = candidates.map { $0.appendingPathComponent("intunewin-tool").path }.first { FileManager.default.isExecutableFile(atPath: $0) }
        if found == nil { XCTFail("no intunewin-tool beside the tests: build it with the same --scratch-path") }
        return found ?? "/nonexistent/intunewin-tool"
    }

    private func runTool(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: toolPath)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        let err = Pipe()
        process.standardError = err
        try process.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit, "killed by a signal: \(arguments)")
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Key JSON as IME's decrypted DecryptInfo: key, IV, MAC key, and the MAC the content should carry.
    private func keyFile(mac: [UInt8], in folder: String) throws -> String {
        func b64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
        let text = """
            {"EncryptionKey": "\(key.revealedBase64())", "MacKey": "\(macKey.revealedBase64())", "IV": "\(b64(iv))", "Mac": "\(b64(mac))",
             "ProfileIdentifier": "ProfileVersion1", "FileDigestAlgorithm": "SHA256"}
            """
        return try write(Array(text.utf8), "keys.json", in: folder)
    }

    private func assertCLIDecrypt(_ content: [UInt8], exit expected: Int32, mentions: String, _ what: String,
                                  file: StaticString = #filePath, line: UInt = #line) throws {
        let folder = try makeTemporaryFolder()
        let bin = try write(content, "content.bin", in: folder)
        let keys = try keyFile(mac: content.count >= 32 ? Array(content[0..<32]) : [UInt8](repeating: 0, count: 32), in: folder)
        try FileManager.default.createDirectory(atPath: folder + "/out", withIntermediateDirectories: true)
        for output in [folder + "/out/inner.zip", folder + "/out/app"] {
            let result = try runTool(["decrypt", bin, "--encryption-info", keys, "-o", output])
            XCTAssertEqual(result.status, expected, "\(what) → \(output): \(result.stderr)", file: file, line: line)
            let lines = result.stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, "\(what): one error line: \(result.stderr)", file: file, line: line)
            XCTAssertTrue(result.stderr.contains(bin) && result.stderr.contains(mentions), "\(what): \(result.stderr)", file: file, line: line)
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder + "/out"), [], "\(what): output written", file: file, line: line)
        }
    }

    func testCLIDecryptOfShortOrPartialBlockContentExits3() throws {
        for size in tooShort {
            try assertCLIDecrypt(TestSupport.noise(size), exit: 3, mentions: "too short", "\(size) bytes")
        }
        for size in notWholeBlocks {
            try assertCLIDecrypt(TestSupport.noise(size), exit: 3, mentions: "not a multiple of 16", "\(size) bytes")
        }
    }

    func testCLIDecryptOfLyingPaddingExits1() throws {
        for (name, tail) in lyingTails {
            let plain = plaintext(TestSupport.noise(64, seed: 8), tail: tail)
            try assertCLIDecrypt(content(ciphertext: encryptRaw(plain)), exit: 1, mentions: "bad PKCS#7 padding", name)
        }
    }

    func testCLIDecryptOfValidPaddingSucceeds() throws {
        for (name, tail) in validTails {
            let folder = try makeTemporaryFolder()
            let plain = plaintext(TestSupport.noise(64, seed: 9), tail: tail)
            let data = content(ciphertext: encryptRaw(plain))
            let bin = try write(data, "content.bin", in: folder)
            let keys = try keyFile(mac: Array(data[0..<32]), in: folder)
            let result = try runTool(["decrypt", bin, "--encryption-info", keys, "-o", folder + "/inner.zip"])
            XCTAssertEqual(result.status, 0, "\(name): \(result.stderr)")
            XCTAssertEqual(try TestSupport.readFile(folder + "/inner.zip"), Array(plain.dropLast(tail.count)), name)
        }
    }
}
