import Foundation
import XCTest
@testable import IntuneWin

/// The parallel pack pipeline: chunked deflate is valid for readers we did not write, output does not
/// depend on the thread count, `--exact` stays Microsoft's bytes, memory paths (in memory / spooled) agree.
final class ParallelPackTests: XCTestCase {
    /// Text that deflates well, random bytes that do not, small files, and a folder.
    private func makeSource(_ root: String) throws {
        var text = [UInt8]()
        while text.count < 5 << 20 { text += Array("line \(text.count) of a log file that compresses nicely\n".utf8) }
        try TestSupport.writeFile(root + "/big.log", text)
        try TestSupport.writeFile(root + "/random.bin", TestSupport.noise(3 << 20 + 12345))
        for n in 0..<40 { try TestSupport.writeFile(root + "/small/f\(n).txt", Array(String(repeating: "x\(n)", count: n * 50).utf8)) }
        try TestSupport.writeFile(root + "/setup.exe", TestSupport.noise(70_000, seed: 9))
    }

    private func pack(_ source: String, _ output: String, keys: EncryptionKeys? = nil, _ configure: (inout CompressionOptions) -> Void) throws -> PackResult {
        var request = PackRequest(sourceFolder: source, setupFile: "setup.exe", output: output)
        request.keys = keys
        configure(&request.compression)
        return try Packager.pack(request)
    }

    private func content(_ path: String) throws -> [UInt8] {
        let p = try IntuneWinPackage(path: path)
        return try p.content.source.readExactly(at: 0, count: Int(p.content.source.size))
    }

    func testChunkedOutputIsValidForOtherReaders() throws {
        let folder = try makeTemporaryFolder()
        try makeSource(folder + "/src")
        let result = try pack(folder + "/src", folder + "/p.intunewin") { $0.threads = 4; $0.chunkSize = 256 << 10 }
        let package = try IntuneWinPackage(path: result.outputPath)
        let report = try Verifier.verify(package, source: folder + "/src")
        XCTAssertTrue(report.passed, "\(report.failures)")
        let oracle = try TestSupport.run("python3", [TestSupport.oracle, "check", result.outputPath, "--source", folder + "/src"])
        XCTAssertEqual(oracle.status, 0, String(decoding: oracle.stdout, as: UTF8.self))
        _ = try Decryptor.decrypt(package.content, keys: ContentKeys(package.detection), output: .zipFile(folder + "/inner.zip"), overwrite: false)
        XCTAssertEqual(try TestSupport.run("unzip", ["-tqq", folder + "/inner.zip"]).status, 0)
        let sevenZip = try TestSupport.run("7z", ["t", folder + "/inner.zip"])
        XCTAssertEqual(sevenZip.status, 0, sevenZip.stderr)
        XCTAssertTrue(String(decoding: sevenZip.stdout, as: UTF8.self).contains("Everything is Ok"))
    }

    func testThreadCountDoesNotChangeTheBytes() throws {
        let folder = try makeTemporaryFolder()
        try makeSource(folder + "/src")
        let keys = EncryptionKeys.random()
        let one = try pack(folder + "/src", folder + "/1.intunewin", keys: keys) { $0.threads = 1 }
        let four = try pack(folder + "/src", folder + "/4.intunewin", keys: keys) { $0.threads = 4 }
        XCTAssertEqual(try content(one.outputPath), try content(four.outputPath), "chunked: same bytes for any thread count")
        let exactOne = try pack(folder + "/src", folder + "/e1.intunewin", keys: keys) { $0.threads = 1; $0.exact = true }
        let exactFour = try pack(folder + "/src", folder + "/e4.intunewin", keys: keys) { $0.threads = 4; $0.exact = true }
        XCTAssertEqual(try content(exactOne.outputPath), try content(exactFour.outputPath), "exact: same bytes for any thread count")
        XCTAssertNotEqual(one.detection.encryptionInfo.fileDigest, exactOne.detection.encryptionInfo.fileDigest,
                          "files over one chunk are deflated differently in the two modes")
    }

    func testExactModeDeflatesEachFileWhole() throws {
        let folder = try makeTemporaryFolder()
        try makeSource(folder + "/src")
        let result = try pack(folder + "/src", folder + "/e.intunewin") { $0.exact = true; $0.threads = 3 }
        let package = try IntuneWinPackage(path: result.outputPath)
        _ = try Decryptor.decrypt(package.content, keys: ContentKeys(package.detection), output: .zipFile(folder + "/inner.zip"), overwrite: false)
        // Python's zlib (the same zlib Microsoft's output matches) gives the same deflate stream for each entry.
        let script = """
        import zipfile, zlib, sys
        z = zipfile.ZipFile(sys.argv[1])
        for i in z.infolist():
            raw = z.open(i).read()
            with open(sys.argv[1], 'rb') as f:
                f.seek(i.header_offset + 26); n, m = int.from_bytes(f.read(2), 'little'), int.from_bytes(f.read(2), 'little')
                f.seek(i.header_offset + 30 + n + m); stored = f.read(i.compress_size)
            if i.compress_type == 8:
                c = zlib.compressobj(1, zlib.DEFLATED, -15, 8)
                assert c.compress(raw) + c.flush() == stored, i.filename
        print('ok')
        """
        let python = try TestSupport.run("python3", ["-c", script, folder + "/inner.zip"])
        XCTAssertEqual(python.status, 0, python.stderr)
    }

    /// Files over the buffer limit are deflated once into a spool: in memory, or (past `spoolMemory`) in an
    /// unlinked file in the output folder. Every way gives the in-memory bytes, and leaves only the package.
    func testSpooledPathForFilesOverTheBufferLimit() throws {
        let folder = try makeTemporaryFolder()
        try makeSource(folder + "/src")
        for exact in [false, true] {
            let keys = EncryptionKeys.random()
            let roomy = try pack(folder + "/src", folder + "/roomy-\(exact)/p.intunewin", keys: keys) {
                $0.exact = exact; $0.chunkSize = 128 << 10
            }
            for spoolMemory in [8 << 20, 64 << 10] {
                let out = folder + "/spooled-\(exact)-\(spoolMemory)"
                let spooled = try pack(folder + "/src", out + "/p.intunewin", keys: keys) {
                    $0.exact = exact; $0.bufferLimit = 1 << 20; $0.memoryBudget = 1 << 20; $0.chunkSize = 128 << 10
                    $0.spoolMemory = spoolMemory
                }
                XCTAssertEqual(try content(spooled.outputPath), try content(roomy.outputPath),
                               "spooled (\(spoolMemory) bytes in memory) gives the in-memory bytes (exact \(exact))")
                XCTAssertTrue(try Verifier.verify(try IntuneWinPackage(path: spooled.outputPath), source: folder + "/src").passed)
                XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out), ["p.intunewin"], "no spool file left")
            }
        }
    }

    func testStoreIncompressibleAndCompressionLevels() throws {
        let folder = try makeTemporaryFolder()
        try makeSource(folder + "/src")
        let stored = try pack(folder + "/src", folder + "/s.intunewin") { $0.storeIncompressible = true; $0.chunkSize = 512 << 10 }
        let entries = try IntuneWinPackage(path: stored.outputPath).innerZip().entries
        XCTAssertEqual(entries.first { $0.name == "random.bin" }?.method, ZipEntry.stored)
        XCTAssertEqual(entries.first { $0.name == "setup.exe" }?.method, ZipEntry.stored, "a single-chunk file that does not shrink")
        XCTAssertEqual(entries.first { $0.name == "big.log" }?.method, ZipEntry.deflated)
        XCTAssertTrue(try Verifier.verify(try IntuneWinPackage(path: stored.outputPath), source: folder + "/src").passed)
        for level: Int32 in [0, 6, 9] {
            let result = try pack(folder + "/src", folder + "/l\(level).intunewin") { $0.level = level }
            XCTAssertTrue(try Verifier.verify(try IntuneWinPackage(path: result.outputPath), source: folder + "/src").passed, "level \(level)")
        }
    }

    /// Small files are compressed in batches. A memory window smaller than one batch makes the reader
    /// hand over a partial batch before it waits (otherwise it would wait for itself); the bytes must not
    /// depend on how the files were batched.
    func testSmallFileBatchesGiveTheSameBytesWhateverTheWindow() throws {
        let folder = try makeTemporaryFolder()
        for n in 0..<300 {
            let size = (n * 7919) % 20_000  // 0 to 20 KB, some empty
            try TestSupport.writeFile(folder + "/src/d\(n % 7)/f\(n).txt", Array(String(repeating: "word\(n % 13) ", count: size / 6).utf8))
        }
        try TestSupport.writeFile(folder + "/src/setup.exe", TestSupport.noise(300_000, seed: 4))  // over a batch: its own job
        let keys = EncryptionKeys.random()
        let tight = try pack(folder + "/src", folder + "/tight.intunewin", keys: keys) { $0.memoryBudget = 16 << 10; $0.bufferLimit = 64 << 10; $0.threads = 3 }
        let roomy = try pack(folder + "/src", folder + "/roomy.intunewin", keys: keys) { $0.threads = 2 }
        let single = try pack(folder + "/src", folder + "/single.intunewin", keys: keys) { $0.threads = 1 }
        XCTAssertEqual(try content(tight.outputPath), try content(roomy.outputPath))
        XCTAssertEqual(try content(single.outputPath), try content(roomy.outputPath))
        XCTAssertEqual(tight.entryCount, 301)
        XCTAssertTrue(try Verifier.verify(try IntuneWinPackage(path: tight.outputPath), source: folder + "/src").passed)
    }

    /// A small file that disappears after the plan was made fails the pack with its name, whichever
    /// batch it was in, and leaves no output.
    func testSmallFileVanishingMidBatchFailsCleanly() throws {
        let folder = try makeTemporaryFolder()
        for n in 0..<100 { try TestSupport.writeFile(folder + "/src/f\(String(format: "%03d", n)).txt", Array("file \(n)\n".utf8)) }
        try TestSupport.writeFile(folder + "/src/setup.exe", Array("setup".utf8))
        let plan = try SourceTree.scan(root: folder + "/src")
        try FileManager.default.removeItem(atPath: folder + "/src/f050.txt")
        let output = folder + "/out/p.intunewin"
        try FileManager.default.createDirectory(atPath: folder + "/out", withIntermediateDirectories: true)
        var request = PackRequest(sourceFolder: folder + "/src", setupFile: "setup.exe", output: output)
        request.compression.threads = 2
        let error = assertThrows(.badInput) {
            try Packager.write(plan: plan, name: "setup.exe", setupFile: "setup.exe", to: output, request: request)
        }
        XCTAssertTrue("\(error.map { "\($0)" } ?? "")".contains("f050.txt"), "\(String(describing: error))")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder + "/out"), [])
    }
}
