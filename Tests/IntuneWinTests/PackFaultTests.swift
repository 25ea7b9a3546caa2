import Foundation
import XCTest
@testable import IntuneWin

/// A source file that changes between the scan and the write, or while a large file is read: every path
/// of the packer (small-file batch, in memory, spooled, exact spooled, empty file) fails with bad input
/// "file changed while packing" naming the file, and writes nothing (no spool file left either).
final class PackFaultTests: XCTestCase {
    /// Small buffers so that small sizes take every path: up to 16 KiB a batched small file, up to 64 KiB
    /// in memory, beyond that spooled in 16 KiB chunks with at most 64 KiB read ahead.
    private func request(_ folder: String, exact: Bool = false) -> PackRequest {
        var request = PackRequest(sourceFolder: folder + "/src", setupFile: "setup.exe", output: folder + "/out/p.intunewin")
        request.compression.threads = 2
        request.compression.chunkSize = 16 << 10
        request.compression.bufferLimit = 64 << 10
        request.compression.memoryBudget = 64 << 10
        request.compression.exact = exact
        return request
    }

    private enum Route: String, CaseIterable {
        case empty, smallBatch, inMemory, spooled
        var size: Int {
            switch self {
            case .empty: return 0
            case .smallBatch: return 8 << 10
            case .inMemory: return 48 << 10
            case .spooled: return 1 << 20
            }
        }
    }

    /// `a-target.bin` (first in the inner zip) of `size` random bytes, plus setup.exe and a few small files
    /// after it. Returns the folder, the target's path and the scanned plan.
    private func makeSource(size: Int, label: String = #function) throws -> (folder: String, target: String, plan: [SourceEntry]) {
        let folder = try makeTemporaryFolder(label)
        let target = folder + "/src/a-target.bin"
        try TestSupport.writeFile(target, TestSupport.noise(size, seed: 3))
        try TestSupport.writeFile(folder + "/src/setup.exe", Array("MZ setup".utf8))
        for n in 0..<5 { try TestSupport.writeFile(folder + "/src/z/f\(n).txt", Array("file \(n)\n".utf8)) }
        try FileManager.default.createDirectory(atPath: folder + "/out", withIntermediateDirectories: true)
        let plan = try SourceTree.scan(root: folder + "/src")
        XCTAssertEqual(plan.first?.components, ["a-target.bin"])
        return (folder, target, plan)
    }

    private func write(_ plan: [SourceEntry], _ folder: String, exact: Bool = false,
                       progress: ((UInt64) -> Void)? = nil) throws -> PackResult {
        try Packager.write(plan: plan, name: "setup.exe", setupFile: "setup.exe", to: folder + "/out/p.intunewin",
                           request: request(folder, exact: exact), progress: progress)
    }

    /// The write fails with bad input naming `target`, the reason contains `reason`, and the output folder is empty.
    private func assertFails(_ folder: String, target: String, reason: String, _ what: String,
                             file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> PackResult) {
        let error = assertThrows(.badInput, file: file, line: line) { try body() }
        XCTAssertEqual(error?.path, target, "\(what): \(String(describing: error))", file: file, line: line)
        XCTAssertTrue(error?.reason.contains(reason) == true, "\(what): expected “\(reason)”, got \(String(describing: error))", file: file, line: line)
        XCTAssertEqual(leftovers(folder + "/out"), [], "\(what): output left behind", file: file, line: line)
    }

    /// What is in `folder` once the failed write's partial file is gone, waiting up to 5 s: Packager.write
    /// leaves the removal to AtomicOutputFile's deinit, which runs only when the pipeline's threads have
    /// dropped their last reference — a few milliseconds after the error is thrown (see the report on
    /// issue #8: an explicit discard on the error path would make it immediate).
    private func leftovers(_ folder: String) -> [String] {
        let deadline = Date().addingTimeInterval(5)
        while true {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            if names.isEmpty || Date() > deadline { return names }
            usleep(1_000)
        }
    }

    private func truncate(_ path: String, to size: Int) {
        XCTAssertNoThrow(try {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try handle.truncate(atOffset: UInt64(size))
        }())
    }

    private func append(_ path: String, _ bytes: [UInt8]) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(bytes))
    }

    /// Overwrites `bytes.count` bytes at `offset` without changing the size.
    private func overwrite(_ path: String, at offset: Int, _ bytes: [UInt8]) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        try handle.write(contentsOf: Data(bytes))
    }

    // MARK: Control

    /// Unchanged, the same sources and options pack and verify: the failures below come from the change.
    func testUnchangedSourcePacksOnEveryRoute() throws {
        for route in Route.allCases {
            for exact in [false, true] {
                let (folder, _, plan) = try makeSource(size: route.size)
                let result = try write(plan, folder, exact: exact)
                let report = try Verifier.verify(try IntuneWinPackage(path: result.outputPath), source: folder + "/src")
                XCTAssertTrue(report.passed, "\(route) exact \(exact): \(report.failures)")
            }
        }
    }

    // MARK: Changed between the scan and the write

    func testFileShorterThanScannedFailsOnEveryRoute() throws {
        for route in Route.allCases where route != .empty {
            let (folder, target, plan) = try makeSource(size: route.size)
            truncate(target, to: route.size / 2)
            assertFails(folder, target: target, reason: "file changed while packing (shorter than \(route.size) bytes)", "\(route)") {
                try write(plan, folder)
            }
        }
    }

    func testFileLongerThanScannedFailsOnEveryRoute() throws {
        for route in Route.allCases {
            for exact in [false, true] {
                let (folder, target, plan) = try makeSource(size: route.size)
                try append(target, Array("more".utf8))
                assertFails(folder, target: target, reason: "file changed while packing (grew beyond \(route.size) bytes)",
                            "\(route) exact \(exact)") {
                    try write(plan, folder, exact: exact)
                }
            }
        }
    }

    func testFileGoneAfterTheScanFailsOnEveryRoute() throws {
        for route in Route.allCases {
            let (folder, target, plan) = try makeSource(size: route.size)
            try FileManager.default.removeItem(atPath: target)
            assertFails(folder, target: target, reason: "cannot read: No such file or directory", "\(route)") { try write(plan, folder) }
        }
    }

    func testFileReplacedByAFolderAfterTheScanFails() throws {
        for route in [Route.inMemory, .spooled] {
            let (folder, target, plan) = try makeSource(size: route.size)
            try FileManager.default.removeItem(atPath: target)
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
            assertFails(folder, target: target, reason: "cannot read", "\(route)") { try write(plan, folder) }
        }
    }

    // MARK: Changed while a large file is read

    /// Calls `change` once, at the first progress report: a spooled file reports progress as each chunk
    /// is compressed, and the reader is then at most 64 KiB (the memory budget) ahead, so a change past
    /// that offset happens while the file is still being read.
    private func changeWhileRead(_ change: @escaping () throws -> Void) -> (UInt64) -> Void {
        var done = false
        return { (_: UInt64) -> Void in
            guard !done else { return }
            done = true
            do { try change() } catch { XCTFail("changing the file failed: \(error)") }
        }
    }

    func testContentChangedWhileReadFails() throws {
        let size = Route.spooled.size
        let (folder, target, plan) = try makeSource(size: size)
        assertFails(folder, target: target, reason: "file changed while packing (modified while it was read)", "chunked") {
            try write(plan, folder, progress: changeWhileRead { try self.overwrite(target, at: size - (16 << 10), TestSupport.noise(16 << 10, seed: 99)) })
        }
    }

    /// Exact mode deflates a large file as one stream, read in 1 MiB pieces on the writing thread: a change
    /// in the last MiB after the first piece is compressed happens while the file is read.
    func testContentChangedWhileReadFailsInExactMode() throws {
        let size = 3 << 20
        let (folder, target, plan) = try makeSource(size: size)
        assertFails(folder, target: target, reason: "file changed while packing (modified while it was read)", "exact") {
            try write(plan, folder, exact: true,
                      progress: changeWhileRead { try self.overwrite(target, at: size - 100, Array(repeating: 0x41, count: 100)) })
        }
    }

    func testFileShortenedWhileReadFails() throws {
        let size = Route.spooled.size
        for exact in [false, true] {
            let (folder, target, plan) = try makeSource(size: exact ? 3 << 20 : size)
            let full = exact ? 3 << 20 : size
            assertFails(folder, target: target, reason: "file changed while packing (shorter than \(full) bytes)", "exact \(exact)") {
                try write(plan, folder, exact: exact, progress: changeWhileRead { self.truncate(target, to: full - (exact ? 1 << 20 : 16 << 10)) })
            }
        }
    }

    func testFileGrownWhileReadFails() throws {
        for exact in [false, true] {
            let full = exact ? 3 << 20 : Route.spooled.size
            let (folder, target, plan) = try makeSource(size: full)
            assertFails(folder, target: target, reason: "file changed while packing (grew beyond \(full) bytes)", "exact \(exact)") {
                try write(plan, folder, exact: exact, progress: changeWhileRead { try self.append(target, Array(repeating: 0x42, count: 1000)) })
            }
        }
    }
}
