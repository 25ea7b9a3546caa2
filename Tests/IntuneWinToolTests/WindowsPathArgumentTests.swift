import Foundation
import XCTest

/// Paths as a packaging engineer moving CI from Windows types them, through the binary: `\` separates
/// folders in -c, -o, -a and exclude patterns, a drive path is refused, an output folder inside the
/// source is left out of the package, and no folder the tool creates holds a `\`.
final class WindowsPathArgumentTests: ToolTestCase {
    /// `MyApp/setup.exe` and `cat/app.cat` in the scratch folder, which the tool runs in.
    private func app() throws {
        try write("MZ setup\n", to: path("MyApp/setup.exe"))
        try write("config\n", to: path("MyApp/conf/app.ini"))
        try write("catalog\n", to: path("cat/app.cat"))
    }

    /// Every name below the scratch folder, at any depth (none may hold a backslash).
    private func everyName() -> [String] {
        (FileManager.default.subpaths(atPath: scratch.path) ?? []).sorted()
    }

    func testBackslashPathsInEveryPathOptionWithAndWithoutThePackWord() throws {
        try app()
        try makeFolder(path("work"))
        let spellings: [[String]] = [
            ["pack", "-c", ".\\MyApp\\", "-s", "setup.exe", "-o", ".\\out", "-a", ".\\cat\\", "--json"],
            ["-c", ".\\MyApp\\", "-s", ".\\setup.exe", "-o", ".\\out2\\", "-a", ".\\cat\\", "-q"],  // Microsoft's spelling
            ["pack", "-c", "..\\MyApp", "-s", "setup.exe", "-o", "..\\out\\w5", "--json"],
        ]
        for (index, arguments) in spellings.enumerated() {
            let packed = try tool(arguments, in: index == 2 ? path("work") : scratch)
            assertExit(packed, 0, "\(arguments): \(packed.summary)")
        }
        XCTAssertTrue(path("out/setup.intunewin").exists, everyName().joined(separator: "\n"))
        XCTAssertTrue(path("out2/setup.intunewin").exists, everyName().joined(separator: "\n"))
        XCTAssertTrue(path("out/w5/setup.intunewin").exists, everyName().joined(separator: "\n"))
        XCTAssertEqual(everyName().filter { $0.contains("\\") }, [], "a folder named with a backslash was created")
        // The catalog went in as Microsoft lays it out.
        let listed = try tool("list", path("out/setup.intunewin").path)
        XCTAssertTrue(listed.out.contains("Cat_C029B285-222F-460B-8ECA-2CD7A8A424B7\\app.cat"), listed.summary)
        XCTAssertEqual(try tool("verify", path("out/setup.intunewin").path, "-q").status, 0)
    }

    func testDrivePathsAreRefusedWithOneLineAndNothingCreated() throws {
        try app()
        let cases: [([String], String)] = [
            (["pack", "-c", "MyApp", "-s", "setup.exe", "-o", "C:\\out"], "C:\\out"),
            (["-c", "MyApp", "-s", "setup.exe", "-o", "C:\\out\\", "-q"], "C:\\out"),
            (["pack", "-c", "C:\\MyApp", "-s", "setup.exe", "-o", "out"], "C:\\MyApp"),
            (["pack", "-c", "MyApp", "-s", "setup.exe", "-o", "out", "-a", "D:\\cat"], "D:\\cat"),
            (["pack", "-c", "MyApp", "-s", "setup.exe", "-o", "\\\\server\\share\\out"], "\\\\server\\share\\out"),
            (["lint", "-c", "MyApp", "-s", "setup.exe", "-o", "C:\\out"], "C:\\out"),
            (["pack", "-c", "MyApp", "-s", "C:\\MyApp\\setup.exe", "-o", "out"], "C:\\MyApp\\setup.exe"),
        ]
        for (arguments, named) in cases {
            let refused = try tool(arguments, in: scratch)
            assertExit(refused, 2, "\(arguments): \(refused.summary)")
            assertOneLineError(refused, naming: named, "\(arguments)")
            XCTAssertTrue(refused.err.contains("Windows drive path") || refused.err.contains("Windows network path"), refused.summary)
        }
        XCTAssertEqual(listing(scratch), ["MyApp", "cat"], "nothing created")
    }

    func testOutputFolderInsideTheSourceIsLeftOutOfThePackage() throws {
        try app()
        try write("an older package\n", to: path("MyApp/Output/old.intunewin"))
        let packed = try tool(["pack", "-c", "MyApp", "-s", "setup.exe", "-o", ".\\MyApp\\Output"], in: scratch)
        assertExit(packed, 0, packed.summary)
        XCTAssertTrue(packed.out.contains("Left out:   the output folder Output, inside the source"), packed.summary)
        XCTAssertFalse(packed.err.contains("package-in-source"), "the output folder's old package is left out: \(packed.summary)")
        let package = path("MyApp/Output/setup.intunewin")
        let listed = try tool("list", package.path)
        XCTAssertTrue(listed.out.contains("setup.exe") && listed.out.contains("conf\\app.ini"), listed.summary)
        XCTAssertFalse(listed.out.contains("Output"), listed.summary)
        // Packed again (Microsoft's spelling, -q replaces): the first package is not packed into the second.
        let again = try tool(["-c", ".\\MyApp", "-s", "setup.exe", "-o", ".\\MyApp\\Output\\", "-q", "--json"], in: scratch)
        assertExit(again, 0, again.summary)
        XCTAssertEqual(try again.jsonObject()["entryCount"] as? Int, 2, again.out)
        XCTAssertEqual(try again.jsonObject()["excluded"] as? [String], ["Output/old.intunewin", "Output/setup.intunewin"], again.out)
        XCTAssertEqual(try tool("verify", package.path, "-q").status, 0)
        // verify -c as the user typed -c, the folder holding the package left out as pack left it out.
        let checked = try tool(["verify", "MyApp/Output/setup.intunewin", "-c", ".\\MyApp\\"], in: scratch)
        assertExit(checked, 0, checked.summary)
        XCTAssertTrue(checked.out.contains("source items match"), checked.out)
        let unpacked = try tool("unpack", package.path, "-o", path("unpacked").path)
        assertExit(unpacked, 0, unpacked.summary)
        XCTAssertEqual(listing(path("unpacked")), ["conf", "setup.exe"])

        // The source folder itself as the output folder is still refused, and nothing is written.
        let itself = try tool(["pack", "-c", "MyApp", "-s", "setup.exe", "-o", ".\\MyApp\\App.intunewin"], in: scratch)
        assertExit(itself, 2, itself.summary)
        assertOneLineError(itself, naming: "MyApp")
        XCTAssertTrue(itself.err.contains("into the source folder"), itself.summary)
        XCTAssertFalse(path("MyApp/App.intunewin").exists)
    }

    func testBackslashInExcludePatternsAndUnmatchedPatternsWarn() throws {
        try app()
        try write("redistributable\n", to: path("MyApp/redist/vc_redist.x64.exe"))
        try write("log\n", to: path("MyApp/logs/old.log"))
        // lint: redist\* leaves the second installer out (no chained-installer finding); a pattern that
        // matches nothing is a warning naming it.
        let lint = try tool(["lint", "-c", "MyApp", "-s", "setup.exe", "--exclude", "redist\\*", "--exclude", "logs\\", "--exclude", "Thums.db", "--json"], in: scratch)
        assertExit(lint, 1, lint.summary)
        let object = try lint.jsonObject()
        XCTAssertEqual((object["excluded"] as? [String])?.sorted(), ["logs/old.log", "redist/vc_redist.x64.exe"], lint.out)
        let findings = try XCTUnwrap(object["findings"] as? [[String: Any]])
        XCTAssertEqual(findings.map { $0["rule"] as? String }, ["unmatched-exclude"], lint.out)
        XCTAssertEqual(findings.first?["severity"] as? String, "warning")
        XCTAssertTrue((findings.first?["message"] as? String ?? "").contains("'Thums.db' matches nothing"), lint.out)

        // pack: the same pattern from .intunewinignore, and a warning for the unmatched --exclude.
        try write("redist\\*\nlogs\\\n", to: path("MyApp/.intunewinignore"))
        let packed = try tool(["pack", "-c", "MyApp", "-s", "setup.exe", "-o", "out", "--exclude", "*.bak"], in: scratch)
        assertExit(packed, 0, packed.summary)
        XCTAssertTrue(packed.err.contains("'*.bak' matches nothing"), packed.summary)
        XCTAssertFalse(packed.err.contains("chained-installer"), packed.summary)
        let listed = try tool("list", path("out/setup.intunewin").path)
        XCTAssertFalse(listed.out.contains("redist") || listed.out.contains("logs"), listed.summary)
    }

    func testLintListsEveryUnreadableEntryAndIgnoresALinkToTheSetup() throws {
        try app()
        try FileManager.default.createSymbolicLink(atPath: path("MyApp/broken.dll").path, withDestinationPath: "gone.dll")
        try FileManager.default.createSymbolicLink(atPath: path("MyApp/conf/broken.ini").path, withDestinationPath: "gone.ini")
        try write("elsewhere\n", to: path("shared.dll"))
        try FileManager.default.createSymbolicLink(atPath: path("MyApp/shared.dll").path, withDestinationPath: path("shared.dll").path)
        // Another name for the setup itself is no chained installer.
        try FileManager.default.createSymbolicLink(atPath: path("MyApp/setup64.exe").path, withDestinationPath: "setup.exe")
        let lint = try tool(["lint", "-c", "MyApp", "-s", "setup.exe"], in: scratch)
        assertExit(lint, 1, lint.summary)
        let lines = lint.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.filter { $0.hasPrefix("unreadable") }.count, 3, lint.summary)
        for name in ["broken.dll", "conf/broken.ini", "shared.dll"] {
            XCTAssertTrue(lines.contains { $0.hasPrefix("unreadable") && $0.contains(" \(name) ") }, "\(name): \(lint.summary)")
        }
        XCTAssertFalse(lint.out.contains("chained-installer"), lint.summary)
        XCTAssertTrue(lines.last?.contains("3 findings, 3 errors pack refuses") == true, lint.summary)
    }
}
