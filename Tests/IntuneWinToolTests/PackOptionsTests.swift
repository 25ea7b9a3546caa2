import Foundation
import XCTest

/// pack's own options through the binary: --nested-zip, lint and --strict, --exclude, -a.
final class PackOptionsTests: ToolTestCase {
    func testNestedZipPrintsTheCommandsToPasteIntoIntune() throws {
        let src = try makeApp()
        let result = try tool("pack", "-c", src.path, "-s", "setup.exe", "-o", path("out").path, "--nested-zip", "--setup-args", "/S")
        assertExit(result, 0)
        XCTAssertTrue(result.out.contains("Install command:   install.exe\n"), result.summary)
        XCTAssertTrue(result.out.contains("Uninstall command: install.exe /uninstall\n"), result.summary)
        let listed = try tool("list", path("out/setup.intunewin").path, "--json")
        XCTAssertEqual((try listed.json() as? [[String: Any]])?.compactMap { $0["path"] as? String }, ["install.exe", "launcher.ini", "payload.zip"])
        let json = try tool("pack", "-c", src.path, "-s", "setup.exe", "-o", path("out").path, "--nested-zip", "-q", "--json").jsonObject()
        let nested = json["nested"] as? [String: Any]
        XCTAssertEqual(nested?["payloadSHA256"].map { "\($0)".count }, 64)
        XCTAssertEqual(nested?["launcher"] as? String, "native")
        let launcherSHA = try XCTUnwrap(nested?["launcherSHA256"] as? String)
        XCTAssertEqual(launcherSHA, try execute("sha256sum", [Tool.repoRoot.appending("Launcher/install.exe").path]).out.prefix(64).description,
                       "the committed Launcher/install.exe is what the package holds")
        let version = try tool("--version")
        XCTAssertTrue(version.out.contains("install.exe sha256 \(launcherSHA)"), version.summary)
        let info = try tool("info", path("out/setup.intunewin").path)
        XCTAssertTrue(info.out.contains("Launcher:            install.exe sha256 \(launcherSHA) (this tool's launcher)"), info.summary)

        let script = try tool("pack", "-c", src.path, "-s", "setup.exe", "-o", path("ps").path, "--nested-zip", "--launcher", "powershell")
        assertExit(script, 0)
        XCTAssertTrue(script.out.contains("%SystemRoot%\\Sysnative\\WindowsPowerShell\\v1.0\\powershell.exe -ExecutionPolicy Bypass -NoProfile -File install.ps1"), script.summary)
        XCTAssertTrue(script.out.contains("-File install.ps1 -Uninstall"), script.summary)
        let scriptList = try tool("list", path("ps/setup.intunewin").path, "--json")
        XCTAssertEqual((try scriptList.json() as? [[String: Any]])?.compactMap { $0["path"] as? String }, ["install.ps1", "payload.zip"])
        assertExit(try tool("pack", "-c", src.path, "-s", "setup.exe", "-o", path("bad").path, "--nested-zip", "--launcher", "bash"), 2)
        assertExit(try tool("pack", "-c", src.path, "-s", "setup.exe", "-o", path("bad").path, "--launcher", "native"), 2)
        XCTAssertFalse(path("bad").exists)
    }

    func testNestedOptionsWithoutNestedZipAreAUsageError() throws {
        let src = try makeApp()
        assertExit(try tool("pack", "-c", src.path, "-s", "setup.exe", "-o", path("out").path, "--setup-args", "/S"), 2)
        XCTAssertFalse(path("out").exists)
    }

    func testLintFindingsWarnAndStrictFails() throws {
        let src = try makeApp()
        try write("x", to: src.appending("Thumbs.db"))
        try write("y", to: src.appending("notes."))
        // A trailing dot is only a warning: Windows unpacks it as "notes".
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
        let clean = try tool("lint", "-c", src.path, "-s", "setup.exe", "--exclude", "Thumbs.db", "--exclude", "notes.")
        assertExit(clean, 0)
        let excluded = try tool("pack", "-c", src.path, "-s", "setup.exe", "-o", path("ex").path, "--exclude", "Thumbs.db", "--exclude", "notes.", "--strict", "--json")
        assertExit(excluded, 0)
        XCTAssertEqual(Set(try excluded.jsonObject()["excluded"] as? [String] ?? []), ["Thumbs.db", "notes."])
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
