import Foundation
import XCTest

/// Scripts written for IntuneWinAppUtil.exe (`-c DIR -s FILE -o OUT -q`) must run unchanged.
final class MicrosoftCLITests: ToolTestCase {
    private func assertValidPackage(_ package: URL, source: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertTrue(package.exists, "no package at \(package.path); folder has \(listing(package.deletingLastPathComponent()))", file: file, line: line)
        assertExit(try tool("verify", package.path, "--source", source.path), 0, "verify \(package.path)", file: file, line: line)
    }

    func testPackWorksWithoutTheSubcommandWord() throws {
        let src = try makeApp()
        let out = path("out")
        assertExit(try tool("-c", src.path, "-s", "setup.exe", "-o", out.path), 0)
        try assertValidPackage(out.appending("setup.intunewin"), source: src)
    }

    func testUppercaseFlagsWork() throws {
        let src = try makeApp()
        let out = path("out")
        assertExit(try tool("-C", src.path, "-S", "setup.exe", "-O", out.path), 0)
        try assertValidPackage(out.appending("setup.intunewin"), source: src)
    }

    func testQuotedValuesAreUnquoted() throws {
        let src = try makeApp("my app")
        let out = path("out")
        assertExit(try tool("-c", "\"\(src.path)\"", "-s", "\"setup.exe\"", "-o", "\"\(out.path)\""), 0)
        try assertValidPackage(out.appending("setup.intunewin"), source: src)
    }

    func testQuietOverwritesAnExistingOutput() throws {
        let src = try makeApp()
        let target = path("out/setup.intunewin")
        try write("old", to: target)
        assertExit(try tool("-c", src.path, "-s", "setup.exe", "-o", path("out").path, "-q"), 0)
        XCTAssertNotEqual(target.bytes, Data("old".utf8))
        try assertValidPackage(target, source: src)
    }

    func testForceOverwritesAnExistingOutput() throws {
        let src = try makeApp()
        let target = path("app.intunewin")
        try write("old", to: target)
        assertExit(try tool("pack", "-c", src.path, "-s", "setup.exe", "-o", target.path, "--force"), 0)
        try assertValidPackage(target, source: src)
    }

    func testExistingOutputWithoutQuietIsRefusedAndLeftAlone() throws {
        let src = try makeApp()
        let target = path("out/setup.intunewin")
        try write("old", to: target)
        let result = try tool("-c", src.path, "-s", "setup.exe", "-o", path("out").path)
        assertExit(result, 4)
        assertOneLineError(result, naming: target.path)
        XCTAssertEqual(target.bytes, Data("old".utf8), "the existing output was changed")
        XCTAssertEqual(listing(path("out")), ["setup.intunewin"], "leftovers beside the output")
    }

    func testDoubleQuietPrintsNothing() throws {
        let src = try makeApp()
        let target = path("out/setup.intunewin")
        try write("old", to: target)
        let result = try tool("-c", src.path, "-s", "setup.exe", "-o", path("out").path, "-qq")
        assertExit(result, 0)
        XCTAssertEqual(result.out, "", "stdout")
        XCTAssertEqual(result.err, "", "stderr")
        try assertValidPackage(target, source: src)
    }

    func testMissingOutputFolderIsCreatedAndTheFileNamedAfterTheSetupFile() throws {
        let src = try makeApp()
        try write("Write-Host hi\r\n", to: src.appending("scripts/Install.ps1"))
        let out = path("new/deeper")
        XCTAssertFalse(out.exists)
        assertExit(try tool("-c", src.path, "-s", "scripts/Install.ps1", "-o", out.path), 0)
        XCTAssertEqual(listing(out), ["Install.intunewin"])
        try assertValidPackage(out.appending("Install.intunewin"), source: src)
        let info = try tool("info", "--json", out.appending("Install.intunewin").path).jsonObject()
        XCTAssertEqual(info["name"] as? String, "Install.ps1")
        XCTAssertEqual(info["setupFile"] as? String, "scripts\\Install.ps1", "SetupFile is relative, with Windows separators")
    }

    func testOutputEndingInIntunewinNamesTheFile() throws {
        let src = try makeApp()
        let target = path("dist/MyApp-1.2.intunewin")
        assertExit(try tool("-c", src.path, "-s", "setup.exe", "-o", target.path), 0)
        XCTAssertEqual(listing(path("dist")), ["MyApp-1.2.intunewin"])
        try assertValidPackage(target, source: src)
    }

    func testVersionNamesTheMicrosoftToolVersionWeWrite() throws {
        for flag in ["--version", "-v"] {
            let result = try tool(flag)
            assertExit(result, 0, flag)
            XCTAssertTrue(result.out.contains("1.8.7.0"), "\(flag): \(result.summary)")
        }
    }
}
