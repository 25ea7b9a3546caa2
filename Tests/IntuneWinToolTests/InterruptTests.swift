import Foundation
import XCTest

/// SIGINT / SIGTERM while packing, unpacking or decrypting: the documented exit code, no output, no temporary
/// file or staging folder, input untouched.
final class InterruptTests: ToolTestCase {
    /// Big enough that packing takes seconds; grown (never skipped) if a fast machine finishes first.
    private static let startSize = 400 * 1024 * 1024
    private static let maxSize = 1600 * 1024 * 1024
    private static let signalDelay: TimeInterval = 0.5

    /// Appends `count` random-looking bytes to `file`, fast (AES-CTR keystream from openssl).
    private func grow(_ file: URL, by count: Int) throws {
        let result = try execute("sh", ["-c", "openssl enc -aes-128-ctr -pass pass:x -nosalt -pbkdf2 < /dev/zero 2>/dev/null | head -c \(count) >> \"$1\"", "sh", file.path])
        assertExit(result, 0, "generate random data")
    }

    /// What "untouched" means for the source folder: same names, sizes and modification times.
    private func fingerprint(_ folder: URL) throws -> [String: String] {
        var result: [String: String] = [:]
        for name in listing(folder) {
            let attributes = try FileManager.default.attributesOfItem(atPath: folder.appending(name).path)
            result[name] = "\(attributes[.size] ?? "-") \(attributes[.modificationDate] ?? "-")"
        }
        return result
    }

    private func assertInterruptedPackCleansUp(signal sig: Int32, expectedExit: Int32, file: StaticString = #filePath, line: UInt = #line) throws {
        let src = path("src")
        try write("MZ setup\n", to: src.appending("setup.exe"))
        let big = src.appending("big.bin")
        try grow(big, by: Self.startSize)
        let out = path("out")
        try makeFolder(out)

        var size = Self.startSize
        while true {
            let before = try fingerprint(src)
            let process = try RunningProcess(executable: Tool.binary, arguments: ["pack", "-c", src.path, "-s", "setup.exe", "-o", out.path])
            Thread.sleep(forTimeInterval: Self.signalDelay)
            let wasRunning = process.isRunning
            if wasRunning { process.signal(sig) }
            let result = process.wait()

            if !wasRunning {
                // Finished before the signal: remove its package, make the input bigger and try again.
                XCTAssertLessThan(size, Self.maxSize, "pack of \(size >> 20) MiB finished within \(Self.signalDelay) s\n\(result.summary)",
                                  file: file, line: line)
                guard size < Self.maxSize else { return }
                for name in listing(out) { try FileManager.default.removeItem(at: out.appending(name)) }
                try grow(big, by: size)
                size *= 2
                continue
            }
            assertExit(result, expectedExit, "signal \(sig) during pack", file: file, line: line)
            XCTAssertEqual(listing(out), [], "output folder after the interrupt", file: file, line: line)
            XCTAssertEqual(try fingerprint(src), before, "the source folder changed", file: file, line: line)
            XCTAssertTrue(result.err.contains("interrupted"), result.summary, file: file, line: line)
            return
        }
    }

    func testSIGINTDuringPackExits130AndRemovesThePartialOutput() throws {
        try assertInterruptedPackCleansUp(signal: SIGINT, expectedExit: 130)
    }

    func testSIGTERMDuringPackExits143AndRemovesThePartialOutput() throws {
        try assertInterruptedPackCleansUp(signal: SIGTERM, expectedExit: 143)
    }

    // MARK: - unpack and decrypt

    override class func tearDown() {
        LargePackage.removeAll()
        super.tearDown()
    }

    /// Per file of the large package: 4 files, so both extraction workers are writing when the signal comes.
    private static let unpackStartSize = 32 * 1024 * 1024
    private static let unpackMaxSize = 256 * 1024 * 1024

    /// Runs `arguments(package, parent)`, waits until the temporary output in `parent` holds written bytes
    /// (the HMAC pass is over, files are being written), then sends `sig`. Nothing may be left in `parent`:
    /// no staging folder or partial file, no target; the package is untouched.
    private func assertInterruptedWriteCleansUp(_ what: String, signal sig: Int32, expectedExit: Int32,
                                                arguments: (URL, URL) -> [String],
                                                file: StaticString = #filePath, line: UInt = #line) throws {
        let parent = path("out")
        try makeFolder(parent)
        var size = Self.unpackStartSize
        while true {
            let package = try LargePackage.package(fileSize: size)
            let before = try fingerprint(package.deletingLastPathComponent())
            let process = try RunningProcess(executable: Tool.binary, arguments: arguments(package, parent))
            var signalled = false
            let deadline = Date().addingTimeInterval(120)
            while process.isRunning && Date() < deadline {
                if stagingHoldsData(parent) {
                    process.signal(sig)
                    signalled = true
                    break
                }
                usleep(1_000)
            }
            let result = process.wait()
            if !signalled || (result.status == 0 && !result.signaled) {
                // Finished before anything was seen being written: a bigger package, and again.
                XCTAssertLessThan(size, Self.unpackMaxSize, "\(what) of \(LargePackage.fileCount) × \(size >> 20) MiB finished before a signal could land\n\(result.summary)",
                                  file: file, line: line)
                guard size < Self.unpackMaxSize else { return }
                for name in listing(parent) { try FileManager.default.removeItem(at: parent.appending(name)) }
                size *= 2
                continue
            }
            assertExit(result, expectedExit, "signal \(sig) during \(what)", file: file, line: line)
            XCTAssertTrue(result.err.contains("interrupted"), result.summary, file: file, line: line)
            XCTAssertEqual(listing(parent), [], "after the interrupt of \(what): no staging folder, partial file or target", file: file, line: line)
            XCTAssertEqual(try fingerprint(package.deletingLastPathComponent()), before, "the package changed", file: file, line: line)
            return
        }
    }

    func testSIGINTDuringUnpackExits130AndRemovesTheStagingFolder() throws {
        try assertInterruptedWriteCleansUp("unpack", signal: SIGINT, expectedExit: 130) { package, parent in
            ["unpack", package.path, "-o", parent.appending("app").path]
        }
    }

    func testSIGTERMDuringUnpackExits143AndRemovesTheStagingFolder() throws {
        try assertInterruptedWriteCleansUp("unpack", signal: SIGTERM, expectedExit: 143) { package, parent in
            ["unpack", package.path, "-o", parent.appending("app").path]
        }
    }

    func testSIGINTDuringDecryptToFolderExits130AndRemovesTheStagingFolder() throws {
        try assertInterruptedWriteCleansUp("decrypt to a folder", signal: SIGINT, expectedExit: 130) { package, parent in
            ["decrypt", package.path, "--encryption-info", package.path, "-o", parent.appending("app").path]
        }
    }

    func testSIGTERMDuringDecryptToFolderExits143AndRemovesTheStagingFolder() throws {
        try assertInterruptedWriteCleansUp("decrypt to a folder", signal: SIGTERM, expectedExit: 143) { package, parent in
            ["decrypt", package.path, "--encryption-info", package.path, "-o", parent.appending("app").path]
        }
    }

    func testSIGINTDuringDecryptToZipExits130AndRemovesThePartialFile() throws {
        try assertInterruptedWriteCleansUp("decrypt to a zip", signal: SIGINT, expectedExit: 130) { package, parent in
            ["decrypt", package.path, "--encryption-info", package.path, "-o", parent.appending("inner.zip").path]
        }
    }

    func testSIGTERMDuringDecryptToZipExits143AndRemovesThePartialFile() throws {
        try assertInterruptedWriteCleansUp("decrypt to a zip", signal: SIGTERM, expectedExit: 143) { package, parent in
            ["decrypt", package.path, "--encryption-info", package.path, "-o", parent.appending("inner.zip").path]
        }
    }
}
