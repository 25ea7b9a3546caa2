import Foundation
import XCTest

/// `pack --nested-zip` through the binary as a packaging engineer types it: installer arguments that start
/// with dashes, --name, --launcher-timeout up to a day; and the commands that look inside a nested package
/// (`verify -c`, `info`, `diff`).
final class NestedPackCommandTests: ToolTestCase {
    /// Packs `source` (setup.exe) nested to `output`, with `options`; the run's result.
    @discardableResult
    private func packNested(_ source: URL, to output: URL, _ options: [String] = []) throws -> RunResult {
        try tool(["pack", "-c", source.path, "-s", "setup.exe", "-o", output.path, "--nested-zip", "-q"] + options)
    }

    private func launcherSettings(_ package: URL) throws -> [String: Any] {
        let info = try tool("info", package.path, "--json").jsonObject()
        let launcher = try XCTUnwrap(info["launcher"] as? [String: Any], "\(info)")
        return try XCTUnwrap(launcher["settings"] as? [String: Any], "\(launcher)")
    }

    func testInstallerArgumentsMayStartWithDashes() throws {
        let src = try makeApp("My App")
        for launcher in ["native", "powershell"] {
            let joined = path("\(launcher)-joined.intunewin"), separate = path("\(launcher)-separate.intunewin")
            assertExit(try packNested(src, to: joined, ["--launcher", launcher, "--setup-args=-x", "--uninstall-cmd=-u all"]), 0)
            var settings = try launcherSettings(joined)
            XCTAssertEqual(settings["setupArguments"] as? String, "-x")
            XCTAssertEqual(settings["uninstallCommand"] as? String, "-u all")
            let run = try packNested(src, to: separate, ["--launcher", launcher, "--setup-args", "-x", "--uninstall-args", "--mode unattended",
                                                         "--uninstall-cmd", "-DeploymentType Uninstall"])
            assertExit(run, 0, run.err)
            settings = try launcherSettings(separate)
            XCTAssertEqual(settings["setupArguments"] as? String, "-x")
            XCTAssertEqual(settings["uninstallArguments"] as? String, "--mode unattended")
            XCTAssertEqual(settings["uninstallCommand"] as? String, "-DeploymentType Uninstall")
        }
        // A value that looks like -v is a value too, and a real unknown option is still caught.
        assertExit(try packNested(src, to: path("v.intunewin"), ["--setup-args", "-v"]), 0)
        let unknown = try packNested(src, to: path("u.intunewin"), ["--setup-args", "-x", "--uninstal-args", "y"])
        assertExit(unknown, 2)
        XCTAssertTrue(unknown.err.contains("--uninstal-args"), unknown.err)
    }

    func testTimeoutUpToADayAndNameValidated() throws {
        let src = try makeApp("src")
        assertExit(try packNested(src, to: path("day.intunewin"), ["--launcher-timeout", "1440"]), 0)
        let settings = try launcherSettings(path("day.intunewin"))
        XCTAssertEqual(number(settings["timeoutMinutes"]), 1440)
        XCTAssertEqual(number(settings["maximumRunTimeMinutes"]), 1450)
        for (options, subject) in [(["--launcher-timeout", "1441"], "--launcher-timeout"), (["--launcher-timeout", "0"], "--launcher-timeout"),
                                   (["--name", "a\\b"], "--name"), (["--name", "CON"], "--name"), (["--name", "x:y"], "--name")] {
            let result = try packNested(src, to: path("bad/x.intunewin"), options)
            assertExit(result, 2, "\(options)")
            assertOneLineError(result, naming: subject, "\(options)")
            XCTAssertFalse(path("bad").exists, "nothing written for \(options)")
        }
        assertExit(try tool("pack", "-c", src.path, "-s", "setup.exe", "-o", path("plain").path, "--name", "x"), 2)

        assertExit(try packNested(src, to: path("named.intunewin"), ["--name", "Contoso Tool"]), 0)
        let named = try launcherSettings(path("named.intunewin"))
        XCTAssertEqual(named["name"] as? String, "Contoso Tool")
        XCTAssertTrue((named["extractTo"] as? String)?.hasPrefix("%ProgramData%\\IntuneWin\\Contoso Tool\\") == true, "\(named)")
        let text = try tool("info", path("named.intunewin").path)
        assertExit(text, 0)
        for line in ["Setup:             setup.exe", "Name:              Contoso Tool", "Timeout:           50 minutes"] {
            XCTAssertTrue(text.out.contains(line), "\(line) in\n\(text.out)")
        }
    }

    func testVerifyWithTheSourceLooksInsideThePayload() throws {
        let src = try makeApp("src")
        for launcher in ["native", "powershell"] {
            let package = path("\(launcher).intunewin")
            assertExit(try packNested(src, to: package, ["--launcher", launcher]), 0)
            let verified = try tool("verify", package.path, "-c", src.path)
            assertExit(verified, 0, verified.out + verified.err)
            XCTAssertTrue(verified.out.contains("payload-sha256"), verified.out)
            XCTAssertTrue(verified.out.contains("inside payload.zip"), verified.out)
        }
        try write("changed\n", to: src.appending("conf/app.ini"))
        let failed = try tool("verify", path("native.intunewin").path, "-c", src.path, "--json")
        assertExit(failed, 1)
        let checks = try XCTUnwrap(try failed.jsonObject()["checks"] as? [[String: Any]])
        let failures = checks.filter { ($0["outcome"] as? String) == "failed" }.compactMap { $0["name"] as? String }
        XCTAssertEqual(failures, ["source"], "\(checks)")
        XCTAssertTrue(checks.contains { ($0["name"] as? String) == "payload-sha256" && ($0["outcome"] as? String) == "passed" })
    }

    func testDiffOfTwoNestedPackagesIsPerFileAndMatchesItsSchema() throws {
        let srcA = try makeApp("a"), srcB = try makeApp("b")
        try write("config=2\n", to: srcB.appending("conf/app.ini"))
        let a = path("a.intunewin"), b = path("b.intunewin")
        assertExit(try packNested(srcA, to: a, ["--name", "App", "--setup-args", "/S"]), 0)
        assertExit(try packNested(srcB, to: b, ["--name", "App", "--setup-args", "/quiet"]), 0)
        let text = try tool("diff", a.path, b.path, "--ignore-mtime")
        assertExit(text, 1)
        XCTAssertTrue(text.out.contains("~ conf/app.ini (content)"), text.out)
        XCTAssertTrue(text.out.contains("* launcher.setup_args: /S → /quiet"), text.out)
        XCTAssertFalse(text.out.contains("payload.zip"), text.out)

        let json = try tool("diff", a.path, b.path, "--json", "--ignore-mtime")
        assertExit(json, 1)
        let file = path("diff.json")
        try write(json.stdout, to: file)
        let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appending("docs/schemas/diff.schema.json")
        let validated = try python(JSONSchemaTests.validatorScript, [schema.path, "diff", file.path])
        assertExit(validated, 0, validated.out)
        let info = path("info.json")
        try write(try tool("info", a.path, "--json").stdout, to: info)
        let infoValid = try python(JSONSchemaTests.validatorScript, [schema.deletingLastPathComponent().appending("info.schema.json").path, "info", info.path])
        assertExit(infoValid, 0, infoValid.out)
    }
}
