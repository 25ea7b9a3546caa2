import Foundation
import XCTest

/// `intunewin-tool diff`: exit 0 identical, 1 different, 2 usage, 3 bad input; text and JSON say the same.
final class DiffCommandTests: ToolTestCase {
    /// A small app with fixed times (2024-03-01 12:00:00 local) and an empty folder.
    private func makeStampedApp(_ relative: String, appIni: String = "config=1\n") throws -> URL {
        let root = try makeApp(relative)
        try write(appIni, to: root.appending("conf/app.ini"))
        try makeFolder(root.appending("logs"))
        let touched = try execute("sh", ["-c", "find \"$1\" -mindepth 1 -exec touch -d '2024-03-01T12:00:00' {} +", "sh", root.path])
        assertExit(touched, 0, "touch")
        return root
    }

    func testIdenticalPackagesExitZero() throws {
        let a = path("a.intunewin"), b = path("b.intunewin")
        try pack(try makeStampedApp("src"), to: a)
        try pack(path("src"), to: b)
        let result = try tool("diff", a.path, b.path)
        assertExit(result, 0)
        XCTAssertEqual(result.out, "\(a.path) and \(b.path) are identical (3 entries)\n")

        let json = try tool("diff", a.path, b.path, "--json").jsonObject()
        XCTAssertEqual(json["identical"] as? Bool, true)
        XCTAssertEqual((json["a"] as? [String: Any])?["kind"] as? String, "package")
        XCTAssertEqual((json["changed"] as? [Any])?.count, 0)
    }

    func testDifferencesInTextAndJSON() throws {
        let a = path("a.intunewin"), b = path("b.intunewin")
        try pack(try makeStampedApp("src-a"), to: a)
        let srcB = try makeStampedApp("src-b", appIni: "config=22\n")
        try write("new\n", to: srcB.appending("conf/extra.txt"))
        try execute("touch", ["-d", "2024-03-01T12:00:00", srcB.appending("conf/extra.txt").path])
        try FileManager.default.removeItem(at: srcB.appending("logs"))
        try pack(srcB, to: b)

        let result = try tool("diff", a.path, b.path)
        assertExit(result, 1)
        let lines = result.out.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains("~ conf/app.ini (size 9 → 10, content)"), result.out)
        XCTAssertTrue(lines.contains("+ conf/extra.txt"), result.out)
        XCTAssertTrue(lines.contains("- logs/"), result.out)
        XCTAssertTrue(lines.contains { $0.hasPrefix("* UnencryptedContentSize: ") }, result.out)
        XCTAssertFalse(result.out.contains("Key") || result.out.contains("Digest"), result.out)
        XCTAssertEqual(lines.last, "\(a.path) and \(b.path) differ: 2 metadata fields, 1 added, 1 removed, 1 changed, 1 unchanged")
        XCTAssertEqual(result.err, "")

        let json = try tool("diff", a.path, b.path, "--json")
        assertExit(json, 1)
        let object = try json.jsonObject()
        XCTAssertEqual(object["identical"] as? Bool, false)
        let changed = try XCTUnwrap(object["changed"] as? [[String: Any]])
        XCTAssertEqual(changed.count, 1)
        XCTAssertEqual(changed[0]["path"] as? String, "conf/app.ini")
        XCTAssertEqual(changed[0]["content"] as? Bool, true)
        XCTAssertEqual(number((changed[0]["size"] as? [String: Any])?["a"]), 9)
        XCTAssertEqual(number((changed[0]["size"] as? [String: Any])?["b"]), 10)
        XCTAssertNil(changed[0]["modified"])
        XCTAssertEqual((object["added"] as? [[String: Any]])?.map { $0["path"] as? String }, ["conf/extra.txt"])
        XCTAssertEqual((object["removed"] as? [[String: Any]])?.first?["folder"] as? Bool, true)
        let fields = (object["metadata"] as? [[String: Any]])?.compactMap { $0["field"] as? String }
        XCTAssertEqual(fields, ["UnencryptedContentSize", "EncryptedContentSize"])
    }

    func testTimestampOnlyAndFolderSide() throws {
        let source = try makeStampedApp("src")
        let package = path("app.intunewin")
        try pack(source, to: package)
        assertExit(try tool("diff", package.path, source.path), 0)
        try execute("touch", ["-d", "2024-03-02T09:15:20", source.appending("setup.exe").path])
        let result = try tool("diff", source.path, package.path)
        assertExit(result, 1)
        XCTAssertTrue(result.out.hasPrefix("~ setup.exe (mtime 2024-03-02 09:15:20 → 2024-03-01 12:00:00)\n"), result.out)
        assertExit(try tool("diff", source.path, package.path, "--ignore-mtime"), 0)
    }

    func testEncryptedContentNeedsKeys() throws {
        let package = path("app.intunewin")
        try pack(try makeStampedApp("src"), to: package)
        let bin = path("app_1.bin")
        try PackageParts.content(of: package, fileName: "IntunePackage.intunewin").write(to: bin)

        let withoutKeys = try tool("diff", bin.path, package.path)
        assertExit(withoutKeys, 2)
        assertOneLineError(withoutKeys, naming: bin.lastPathComponent)
        XCTAssertTrue(withoutKeys.err.contains("--encryption-info-a"), withoutKeys.err)

        assertExit(try tool("diff", bin.path, package.path, "--encryption-info-a", package.path), 0)
        assertExit(try tool("diff", package.path, bin.path, "--encryption-info-b", package.path), 0)
        let parts = try PackageParts(package)
        assertExit(try tool("diff", bin.path, path("src").path, "--key-a", parts["EncryptionKey"], "--iv-a", parts["InitializationVector"],
                            "--mac-key-a", parts["MacKey"]), 0)

        // Graph's fileEncryptionInfo JSON (read by KeyMaterial).
        let graph = path("graph.json")
        let info = ["encryptionKey": parts["EncryptionKey"], "macKey": parts["MacKey"], "initializationVector": parts["InitializationVector"],
                    "mac": parts["Mac"], "profileIdentifier": "ProfileVersion1", "fileDigest": parts["FileDigest"], "fileDigestAlgorithm": "SHA256"]
        try JSONSerialization.data(withJSONObject: ["fileEncryptionInfo": info]).write(to: graph)
        assertExit(try tool("diff", package.path, bin.path, "--encryption-info-b", graph.path, "--json"), 0)

        // Someone else's keys: bad input, not "different".
        let other = path("other.intunewin")
        try pack(path("src"), to: other)
        let wrong = try tool("diff", bin.path, package.path, "--encryption-info-a", other.path)
        assertExit(wrong, 3)
        assertOneLineError(wrong, naming: bin.lastPathComponent)
    }

    func testUsageAndBadInput() throws {
        let source = try makeStampedApp("src")
        assertExit(try tool("diff", source.path, path("missing").path), 3)
        let text = path("notes.txt")
        try write("not content", to: text)
        let notContent = try tool("diff", text.path, source.path)
        assertExit(notContent, 3)
        assertOneLineError(notContent, naming: "notes.txt")
        assertExit(try tool("diff", source.path, source.path, "--key-b", "***"), 2)
        assertExit(try tool("diff", source.path, source.path, "--iv-a", "AAAAAAAAAAAAAAAAAAAAAA=="), 2)
        assertExit(try tool("diff", source.path), 2)
    }
}
