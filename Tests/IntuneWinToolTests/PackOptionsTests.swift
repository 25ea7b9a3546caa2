import Foundation
import XCTest

/// pack's own options through the binary: --nested-zip, lint and --strict, --exclude, -a.
final class PackOptionsTests: ToolTestCase {
    func testNestedZipPrintsTheCommandsToPasteIntoIntune() throws {
        let src = try makeApp()
        let result = try tool("pack", "-c", src.path, "-s", "setup.exe", "-o", path("out").path, "--nested-zip", "--setup-args", "/S")
        assertExit(result, 0)
        XCTAssertTrue(result.out.contains("%SystemRoot%\\Sysnative\\WindowsPowerShell\\v1.0\\powershell.exe -ExecutionPolicy Bypass -NoProfile -File install.ps1"), result.summary)
        XCTAssertTrue(result.out.contains("-File install.ps1 -Uninstall"), result.summary)
        let listed = try tool("list", path("out/setup.intunewin").path, "--json")
        XCTAssertEqual((try listed.json() as? [[String: Any]])?.compactMap { $0["path"] as? String }, ["install.ps1", "payload.zip"])
        let json = try tool("pack", "-c", src.path, "-s", "setup.exe", "-o", path("out").path, "--nested-zip", "-q", "--json").jsonObject()
        XCTAssertEqual((json["nested"] as? [String: Any])?["payloadSHA256"].map { "\($0)".count }, 64)
    }

    func testNestedOptionsWithoutNestedZipAreAUsageError() throws {
        let src = try makeApp()
        assertExit(try tool("pack", "-c", src.path, "-s", "setup.exe", "-o", path("out").path, "--setup-args", "/S"), 2)
        XCTAssertFalse(path("out").exists)
    }

    func testLintFindingsWarnAndStrictFails() throws {
        let src = try makeApp()
        try write("x", to: src.appending("Thumbs.db"))
        try write("y", to: src.appending("NUL.txt"))
        let lint = try tool("lint", "-c", src.path, "-s", "setup.exe")
        assertExit(lint, 1)
        XCTAssertTrue(lint.out.contains("leftover") && lint.out.contains("windows-name"), lint.summary)
        let packed = try tool("pack", "-c", src.path, "-s", "setup.exe", "-o", path("out").path)
        assertExit(packed, 0)
        XCTAssertTrue(packed.err.contains("Thumbs.db"), packed.summary)
        let strict = try tool("pack", "-c", src.path, "-s", "setup.exe", "-o", path("strict").path, "--strict")
        assertExit(strict, 1)
        XCTAssertFalse(path("strict/setup.intunewin").exists)
        // Excluding the leftovers makes the tree clean, and the package leaves them out.
        let clean = try tool("lint", "-c", src.path, "-s", "setup.exe", "--exclude", "Thumbs.db", "--exclude", "NUL.txt")
        assertExit(clean, 0)
        let excluded = try tool("pack", "-c", src.path, "-s", "setup.exe", "-o", path("ex").path, "--exclude", "Thumbs.db", "--exclude", "NUL.txt", "--strict", "--json")
        assertExit(excluded, 0)
        XCTAssertEqual(Set(try excluded.jsonObject()["excluded"] as? [String] ?? []), ["Thumbs.db", "NUL.txt"])
        let names = (try tool("list", path("ex/setup.intunewin").path, "--json").json() as? [[String: Any]])?.compactMap { $0["path"] as? String }
        XCTAssertEqual(names, ["setup.exe", "conf/app.ini"])
    }

    func testCatalogFolderWithMicrosoftsFlag() throws {
        let src = try makeApp()
        try write("cat", to: path("catalog/app.cat"))
        assertExit(try tool("-c", src.path, "-s", "setup.exe", "-o", path("out").path, "-a", path("catalog").path, "-q"), 0)
        let names = (try tool("list", path("out/setup.intunewin").path, "--json").json() as? [[String: Any]])?.compactMap { $0["path"] as? String }
        XCTAssertEqual(names?.first, "Cat_C029B285-222F-460B-8ECA-2CD7A8A424B7/app.cat")
        XCTAssertEqual(names?.dropFirst().first, "Cat_C029B285-222F-460B-8ECA-2CD7A8A424B7/")
    }
}
