import Foundation
import XCTest

/// SIGINT / SIGTERM while packing: the documented exit code, no output, no temporary file, source untouched.
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
}
