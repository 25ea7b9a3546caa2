import Foundation
import XCTest

/// Our packages read by tools we did not write, and the oracle's packages read by ours.
final class InteropTests: ToolTestCase {
    /// Sub-folders, a zero-byte file, an empty folder, spaces, non-ASCII names and a 3 MB random file.
    private func makeVariedApp() throws -> URL {
        let src = path("varied app")
        try write("MZ setup\n", to: src.appending("setup.exe"))
        try write("", to: src.appending("empty.txt"))
        try makeFolder(src.appending("empty folder"))
        try write("crème brûlée\n", to: src.appending("café.txt"))
        try write("read me\n", to: src.appending("docs/Read Me.txt"))
        try write(String(repeating: "compressible line\n", count: 5000), to: src.appending("docs/nested/deeper/log.txt"))
        try write(pseudoRandomBytes(3 * 1024 * 1024), to: src.appending("bin/payload.dat"))
        try write("B", to: src.appending("bin/B.txt"))
        try write("a", to: src.appending("bin/a.txt"))
        return src
    }

    private func assertToolAccepts(_ program: String, _ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try execute(program, arguments)
        assertExit(result, 0, "\(program) \(arguments.joined(separator: " "))", file: file, line: line)
    }

    func testOurPackagePassesTheOracleUnzipAnd7Zip() throws {
        let src = try makeVariedApp()
        let package = path("out/setup.intunewin")
        try pack(src, to: path("out"))

        let checked = try oracle("check", package.path, "--source", src.path)
        assertExit(checked, 0, "oracle check")
        try assertToolAccepts("unzip", ["-t", package.path])

        let inner = path("inner.zip")
        let bin = path("IntunePackage.intunewin")
        try PackageParts(package).content(of: package).write(to: bin)
        assertExit(try tool("decrypt", bin.path, "-o", inner.path, "--encryption-info", package.path), 0, "decrypt")
        try assertToolAccepts("unzip", ["-t", inner.path])
        try assertToolAccepts("7z", ["t", inner.path])

        // Independent reading of the inner zip: every source file, byte for byte.
        let decrypted = try OracleInner(package: package, scratch: path("oracle"))
        assertSameFiles(decrypted.files, try files(src))
        XCTAssertTrue(decrypted.names.contains("empty folder/"), "empty folder entry missing: \(decrypted.names)")
        XCTAssertEqual(try execute("unzip", ["-p", inner.path]).stdout.count,
                       try files(src).values.reduce(0) { $0 + $1.count }, "unzip -p of all entries")
    }

    func testOurPackageRoundTripsThroughUnpack() throws {
        let src = try makeVariedApp()
        let package = path("app.intunewin")
        try pack(src, to: package)
        assertExit(try tool("verify", package.path, "--source", src.path), 0)
        let unpacked = path("unpacked")
        assertExit(try tool("unpack", package.path, "-o", unpacked.path), 0)
        let original = try tree(src), restored = try tree(unpacked)
        XCTAssertEqual(restored.keys.sorted(), original.keys.sorted(), "files and folders, the empty one included")
        assertSameFiles(try files(unpacked), try files(src))
    }

    func testOraclePackagePassesOurVerifyAndUnpacksToTheSameBytes() throws {
        let src = try makeVariedApp()
        // Python's os.walk/zipfile cannot add empty folders; the oracle packs files only.
        try FileManager.default.removeItem(at: src.appending("empty folder"))
        let package = path("oracle.intunewin")
        let packed = try oracle("pack", src.path, "setup.exe", package.path)
        assertExit(packed, 0, "oracle pack")

        let verified = try tool("verify", package.path, "--source", src.path)
        assertExit(verified, 0, "verify")
        let unpacked = path("unpacked")
        assertExit(try tool("unpack", package.path, "-o", unpacked.path), 0, "unpack")
        assertSameFiles(try files(unpacked), try files(src))

        let listed = try tool("list", "--json", package.path)
        assertExit(listed, 0)
        let paths = try XCTUnwrap(try listed.json() as? [[String: Any]]).compactMap { $0["path"] as? String }
        XCTAssertEqual(paths.sorted(), try files(src).keys.sorted())
    }
}

/// Detection.xml as other writers produce it: readers accept a BOM, LF line ends, an XML declaration and
/// any element order.
final class DetectionXMLToleranceTests: ToolTestCase {
    func testPackageWithBOMDeclarationLFAndReorderedElementsVerifies() throws {
        let parts = try PackageParts(Tool.sample("01"))
        var lines = parts.detectionXML.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
        let setupLine = try XCTUnwrap(lines.firstIndex { $0.contains("<SetupFile>") })
        let nameLine = try XCTUnwrap(lines.firstIndex { $0.contains("<Name>") })
        lines.insert(lines.remove(at: setupLine), at: nameLine)
        let xml = "\u{FEFF}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" + lines.joined(separator: "\n") + "\n"
        let package = try rewrittenSample([detectionEntry: Data(xml.utf8)])

        assertExit(try tool("verify", package.path), 0, "verify")
        let info = try tool("info", "--json", package.path)
        assertExit(info, 0, "info")
        XCTAssertEqual(try info.jsonObject()["setupFile"] as? String, parts["SetupFile"])
        assertExit(try tool("unpack", package.path, "-o", path("unpacked").path), 0, "unpack")
    }
}
