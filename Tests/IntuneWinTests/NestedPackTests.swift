import Foundation
import XCTest
@testable import IntuneWin

/// `pack --nested-zip`: payload.zip beside the native launcher (install.exe + launcher.ini, the default) or
/// install.ps1. This checks the package; IMESimulationTests runs the native launcher under Wine, and
/// LauncherScriptTests checks the script (no PowerShell runs on these machines).
final class NestedPackTests: XCTestCase {
    private func pack(_ source: String, _ setup: String, _ output: String, options: NestedOptions = NestedOptions()) throws -> PackResult {
        var request = PackRequest(sourceFolder: source, setupFile: setup, output: output)
        request.nested = options
        return try Packager.pack(request)
    }

    func testNestedModeAnswersTheFindingsThatAdviseIt() throws {
        let folder = try makeTemporaryFolder()
        let source = folder + "/src"
        try TestSupport.writeFile(source + "/setup.exe", TestSupport.noise(1_000))
        try TestSupport.writeFile(source + "/redist/vc_redist.x64.exe", TestSupport.noise(1_000, seed: 2))
        try TestSupport.writeFile(source + "/Thumbs.db", [1])
        let plain = try Packager.pack(PackRequest(sourceFolder: source, setupFile: "setup.exe", output: folder + "/plain"))
        XCTAssertEqual(plain.findings.map(\.rule), [.leftover, .chainedInstaller])
        XCTAssertEqual(plain.findings.last?.remedy, .packNested)
        let nested = try pack(source, "setup.exe", folder + "/nested")
        XCTAssertEqual(nested.findings.map(\.rule), [.leftover], "a chained setup packed nested is what the finding asked for")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder + "/nested"), ["setup.intunewin"], "staging removed")
    }

    func testPackageHoldsLauncherAndAPayloadEqualToTheSource() throws {
        let folder = try makeTemporaryFolder()
        let source = folder + "/My App's $src"
        try TestSupport.writeFile(source + "/bin/set`up ü.exe", TestSupport.noise(50_000))
        try TestSupport.writeFile(source + "/bin/second.msi", TestSupport.noise(2_000, seed: 3))
        try TestSupport.writeFile(source + "/readme.txt", Array("read me".utf8))
        try TestSupport.writeFile(source + "/empty.dat", [])
        try FileManager.default.createDirectory(atPath: source + "/logs", withIntermediateDirectories: true)
        var options = NestedOptions()
        options.launcher = .powershell
        options.setupArguments = "/S /D='C:\\Program Files\\x'"
        let result = try pack(source, "bin/set`up ü.exe", folder + "/out", options: options)

        XCTAssertEqual(result.outputPath, folder + "/out/set`up ü.intunewin", "named after the original setup file")
        XCTAssertEqual(result.detection.setupFile, "install.ps1")
        XCTAssertEqual(result.detection.name, "install.ps1")
        XCTAssertNil(result.detection.msiInfo)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder + "/out"), ["set`up ü.intunewin"], "staging removed")

        let package = try IntuneWinPackage(path: result.outputPath)
        XCTAssertTrue(try Verifier.verify(package).passed)
        XCTAssertEqual(try package.innerZip().entries.map(\.name), ["install.ps1", "payload.zip"])
        let oracle = try TestSupport.run("python3", [TestSupport.oracle, "check", result.outputPath])
        XCTAssertEqual(oracle.status, 0, String(decoding: oracle.stdout, as: UTF8.self))

        _ = try Decryptor.unpack(package, to: folder + "/unpacked", overwrite: false)
        let payload = folder + "/unpacked/payload.zip"
        let zip = try ZipReader(source: try FileRegion(path: payload))
        let (same, detail) = try Verifier.compare(zip, source: source)
        XCTAssertTrue(same, detail)
        XCTAssertEqual(zip.entries.map(\.name), ["empty.dat", "logs\\", "readme.txt", "bin\\second.msi", "bin\\set`up ü.exe"],
                       "payload.zip follows the inner zip's rules")

        let digest = TestSupport.hex(SHA256.hash(try TestSupport.readFile(payload)))
        let nested = try XCTUnwrap(result.nested)
        XCTAssertEqual(nested.launcher.payloadSHA256, digest)
        XCTAssertEqual(nested.launcher.setupFile, "bin\\set`up ü.exe")
        XCTAssertEqual(nested.launcher.setupArguments, options.setupArguments)
        XCTAssertEqual(nested.launcher.extractTo, LauncherSettings.defaultExtractTo(appName: "My App's $src", payloadSHA256: digest), "named after the source folder")
        let script = try TestSupport.readFile(folder + "/unpacked/install.ps1")
        XCTAssertEqual(script, LauncherScript.fileBytes(nested.launcher), "the packaged launcher is the rendered one")
        XCTAssertTrue(String(decoding: script, as: UTF8.self).contains(digest))
        XCTAssertTrue(nested.installCommand.contains("Sysnative\\WindowsPowerShell\\v1.0\\powershell.exe -ExecutionPolicy Bypass -NoProfile -File install.ps1"))
        XCTAssertTrue(nested.uninstallCommand.hasSuffix("-Uninstall"))
    }

    func testNativeLauncherIsTheDefault() throws {
        let folder = try makeTemporaryFolder()
        let source = folder + "/src"
        try TestSupport.writeFile(source + "/bin/setup.exe", TestSupport.noise(10_000))
        try TestSupport.writeFile(source + "/data.txt", Array("data".utf8))
        var options = NestedOptions()
        options.setupArguments = "/S /D=\"C:\\Program Files\\x\" ü"
        options.uninstallArguments = "/uninstall"
        let result = try pack(source, "bin/setup.exe", folder + "/out", options: options)
        XCTAssertEqual(result.detection.setupFile, "install.exe")
        XCTAssertEqual(result.outputPath, folder + "/out/setup.intunewin")
        let package = try IntuneWinPackage(path: result.outputPath)
        XCTAssertEqual(try package.innerZip().entries.map(\.name), ["install.exe", "launcher.ini", "payload.zip"], "Microsoft's order")
        let oracle = try TestSupport.run("python3", [TestSupport.oracle, "check", result.outputPath])
        XCTAssertEqual(oracle.status, 0, String(decoding: oracle.stdout, as: UTF8.self))

        _ = try Decryptor.unpack(package, to: folder + "/unpacked", overwrite: false)
        let exe = try TestSupport.readFile(folder + "/unpacked/install.exe")
        XCTAssertEqual(exe, NativeLauncher.executable(), "the embedded launcher, unchanged")
        XCTAssertEqual(exe, try TestSupport.readFile(TestSupport.repoRoot + "/Launcher/install.exe"), "the committed build")
        XCTAssertEqual(Array(exe.prefix(2)), Array("MZ".utf8))
        let nested = try XCTUnwrap(result.nested)
        XCTAssertEqual(nested.kind, .native)
        XCTAssertEqual(nested.launcherSHA256, TestSupport.hex(SHA256.hash(exe)))
        XCTAssertEqual(nested.launcherSHA256, NativeLauncher.sha256)
        XCTAssertEqual(nested.installCommand, "install.exe")
        XCTAssertEqual(nested.uninstallCommand, "install.exe /uninstall")

        let ini = String(decoding: try TestSupport.readFile(folder + "/unpacked/launcher.ini"), as: UTF8.self)
        let digest = TestSupport.hex(SHA256.hash(try TestSupport.readFile(folder + "/unpacked/payload.zip")))
        let lines = ini.components(separatedBy: "\r\n")
        for expected in ["format=1", "app_name=src", "payload=payload.zip", "payload_sha256=" + digest,
                         "extract_to=%ProgramData%\\IntuneWin\\src\\" + digest.prefix(12), "setup=bin\\setup.exe",
                         "setup_args=" + options.setupArguments, "uninstall_args=/uninstall", "timeout_minutes=50"] {
            XCTAssertTrue(lines.contains(expected), "\(expected) in\n\(ini)")
        }
        XCTAssertFalse(ini.contains("uninstall_command="))
        XCTAssertTrue(ini.hasSuffix("\r\n") && !ini.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "CRLF only")
    }

    func testALineBreakInALauncherValueIsRefusedBeforeAnythingIsWritten() throws {
        let folder = try makeTemporaryFolder()
        try TestSupport.writeFile(folder + "/src/setup.exe", Array("MZ".utf8))
        var options = NestedOptions()
        options.setupArguments = "/S\r\nformat=2"
        let error = assertThrows(.usage) { try pack(folder + "/src", "setup.exe", folder + "/out", options: options) }
        XCTAssertTrue(error?.description.contains("setup_args") ?? false, "\(String(describing: error))")
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: folder + "/out")) ?? [], [], "nothing left")
    }

    func testMSISetupGetsAnMSIDetectionHintAndCustomFolder() throws {
        let folder = try makeTemporaryFolder()
        try FileManager.default.createDirectory(atPath: folder + "/src", withIntermediateDirectories: true)
        for file in ["machine.wxs", "payload.txt"] {
            try FileManager.default.copyItem(atPath: MSITests.fixtures + "/" + file, toPath: folder + "/" + file)
        }
        let built = try TestSupport.run("sh", ["-c", "cd '\(folder)' && wixl -o src/app.msi machine.wxs"])
        XCTAssertEqual(built.status, 0, built.stderr)
        var options = NestedOptions()
        options.extractTo = "%ProgramData%\\Contoso\\App"
        let result = try pack(folder + "/src", "app.msi", folder + "/out", options: options)
        let nested = try XCTUnwrap(result.nested)
        XCTAssertEqual(nested.launcher.extractTo, "%ProgramData%\\Contoso\\App")
        XCTAssertEqual(nested.launcher.appName, "Machine Product")
        XCTAssertTrue(nested.detectionHint.contains("{11111111-2222-3333-4444-555555555555}"), nested.detectionHint)
        XCTAssertNil(result.detection.msiInfo, "the package's setup is the launcher, not the MSI")
    }

    func testFailedNestedPackLeavesNothingBehind() throws {
        let folder = try makeTemporaryFolder()
        try TestSupport.writeFile(folder + "/src/setup.exe", Array("MZ".utf8))
        try TestSupport.writeFile(folder + "/out/setup.intunewin", Array("keep".utf8))
        assertThrows(.cannotWrite) { try pack(folder + "/src", "setup.exe", folder + "/out") }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder + "/out"), ["setup.intunewin"])
        XCTAssertEqual(try TestSupport.readFile(folder + "/out/setup.intunewin"), Array("keep".utf8))
    }

    // MARK: --name, --launcher-timeout, the payload checked inside

    func testTheDefaultNameIsThePackageNotTheVendorsSetup() throws {
        let folder = try makeTemporaryFolder()
        let source = folder + "/Contoso Viewer"
        try TestSupport.writeFile(source + "/setup.exe", TestSupport.noise(1_000))
        let byFolder = try XCTUnwrap(try pack(source, "setup.exe", folder + "/out").nested)
        XCTAssertEqual(byFolder.launcher.appName, "Contoso Viewer", "the source folder's name, not setup")
        XCTAssertTrue(byFolder.launcher.extractTo.hasPrefix("%ProgramData%\\IntuneWin\\Contoso Viewer\\"), byFolder.launcher.extractTo)
        let byFile = try XCTUnwrap(try pack(source, "setup.exe", folder + "/out/Viewer 2.1.intunewin").nested)
        XCTAssertEqual(byFile.launcher.appName, "Viewer 2.1", "the output file's name when -o names one")
        let generic = try XCTUnwrap(try pack(source, "setup.exe", folder + "/out/Setup.intunewin").nested)
        XCTAssertEqual(generic.launcher.appName, "Contoso Viewer", "an output named like the setup is passed over")
        var options = NestedOptions()
        options.name = "Viewer (x64)"
        let named = try XCTUnwrap(try pack(source, "setup.exe", folder + "/named", options: options).nested)
        XCTAssertEqual(named.launcher.appName, "Viewer (x64)")
        XCTAssertTrue(named.launcher.extractTo.hasPrefix("%ProgramData%\\IntuneWin\\Viewer (x64)\\"), named.launcher.extractTo)
    }

    func testABadNameIsRefusedBeforeAnythingIsWritten() throws {
        let folder = try makeTemporaryFolder()
        try TestSupport.writeFile(folder + "/src/setup.exe", Array("MZ".utf8))
        for bad in ["", "a/b", "a\\b", "C:x", "what?", "100%", "CON", "nul.txt", "dot.", " lead", "tab\tname",
                    String(repeating: "n", count: LauncherSettings.nameLengthLimit + 1)] {
            var options = NestedOptions()
            options.name = bad
            assertThrows(.usage) { try pack(folder + "/src", "setup.exe", folder + "/out", options: options) }
            XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: folder + "/out")) ?? [], [], "nothing written for \(bad)")
        }
        XCTAssertNoThrow(try LauncherSettings.validateName(String(repeating: "n", count: LauncherSettings.nameLengthLimit)))
        XCTAssertNoThrow(try LauncherSettings.validateName("Contoso App 2.0 (x64) & co"))
    }

    func testTimeoutUpToADayAndTheMaximumRunTimeToSetInIntune() throws {
        let folder = try makeTemporaryFolder()
        try TestSupport.writeFile(folder + "/src/setup.exe", Array("MZ".utf8))
        for (timeout, runTime) in [(1, 60), (50, 60), (59, 69), (120, 130), (1440, 1450)] {
            var options = NestedOptions()
            options.timeoutMinutes = timeout
            let result = try XCTUnwrap(try pack(folder + "/src", "setup.exe", folder + "/out\(timeout)", options: options).nested)
            XCTAssertEqual(result.launcher.timeoutMinutes, timeout)
            XCTAssertEqual(result.maximumRunTimeMinutes, runTime, "timeout \(timeout)")
        }
        for bad in [0, -5, 1441] {
            var options = NestedOptions()
            options.timeoutMinutes = bad
            assertThrows(.usage) { try pack(folder + "/src", "setup.exe", folder + "/bad", options: options) }
        }
    }

    /// A package in the nested-zip layout whose launcher.ini names another payload digest: verify finds it.
    func testVerifyChecksThePayloadDigestAgainstTheLauncherSettings() throws {
        let folder = try makeTemporaryFolder()
        try TestSupport.writeFile(folder + "/src/setup.exe", TestSupport.noise(2_000))
        try TestSupport.writeFile(folder + "/src/data/file.txt", Array("data".utf8))
        let good = try pack(folder + "/src", "setup.exe", folder + "/good")
        let report = try Verifier.verify(try IntuneWinPackage(path: good.outputPath), source: folder + "/src")
        XCTAssertTrue(report.passed, "\(report.failures)")
        XCTAssertEqual(report.checks.suffix(3).map(\.name), ["launcher", "payload-sha256", "source"])

        // The same payload beside a launcher.ini naming another digest, packed as a plain folder.
        _ = try Decryptor.unpack(try IntuneWinPackage(path: good.outputPath), to: folder + "/tampered", overwrite: false)
        var settings = try XCTUnwrap(good.nested).launcher
        settings.payloadSHA256 = String(repeating: "0", count: 64)
        try TestSupport.writeFile(folder + "/tampered/launcher.ini", try NativeLauncher.settingsFile(settings))
        let tampered = try Packager.pack(PackRequest(sourceFolder: folder + "/tampered", setupFile: "install.exe", output: folder + "/t"))
        let bad = try Verifier.verify(try IntuneWinPackage(path: tampered.outputPath), source: folder + "/src")
        XCTAssertEqual(bad.failures.map(\.name), ["payload-sha256"], "\(bad.checks)")
        XCTAssertEqual(bad.checks.last?.outcome, .passed, "the files inside still equal the source")

        // The source changed: the check names the file inside payload.zip.
        try TestSupport.writeFile(folder + "/src/data/file.txt", Array("changed".utf8))
        try TestSupport.writeFile(folder + "/src/new.txt", Array("new".utf8))
        let changed = try Verifier.verify(try IntuneWinPackage(path: good.outputPath), source: folder + "/src")
        XCTAssertEqual(changed.failures.map(\.name), ["source"])
        let detail = changed.failures.first?.detail ?? ""
        XCTAssertTrue(detail.contains("data/file.txt") && detail.contains("new.txt") && detail.contains("payload.zip"), detail)
    }
}
