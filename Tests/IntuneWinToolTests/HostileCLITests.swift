import Foundation
import XCTest

/// Hostile inner zips through the tool: one clean line naming the package, the documented exit code,
/// nothing written outside (or inside) the output folder, and the size limits' override flag.
final class HostileCLITests: ToolTestCase {
    /// An inner zip written by Python's struct module, so its records can lie: each entry is
    /// `[name, text, declared uncompressed size (a decimal string) or null, made-by, external attributes]`, deflated;
    /// zip64 fields where a declared size needs them; `count` overrides the end record's entry count.
    private func craftedZip(_ entries: [(name: String, text: String, size: UInt64?, madeBy: Int, attributes: UInt32)],
                            count: Int? = nil) throws -> Data {
        let spec = entries.map { e -> [Any] in [e.name, e.text, e.size.map { String($0) as Any } ?? NSNull(), e.madeBy, e.attributes] }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: spec), as: UTF8.self)
        let output = path("crafted-\(UUID().uuidString).zip")
        let result = try python("""
            import json, struct, sys, zlib
            entries, out = json.loads(sys.argv[1]), sys.argv[2]
            body, central = bytearray(), bytearray()
            for name, text, size, made_by, attributes in entries:
                raw, name = text.encode(), name.encode()
                c = zlib.compressobj(6, zlib.DEFLATED, -15)
                data = c.compress(raw) + c.flush()
                usize = len(raw) if size is None else int(size)
                z64 = usize >= 0xFFFFFFFF
                local_extra = struct.pack("<HHQQ", 1, 16, usize, len(data)) if z64 else b""
                central_extra = struct.pack("<HHQ", 1, 8, usize) if z64 else b""
                offset = len(body)
                body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 45 if z64 else 20, 0x800, 8, 0, 0x5A21, zlib.crc32(raw),
                                    0xFFFFFFFF if z64 else len(data), 0xFFFFFFFF if z64 else usize, len(name), len(local_extra))
                body += name + local_extra + data
                central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, made_by, 45 if z64 else 20, 0x800, 8, 0, 0x5A21,
                                       zlib.crc32(raw), len(data), 0xFFFFFFFF if z64 else usize, len(name), len(central_extra),
                                       0, 0, 0, attributes, offset)
                central += name + central_extra
            n = len(entries) if sys.argv[3] == "" else int(sys.argv[3])
            end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(central), len(body), 0)
            open(out, "wb").write(bytes(body + central + end))
            """, [json, output.path, count.map(String.init) ?? ""])
        assertExit(result, 0, "python crafting")
        return output.bytes
    }

    private func entry(_ name: String, _ text: String, size: UInt64? = nil) -> (name: String, text: String, size: UInt64?, madeBy: Int, attributes: UInt32) {
        (name, text, size, 20, 0)
    }

    /// `inner` wrapped in a valid package named `name`.
    private func wrapped(_ inner: Data, _ name: String = "hostile.intunewin") throws -> URL {
        let package = path(name)
        try wrapInnerZip(inner, setup: "setup.exe", into: package, scratch: scratch)
        return package
    }

    /// Everything in the scratch folder apart from the packages made for the test.
    private func strayFiles() -> [String] { listing(scratch).filter { !$0.hasSuffix(".intunewin") && !$0.hasSuffix(".zip") } }

    func testCombiningMarkAfterASeparatorIsRefusedAndNothingIsWritten() throws {
        for name in ["../\u{301}x", "..\\\u{301}x", "../\u{200D}x"] {
            let package = try wrapped(try pythonZip([("setup.exe", "MZ"), (name, "escaped")], scratch: scratch))
            let output = path("deep/out")
            let unpack = try tool("unpack", package.path, "-o", output.path)
            assertExit(unpack, 3, name.debugDescription)
            assertOneLineError(unpack, naming: package.lastPathComponent, name.debugDescription)
            XCTAssertTrue(unpack.err.contains("unsafe entry name"), unpack.summary)
            let verify = try tool("verify", package.path)
            assertExit(verify, 1, name.debugDescription)
            XCTAssertTrue(verify.err.contains("entry-names"), verify.summary)
            XCTAssertEqual(strayFiles(), [], "\(name.debugDescription): written beside the output")
            XCTAssertFalse(path("deep").exists)
        }
    }

    func testListShowsStoredNamesAndFlagsUnsafeOnes() throws {
        let package = try wrapped(try pythonZip([("setup.exe", "MZ"), ("bin\\tool.dll", "ok"), ("..\\evil.txt", "escaped"),
                                                 ("new\u{1B}[2Jline.txt", "escape sequence")], scratch: scratch))
        let list = try tool("list", package.path)
        assertExit(list, 0, list.summary)
        let lines = list.out.split(separator: "\n").map(String.init)
        XCTAssertTrue(list.out.contains("bin\\tool.dll"), "the name as stored, with Microsoft's backslash: \(list.out)")
        let evil = try XCTUnwrap(lines.first { $0.contains("evil.txt") }, list.out)
        XCTAssertTrue(evil.contains("..\\evil.txt") && evil.contains("UNSAFE") && evil.contains("'..'"), evil)
        XCTAssertFalse(lines.first { $0.contains("tool.dll") }!.contains("UNSAFE"))
        XCTAssertFalse(list.out.contains("\u{1B}"), "control characters are shown escaped")
        XCTAssertTrue(list.out.contains("new\\x1b[2Jline.txt"), list.out)
        XCTAssertEqual(list.errLines.count, 1, list.summary)
        XCTAssertTrue(list.err.contains("warning") && list.err.contains("1 entry") && list.err.contains("unpack and verify refuse"), list.summary)

        let json = try tool("list", package.path, "--json")
        assertExit(json, 0, json.summary)
        let entries = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [[String: Any]])
        let stored = entries.compactMap { $0["storedName"] as? String }
        XCTAssertTrue(stored.contains("bin\\tool.dll") && stored.contains("..\\evil.txt"), "\(stored)")
        XCTAssertEqual(entries.filter { $0["unsafe"] != nil }.compactMap { $0["path"] as? String }, ["../evil.txt"])
    }

    func testLookAlikeDotsAreOrdinaryNamesInsideTheOutput() throws {
        let names = ["\u{FF0E}\u{FF0E}/x.txt", "\u{2024}\u{2024}/y.txt"]
        let package = try wrapped(try pythonZip([("setup.exe", "MZ")] + names.map { ($0, "inside") }, scratch: scratch))
        let output = path("out")
        assertExit(try tool("unpack", package.path, "-o", output.path), 0)
        for name in names { XCTAssertEqual(output.appending(name).bytes, Data("inside".utf8), name) }
        XCTAssertEqual(strayFiles(), ["out"])
    }

    func testNameClashesOnWindowsAreRefused() throws {
        for pair in [["a", "a/b"], ["a/b", "a"], ["A.txt", "a.txt"]] {
            let package = try wrapped(try pythonZip([("setup.exe", "MZ")] + pair.map { ($0, "x") }, scratch: scratch))
            let unpack = try tool("unpack", package.path, "-o", path("out").path)
            assertExit(unpack, 3, "\(pair)")
            assertOneLineError(unpack, naming: package.lastPathComponent, "\(pair)")
            XCTAssertFalse(path("out").exists)
            assertExit(try tool("verify", package.path), 1, "\(pair)")
        }
    }

    func testDeclaredSizesSummingPastUInt64MaxNeverCrash() throws {
        let inner = try craftedZip([entry("setup.exe", "MZ"), entry("a.bin", "a", size: 1 << 63), entry("b.bin", "b", size: 1 << 63),
                                    entry("c.bin", "c", size: .max)])
        let package = try wrapped(inner)
        let list = try tool("list", package.path)
        assertExit(list, 0)
        XCTAssertTrue(list.out.contains("4 entries, declared sizes add up to more than \(UInt64.max) bytes"), list.summary)
        assertExit(try tool("list", "--json", package.path), 0)
        for extra in [[], ["--no-size-limits"]] {
            let unpack = try tool(["unpack", package.path, "-o", path("out").path] + extra)
            assertExit(unpack, 3, "\(extra)")
            assertOneLineError(unpack, naming: package.lastPathComponent)
            XCTAssertTrue(unpack.err.contains("add up to more than"), unpack.summary)
            let verify = try tool(["verify", package.path] + extra)
            assertExit(verify, 1, "\(extra)")
            XCTAssertTrue(verify.out.contains("FAIL  size-limits"), verify.summary)
        }
        XCTAssertEqual(strayFiles(), [])
    }

    func testZipBombIsRefusedUnlessLimitsAreLifted() throws {
        let package = try wrapped(try craftedZip([entry("setup.exe", "MZ"), entry("bomb.bin", "tiny", size: 5 << 30)]))
        let output = path("out")
        // Refused on the declared sizes, naming the package and the override.
        let unpack = try tool("unpack", package.path, "-o", output.path)
        assertExit(unpack, 3)
        assertOneLineError(unpack, naming: package.lastPathComponent)
        XCTAssertTrue(unpack.err.contains("--no-size-limits") && unpack.err.contains("zip bomb"), unpack.summary)
        let decrypt = try tool("decrypt", package.path, "--encryption-info", package.path, "-o", output.path)
        assertExit(decrypt, 3)
        assertOneLineError(decrypt, naming: package.lastPathComponent)
        XCTAssertTrue(decrypt.err.contains("--no-size-limits"), decrypt.summary)
        let verify = try tool("verify", package.path)
        assertExit(verify, 1)
        XCTAssertEqual(verify.errLines.count, 1, verify.summary)
        XCTAssertTrue(verify.err.contains("size-limits") && verify.err.contains("--no-size-limits"), verify.summary)
        XCTAssertFalse(output.exists)
        // Lifted: the limits no longer stop it; the lie is found by inflating, and still nothing is written.
        for command in [["unpack", package.path, "-o", output.path], ["decrypt", package.path, "--encryption-info", package.path, "-o", output.path]] {
            let lifted = try tool(command + ["--no-size-limits"])
            assertExit(lifted, 3, command[0])
            assertOneLineError(lifted, naming: package.lastPathComponent, command[0])
            XCTAssertTrue(lifted.err.contains("bomb.bin: 4 bytes, declared \(5 << 30)"), lifted.summary)
            XCTAssertFalse(output.exists)
        }
        let verifyLifted = try tool("verify", "--no-size-limits", package.path)
        assertExit(verifyLifted, 1)
        XCTAssertTrue(verifyLifted.err.contains("entry-crc") && !verifyLifted.err.contains("size-limits"), verifyLifted.summary)
        // The plain zip is only the content: no limits apply to writing it.
        assertExit(try tool("decrypt", package.path, "--encryption-info", package.path, "-o", path("inner.zip").path), 0)
        XCTAssertEqual(strayFiles(), [])
    }

    func testHiddenCentralDirectoryEntriesAreRefused() throws {
        let package = try wrapped(try craftedZip([entry("setup.exe", "MZ"), entry("hidden.exe", "payload")], count: 1))
        for command in ["list", "unpack"] {
            let result = try tool(command == "unpack" ? ["unpack", package.path, "-o", path("out").path] : [command, package.path])
            assertExit(result, 3, command)
            assertOneLineError(result, naming: package.lastPathComponent, command)
            XCTAssertTrue(result.err.contains("holds more"), result.summary)
        }
        let verify = try tool("verify", package.path)
        assertExit(verify, 1)
        XCTAssertTrue(verify.out.contains("FAIL  inner-zip"), verify.summary)
        XCTAssertEqual(strayFiles(), [])
    }

    func testSymlinkEntriesAreWrittenAsRegularFiles() throws {
        let link = (name: "link", text: "/etc", size: UInt64?.none, madeBy: 0x031E, attributes: UInt32(0o120777) << 16)
        let package = try wrapped(try craftedZip([entry("setup.exe", "MZ"), link]))
        let output = path("out")
        assertExit(try tool("unpack", package.path, "-o", output.path), 0)
        let attributes = try FileManager.default.attributesOfItem(atPath: output.appending("link").path)
        XCTAssertEqual(attributes[.type] as? FileAttributeType, .typeRegular)
        XCTAssertEqual(output.appending("link").bytes, Data("/etc".utf8))
        // And a file through the "link": refused as a file and a folder of one name.
        let through = try wrapped(try craftedZip([entry("setup.exe", "MZ"), link, entry("link/passwd", "owned")]), "through.intunewin")
        let result = try tool("unpack", through.path, "-o", path("second").path)
        assertExit(result, 3)
        XCTAssertTrue(result.err.contains("both a file and a folder"), result.summary)
        XCTAssertEqual(strayFiles(), ["out"])
    }
}
