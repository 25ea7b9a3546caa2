import Foundation
import XCTest

/// Debian's headless Chromium, as the HTML report tests run it: nothing resolvable, a profile of its own.
enum Browser {
    /// `chromium` on PATH; fails the test, saying how to install it, when it is missing.
    static func binary(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            for name in ["chromium", "chromium-browser"] where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") {
                return "\(folder)/\(name)"
            }
        }
        XCTFail("chromium is not installed: run scripts/install-deps.sh (it installs Debian's chromium package; the HTML report is checked in a real browser)", file: file, line: line)
        throw SetupError("chromium missing")
    }

    static func run(_ page: URL, _ arguments: [String], profile: URL) throws -> RunResult {
        let chromium = try binary()
        return try execute("timeout", ["120", chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
                                       "--disable-extensions", "--user-data-dir=\(profile.path)",
                                       "--host-resolver-rules=MAP * ~NOTFOUND"] + arguments + [page.absoluteString])
    }

    static func dom(_ page: URL, profile: URL) throws -> String {
        let result = try run(page, ["--dump-dom"], profile: profile)
        assertExit(result, 0, "chromium --dump-dom")
        XCTAssertTrue(result.out.contains("</html>"), "no DOM: \(result.summary)")
        return result.out
    }

    /// The rows of the summary table's body, as the DOM has them.
    static func summaryRows(_ dom: String) throws -> [String] {
        let table = try XCTUnwrap(dom.range(of: "<table class=\"summary\">"), "no summary table")
        let body = try XCTUnwrap(dom.range(of: "<tbody>", range: table.upperBound..<dom.endIndex))
        let end = try XCTUnwrap(dom.range(of: "</tbody>", range: body.upperBound..<dom.endIndex))
        return dom[body.upperBound..<end.lowerBound].components(separatedBy: "<tr").dropFirst().map { "<tr" + $0 }
    }

    /// A 1400×2000 screenshot of `page`: a PNG of that size, of some weight, whose pixel rows (inflated
    /// with Python's zlib) are far from one flat colour: in a flat image every filtered byte is 0.
    @discardableResult
    static func screenshot(_ page: URL, to png: URL, profile: URL) throws -> Data {
        let result = try run(page, ["--screenshot=\(png.path)", "--window-size=1400,2000"], profile: profile)
        assertExit(result, 0, "chromium --screenshot")
        let bytes = png.bytes
        XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "not a PNG: \(png.path)")
        XCTAssertGreaterThan(bytes.count, 100_000, "a near-empty screenshot: \(bytes.count) bytes")
        let stats = try python("""
            import struct, sys, zlib
            data = open(sys.argv[1], "rb").read()
            pos, idat, ihdr = 8, b"", None
            while pos < len(data):
                n, kind = struct.unpack(">I4s", data[pos:pos + 8])
                if kind == b"IHDR": ihdr = struct.unpack(">II", data[pos + 8:pos + 16])
                if kind == b"IDAT": idat += data[pos + 8:pos + 8 + n]
                pos += 12 + n
            raw = zlib.decompress(idat)
            print(ihdr[0], ihdr[1], 1 - raw.count(0) / len(raw))
            """, [png.path])
        assertExit(stats, 0, "reading the screenshot")
        let fields = stats.out.split(whereSeparator: \.isWhitespace)
        XCTAssertEqual(fields.count, 3, stats.summary)
        if fields.count == 3 {
            XCTAssertEqual(fields[0], "1400")
            XCTAssertEqual(fields[1], "2000")
            XCTAssertGreaterThan(Double(fields[2]) ?? 0, 0.02, "the screenshot is nearly one flat colour: \(stats.out)")
        }
        return bytes
    }
}
