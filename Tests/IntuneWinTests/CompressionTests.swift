import Foundation
import XCTest
@testable import IntuneWin

/// Deflate, inflate and CRC-32 against Python's zlib (the same zlib Microsoft's output matches).
final class CompressionTests: XCTestCase {
    private func deflate(_ data: [UInt8], level: Int32 = 1, chunk: Int = 4096) -> [UInt8] {
        let d = Deflater(level: level)
        var out = [UInt8]()
        var i = 0
        repeat {
            let end = min(i + chunk, data.count)
            data[i..<end].withUnsafeBytes { d.process($0, finish: false) { out.append(contentsOf: $0) } }
            i = end
        } while i < data.count
        d.process(UnsafeRawBufferPointer(start: nil, count: 0), finish: true) { out.append(contentsOf: $0) }
        return out
    }

    func testLevel1DeflateIsByteIdenticalToPythonZlib() throws {
        var data = Array(String(repeating: "Intune packages compress text well. ", count: 5000).utf8)
        data += TestSupport.noise(70_000)
        let script = "import sys,zlib; c=zlib.compressobj(1, zlib.DEFLATED, -15, 8); d=sys.stdin.buffer.read(); sys.stdout.buffer.write(c.compress(d)+c.flush())"
        let python = try TestSupport.run("python3", ["-c", script], input: data)
        XCTAssertEqual(python.status, 0, python.stderr)
        XCTAssertEqual(deflate(data), python.stdout)
        XCTAssertEqual(deflate(data, chunk: 1), deflate(data, chunk: 65536), "chunking must not change the output")
    }

    func testInflateRoundTripAndCorruptInputFails() throws {
        let data = TestSupport.noise(200_000) + [UInt8](repeating: 65, count: 300_000)
        let packed = deflate(data)
        let inflater = Inflater()
        var out = [UInt8]()
        _ = try packed.withUnsafeBytes { try inflater.process($0) { out.append(contentsOf: $0) } }
        XCTAssertTrue(inflater.finished)
        XCTAssertEqual(out, data)

        var broken = packed
        broken[0] = 0xFF  // reserved block type 3
        XCTAssertThrowsError(try broken.withUnsafeBytes { try Inflater().process($0) { _ in } })
    }

    func testCRC32MatchesPythonAndCombines() throws {
        let a = TestSupport.noise(12345, seed: 1), b = TestSupport.noise(777, seed: 2)
        let python = try TestSupport.run("python3", ["-c", "import sys,zlib; print(zlib.crc32(sys.stdin.buffer.read()))"], input: a + b)
        var whole = CRC32(); whole.update(a + b)
        XCTAssertEqual(String(whole.value), String(decoding: python.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        var ca = CRC32(); ca.update(a)
        var cb = CRC32(); cb.update(b)
        XCTAssertEqual(CRC32.combine(ca.value, cb.value, secondLength: UInt64(b.count)), whole.value)
    }
}
