import Foundation
import XCTest
@testable import IntuneWin

/// Content at the sizes that break naive implementations: 70,000 files (more than a classic zip's
/// 65,535 entries, so Zip64 end records) and a file over 4 GiB (Zip64 sizes in both zips).
/// Slow tests, run by `make test` and CI all the same.
final class LargeContentTests: XCTestCase {
    func testSeventyThousandFiles() throws {
        let folder = try makeTemporaryFolder()
        let src = folder + "/src"
        for dir in 0..<70 {
            let path = src + "/d\(dir)"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            for n in 0..<1000 {
                _ = FileManager.default.createFile(atPath: path + "/f\(n).txt", contents: Data("file \(dir)/\(n)\n".utf8))
            }
        }
        try TestSupport.writeFile(src + "/setup.cmd", Array("@echo off".utf8))
        let result = try Packager.pack(PackRequest(sourceFolder: src, setupFile: "setup.cmd", output: folder + "/out"))
        XCTAssertEqual(result.entryCount, 70_001)
        let package = try IntuneWinPackage(path: result.outputPath)
        let report = try Verifier.verify(package)
        XCTAssertTrue(report.passed, "\(report.failures)")
        XCTAssertEqual(report.entryCount, 70_001)
        // Readers we did not write must agree: Python's zipfile reads the Zip64 end records.
        _ = try Decryptor.decrypt(package.content, keys: ContentKeys(package.detection), output: .zipFile(folder + "/inner.zip"), overwrite: false)
        let python = try TestSupport.run("python3", ["-c", "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(len(z.infolist()))", folder + "/inner.zip"])
        XCTAssertEqual(python.status, 0, python.stderr)
        XCTAssertEqual(String(decoding: python.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), "70001")
        let unzip = try TestSupport.run("unzip", ["-tqq", folder + "/inner.zip"])
        XCTAssertEqual(unzip.status, 0, unzip.stderr)
    }

    /// A sparse file of 4 GiB + 1 MiB packed at deflate level 0 (fast; the Zip64 paths are the same as at
    /// level 1), so the inner entry's sizes and the outer content both pass 4 GiB.
    func testFileOverFourGiBUsesZip64InBothZips() throws {
        let folder = try makeTemporaryFolder()
        let src = folder + "/src"
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        let big = src + "/big.bin"
        let size: UInt64 = (4 << 30) + (1 << 20)
        XCTAssertTrue(FileManager.default.createFile(atPath: big, contents: Data("head".utf8)))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: big))
        try handle.truncate(atOffset: size)
        try handle.seek(toOffset: size - 4)
        handle.write(Data("tail".utf8))
        try handle.close()
        try TestSupport.writeFile(src + "/setup.cmd", Array("@echo off".utf8))

        var request = PackRequest(sourceFolder: src, setupFile: "setup.cmd", output: folder + "/out")
        request.compression.level = 0
        let result = try Packager.pack(request)
        XCTAssertGreaterThan(result.encryptedSize, UInt64(UInt32.max))

        let package = try IntuneWinPackage(path: result.outputPath)
        XCTAssertEqual(package.contentEntry.versionNeeded, 45, "outer content entry needs Zip64")
        let inner = try package.innerZip()
        let bigEntry = try XCTUnwrap(inner.entries.first { $0.name == "big.bin" })
        XCTAssertEqual(bigEntry.uncompressedSize, size)
        XCTAssertEqual(bigEntry.versionNeeded, 45)
        let report = try Verifier.verify(package)
        XCTAssertTrue(report.passed, "\(report.failures)")

        // Info-ZIP reads the outer Zip64 entry and checks its CRC over all 4 GiB.
        let unzip = try TestSupport.run("unzip", ["-tqq", result.outputPath])
        XCTAssertEqual(unzip.status, 0, unzip.stderr)
        // Python's zipfile reads the inner Zip64 fields (central directory only: reading 4 GiB again adds nothing).
        _ = try Decryptor.decrypt(package.content, keys: ContentKeys(package.detection), output: .zipFile(folder + "/inner.zip"), overwrite: false)
        let python = try TestSupport.run("python3", ["-c", "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); i=z.getinfo('big.bin'); print(i.file_size, i.compress_size > 2**32)", folder + "/inner.zip"])
        XCTAssertEqual(python.status, 0, python.stderr)
        XCTAssertEqual(String(decoding: python.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), "\(size) True")
    }
}
