import Foundation
import XCTest
@testable import IntuneWin

/// Encrypted content that is not what AES-256-CBC/PKCS#7 produces: a length that is not whole blocks, too
/// short for MAC + IV + one block, and padding that lies (0, 17, 0xFF, inconsistent bytes) under a valid
/// HMAC. Each gives a clean error of the right kind from EncryptedContent, Decryptor and Verifier, and writes
/// nothing. (Through the CLI: HostileCiphertextCLITests in the tool's suite.)
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

    private func write(_ bytes: [UInt8], _ name: String, in folder: String) throws -> String {
        let path = folder + "/" + name
        try TestSupport.writeFile(path, bytes)
        return path
    }

    private func open(_ path: String) throws -> EncryptedContent { try EncryptedContent(source: try FileRegion(path: path)) }

    private var keys: ContentKeys { get throws { try ContentKeys(encryptionKey: key, initializationVector: iv, macKey: macKey) } }

    // MARK: Lengths

    private let tooShort = HostileCiphertext.tooShort
    private let notWholeBlocks = HostileCiphertext.notWholeBlocks
    private let lyingTails = HostileCiphertext.lyingTails
    private let validTails = HostileCiphertext.validTails

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
            let plain = HostileCiphertext.plaintext(TestSupport.noise(64, seed: 5), tail: tail)
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
            let plain = HostileCiphertext.plaintext(body, tail: tail)
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
            let path = try write(content(ciphertext: encryptRaw(HostileCiphertext.plaintext(TestSupport.noise(48), tail: tail)), badMac: true), "both.bin", in: folder)
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
            let plain = HostileCiphertext.plaintext(zip, tail: tail)
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
}
