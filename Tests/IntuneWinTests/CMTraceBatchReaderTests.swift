import Foundation
import XCTest
@testable import IntuneWin

/// The batch reader gives the same records in the same order as reading the files one after another, stops
/// where a file cannot be read (after the records before it), and ends cleanly when its caller gives up.
final class CMTraceBatchReaderTests: XCTestCase {
    private func logPaths() throws -> [String] {
        let folder = TestSupport.imeLogs
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".log") }.sorted()
        XCTAssertGreaterThan(names.count, 3)
        return names.map { folder + "/" + $0 }
    }

    private func sequential(_ paths: [String]) throws -> [CMTraceRecord] {
        try paths.flatMap { try CMTraceReader.records(path: $0) }
    }

    func testSameRecordsInTheSameOrderAsOneFileAfterAnother() throws {
        let paths = try logPaths()
        let want = try sequential(paths + paths)
        for size in [1, 7, 256, 100_000] {
            var got: [CMTraceRecord] = []
            var batches = 0
            try CMTraceBatchReader.forEach(paths: paths + paths, batchSize: size) { batch in
                XCTAssertFalse(batch.isEmpty)
                XCTAssertLessThanOrEqual(batch.count, size)
                batches += 1
                got += batch
            }
            XCTAssertEqual(got.count, want.count, "batch size \(size)")
            XCTAssertTrue(got == want, "batch size \(size): records differ")
            XCTAssertEqual(batches, (want.count + size - 1) / size, "batch size \(size): only the last batch is short")
        }
    }

    func testAnUnreadableFileStopsAfterTheRecordsBeforeIt() throws {
        let paths = try logPaths()
        let missing = try makeTemporaryFolder() + "/gone.log"
        let before = try sequential(Array(paths.prefix(2)))
        var got: [CMTraceRecord] = []
        let error = assertThrows(.badInput) {
            try CMTraceBatchReader.forEach(paths: Array(paths.prefix(2)) + [missing] + paths, batchSize: 5) { got += $0 }
        }
        XCTAssertEqual(error?.path, missing)
        XCTAssertTrue(got == before, "every record before the unreadable file, and none after")
    }

    func testACallerThatGivesUpEndsTheReader() throws {
        let paths = try logPaths()
        struct Enough: Error {}
        var calls = 0
        // Many batches ahead of the reader's slots: the reader must be waiting for one when the caller stops.
        XCTAssertThrowsError(try CMTraceBatchReader.forEach(paths: paths + paths + paths, batchSize: 1) { _ in
            calls += 1
            if calls == 2 { Thread.sleep(forTimeInterval: 0.05); throw Enough() }
        }) { XCTAssertTrue($0 is Enough) }
        XCTAssertEqual(calls, 2)
    }
}
