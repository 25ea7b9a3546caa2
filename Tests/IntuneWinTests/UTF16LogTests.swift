import Foundation
import XCTest
@testable import IntuneWin

/// UTF-16 logs (LE and BE, with and without a BOM) read as the same records as their UTF-8 original,
/// and the transcoder's edge cases: surrogate pairs across reads, lone surrogates, an odd last byte.
final class UTF16LogTests: XCTestCase {
    /// Longer than a 64 KiB chunk, multi-line records, a DecryptInfo blob.
    static let log = "ime2021_available-app_install-failed-exit1-unmapped.log"

    private func records(_ bytes: [UInt8]) throws -> [CMTraceRecord] {
        var all: [CMTraceRecord] = []
        try IMELogSource(.memory(bytes), name: "x.log").reader().forEach { all.append($0) }
        return all
    }

    func testUTF16VariantsGiveTheSameRecordsAsUTF8() throws {
        let utf8 = try DiagnosticsZipBuilder.fixture(Self.log)
        let expected = try CMTraceReader.records(path: TestSupport.imeLogs + "/" + Self.log).map { r -> CMTraceRecord in
            var r = r; r.source = "x.log"; return r
        }
        XCTAssertGreaterThan(expected.count, 100)
        let text = String(decoding: utf8, as: UTF8.self)
        for (label, bytes) in [("LE BOM", DiagnosticsZipBuilder.utf16LE(text)), ("LE", DiagnosticsZipBuilder.utf16LE(text, bom: false)),
                               ("BE BOM", DiagnosticsZipBuilder.utf16BE(text)), ("UTF-8", utf8)] {
            XCTAssertEqual(try records(bytes), expected, label)
        }
    }

    func testDetection() {
        func detect(_ b: [UInt8]) -> LogTextEncoding { b.withUnsafeBytes { LogTextEncoding.detect($0) } }
        XCTAssertEqual(detect(DiagnosticsZipBuilder.utf16LE("<![LOG[x]LOG]!>")), .utf16LittleEndian)
        XCTAssertEqual(detect(DiagnosticsZipBuilder.utf16LE("<![LOG[x]LOG]!>", bom: false)), .utf16LittleEndian)
        XCTAssertEqual(detect(DiagnosticsZipBuilder.utf16BE("<![LOG[x]LOG]!>", bom: false)), .utf16BigEndian)
        XCTAssertEqual(detect(Array("<![LOG[x]LOG]!>".utf8)), .utf8)
        XCTAssertEqual(detect([0xEF, 0xBB, 0xBF] + Array("<![LOG[x]".utf8)), .utf8)
        XCTAssertEqual(detect(TestSupport.noise(64)), .utf8, "noise is not UTF-16")
        XCTAssertEqual(detect([UInt8](repeating: 0, count: 64)), .utf8, "NULs alone are not UTF-16")
        XCTAssertEqual(detect([0x41, 0]), .utf8, "too short to tell without a BOM")
    }

    /// Reads everything through the transcoder with reads of `step` bytes.
    private func transcode(_ bytes: [UInt8], step: Int = 5) throws -> [UInt8] {
        let stream = TextEncodingStream(MemoryByteStream(bytes))
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: step)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
            if n == 0 { return out }
            out += buffer[0..<n]
        }
    }

    func testSurrogatePairsAcrossChunksAndLoneSurrogates() throws {
        // Pad so that a pair straddles the transcoder's 32 KiB raw chunk (and the 64-byte detection window).
        for pad in [TextEncodingStream.chunkSize / 2 - 2, TextEncodingStream.chunkSize / 2 - 1, 30, 31] {
            let text = String(repeating: "a", count: pad) + "😀 é ✓ 𝄞" + String(repeating: "b", count: 100)
            XCTAssertEqual(try transcode(DiagnosticsZipBuilder.utf16LE(text), step: 4096), Array(text.utf8), "pad \(pad)")
            XCTAssertEqual(try transcode(DiagnosticsZipBuilder.utf16BE(text), step: 7), Array(text.utf8), "pad \(pad) BE")
        }
        // A lone high surrogate before ASCII, a lone low one, a high one at the very end, an odd last byte.
        let units: [UInt16] = [0x41, 0x42, 0x43, 0x44, 0xD83D, 0x45, 0xDE00, 0x46, 0xD83D]
        var bytes: [UInt8] = [0xFF, 0xFE] + units.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        XCTAssertEqual(String(decoding: try transcode(bytes), as: UTF8.self), "ABCD\u{FFFD}E\u{FFFD}F\u{FFFD}")
        bytes.append(0x47)
        XCTAssertEqual(String(decoding: try transcode(bytes), as: UTF8.self), "ABCD\u{FFFD}E\u{FFFD}F\u{FFFD}\u{FFFD}")
    }

    func testUTF8PassesThroughUnchanged() throws {
        let bytes = try DiagnosticsZipBuilder.fixture("agentexecutor_two-writer-eras_autopilotmonitor-fixture.log")
        XCTAssertEqual(try transcode(bytes, step: 1000), bytes)
        XCTAssertEqual(try transcode([1, 2, 3]), [1, 2, 3])
        XCTAssertEqual(try transcode([]), [])
    }

    /// A UTF-16LE log file on disk, through the batch reader (as `ime-log` reads it).
    func testUTF16FileThroughTheBatchReader() throws {
        let folder = try makeTemporaryFolder()
        let name = "ime2023_v3processor_actionprocessor_statusservice.log"
        let utf8 = try DiagnosticsZipBuilder.fixture(name)
        try TestSupport.writeFile(folder + "/AppWorkload.log", DiagnosticsZipBuilder.utf16LE(String(decoding: utf8, as: UTF8.self)))
        var got: [CMTraceRecord] = []
        try CMTraceBatchReader.forEach(paths: [folder + "/AppWorkload.log"]) { got += $0 }
        let expected = try CMTraceReader.records(path: TestSupport.imeLogs + "/" + name)
        XCTAssertEqual(got.map(\.message), expected.map(\.message))
        XCTAssertEqual(got.map(\.time), expected.map(\.time))
        XCTAssertEqual(got.first?.source, folder + "/AppWorkload.log")
    }
}
