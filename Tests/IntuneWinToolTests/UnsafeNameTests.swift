import Foundation
import XCTest

/// A package no device can unpack is not a success, through the binary: names Windows refuses or folds
/// together fail `pack` (exit 3, nothing written) unless `--allow-unsafe-names`; findings that may be fine
/// stay warnings; what pack accepts, our own verify and unpack accept too.
final class UnsafeNameTests: ToolTestCase {
    private func source(with names: [String]) throws -> URL {
        let src = try makeApp("app-\(names.count)-\(UUID().uuidString.prefix(6))")
        for (index, name) in names.enumerated() { try write("file \(index)\n", to: src.appending(name)) }
        return src
    }

    func testNamesNoDeviceCanUnpackFailThePack() throws {
        let cases: [([String], [String])] = [
            (["Readme.txt", "README.txt"], ["Readme.txt", "differ only in case"]),
            (["CON.txt"], ["CON.txt", "reserved device name"]),
            (["say \"hi\".txt"], ["say \"hi\".txt", "Windows names cannot hold"]),
            (["docs/Guide.pdf", "Docs/guide.pdf"], ["guide.pdf", "differ only in case"]),
        ]
        for (index, (names, said)) in cases.enumerated() {
            let src = try source(with: names)
            let names = try FileManager.default.subpathsOfDirectory(atPath: src.path)
            if index == 0 || index == 3 { try XCTSkipIf(names.count < 5, "the file system folds case") }
            let output = path("out-\(index)")
            let refused = try tool("pack", "-c", src.path, "-s", "setup.exe", "-o", output.path)
            assertExit(refused, 3, refused.summary)
            assertOneLineError(refused, naming: src.lastPathComponent)
            for word in said { XCTAssertTrue(refused.err.contains(word), "\(word): \(refused.summary)") }
            XCTAssertTrue(refused.err.contains("--allow-unsafe-names"), refused.summary)
            XCTAssertFalse(output.exists, "nothing written: \(listing(output))")
            // Microsoft's spelling and --json fail the same way.
            let json = try tool("-c", src.path, "-s", "setup.exe", "-o", output.path, "-q", "--json")
            assertExit(json, 3, json.summary)
            XCTAssertEqual(json.out, "", json.summary)
        }
    }

    func testEveryProblemIsNamed() throws {
        let src = try source(with: ["CON.txt", "a|b.txt", "sub/NUL"])
        let refused = try tool("pack", "-c", src.path, "-s", "setup.exe", "-o", path("out").path)
        assertExit(refused, 3, refused.summary)
        XCTAssertTrue(refused.err.contains("3 names no Windows device can unpack"), refused.summary)
        for name in ["CON.txt", "a|b.txt", "sub/NUL"] { XCTAssertTrue(refused.err.contains(name), "\(name): \(refused.summary)") }
        // lint names each on its own line, as an error.
        let lint = try tool("lint", "-c", src.path, "-s", "setup.exe", "--json")
        assertExit(lint, 1, lint.summary)
        let findings = try XCTUnwrap(try lint.jsonObject()["findings"] as? [[String: Any]])
        XCTAssertEqual(findings.compactMap { $0["path"] as? String }.sorted(), ["CON.txt", "a|b.txt", "sub/NUL"])
        XCTAssertEqual(Set(findings.compactMap { $0["severity"] as? String }), ["error"])
    }

    func testAllowUnsafeNamesPacksWithWarningsAndOurReadersAgree() throws {
        let src = try source(with: ["CON.txt"])
        let packed = try tool("pack", "-c", src.path, "-s", "setup.exe", "-o", path("out").path, "--allow-unsafe-names")
        assertExit(packed, 0, packed.summary)
        XCTAssertTrue(packed.err.contains("warning") && packed.err.contains("CON.txt"), packed.summary)
        let package = path("out/setup.intunewin")
        XCTAssertEqual(try tool("verify", package.path, "-q").status, 0)
        let unpacked = try tool("unpack", package.path, "-o", path("unpacked").path)
        assertExit(unpacked, 0, unpacked.summary)
        XCTAssertTrue(path("unpacked/CON.txt").exists)
        // --strict still fails on every finding, allowed names too.
        let strict = try tool("pack", "-c", src.path, "-s", "setup.exe", "-o", path("strict").path, "--allow-unsafe-names", "--strict")
        assertExit(strict, 1, strict.summary)
        XCTAssertFalse(path("strict").exists)
    }

    func testFindingsThatMayBeFineStayWarnings() throws {
        let long = String(repeating: "d", count: 120) + "/" + String(repeating: "f", count: 100) + ".txt"
        let src = try source(with: [long, "Thumbs.db", "notes.", "Lib/a.dll", "lib/b.dll"])
        let packed = try tool("pack", "-c", src.path, "-s", "setup.exe", "-o", path("out").path, "--json")
        assertExit(packed, 0, packed.summary)
        for rule in ["long-path", "leftover", "windows-name"] { XCTAssertTrue(packed.out.contains(rule), "\(rule): \(packed.out)") }
        let package = path("out/setup.intunewin")
        let verified = try tool("verify", package.path, "-q")
        assertExit(verified, 0, verified.summary)
        let unpacked = try tool("unpack", package.path, "-o", path("unpacked").path)
        assertExit(unpacked, 0, unpacked.summary)
    }
}
