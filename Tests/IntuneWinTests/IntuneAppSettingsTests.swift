import Foundation
import XCTest
@testable import IntuneWin

/// `PackResult.intune`: what to enter in the Intune portal after the upload, for each kind of setup, and
/// the nested-zip package's MSI facts (`setupMsi`), which Detection.xml does not carry.
final class IntuneAppSettingsTests: XCTestCase {
    /// A source folder holding `<wxs>`'s MSI (built by wixl) as `name`, plus a readme.
    private func msiSource(_ wxs: String, as name: String = "app.msi") throws -> String {
        let folder = try makeTemporaryFolder()
        for file in [wxs + ".wxs", "payload.txt"] {
            try FileManager.default.copyItem(atPath: MSITests.fixtures + "/" + file, toPath: folder + "/" + file)
        }
        try FileManager.default.createDirectory(atPath: folder + "/src/sub", withIntermediateDirectories: true)
        let built = try TestSupport.run("sh", ["-c", "cd '\(folder)' && wixl -o 'src/\(name)' '\(wxs).wxs'"])
        XCTAssertEqual(built.status, 0, built.stderr)
        try TestSupport.writeFile(folder + "/src/readme.txt", Array("read me".utf8))
        return folder + "/src"
    }

    private func pack(_ source: String, _ setup: String, nested: NestedOptions? = nil) throws -> PackResult {
        var request = PackRequest(sourceFolder: source, setupFile: setup, output: try makeTemporaryFolder() + "/out")
        request.nested = nested
        return try Packager.pack(request)
    }

    private let machineCode = "{11111111-2222-3333-4444-555555555555}"

    func testMachineMSIGetsMsiexecCommandsAProductCodeRuleAndSystemContext() throws {
        let result = try pack(try msiSource("machine"), "app.msi")
        let intune = result.intune
        XCTAssertEqual(intune.installCommandLine, "msiexec /i \"app.msi\" /qn")
        XCTAssertEqual(intune.uninstallCommandLine, "msiexec /x \(machineCode) /qn")
        XCTAssertEqual(intune.installExperience, IntuneInstallExperience(runAsAccount: .system, deviceRestartBehavior: .basedOnReturnCode))
        XCTAssertEqual(intune.rules, [.productCode(.init(productCode: machineCode, productVersion: "1.2.3", productVersionOperator: .greaterThanOrEqual))])
        XCTAssertFalse(intune.rulesAreTemplates)
        XCTAssertEqual(intune.displayName, "Machine Product")
        XCTAssertEqual(intune.publisher, "Contoso Ltd")
        XCTAssertEqual(intune.setupFilePath, "app.msi")
        let msi = try XCTUnwrap(intune.msiInformation)
        XCTAssertEqual(msi.packageType, .perMachine)
        XCTAssertEqual(msi.productCode, machineCode)
        XCTAssertEqual(msi.upgradeCode, "{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE}")
        XCTAssertTrue(msi.requiresReboot, "the fixture sets REBOOT=Force")
        XCTAssertEqual(intune.returnCodes.map(\.returnCode), [0, 1707, 3010, 1641, 1618])
        XCTAssertEqual(intune.returnCodes.map(\.type), [.success, .success, .softReboot, .hardReboot, .retry])
        XCTAssertEqual(intune.maximumRunTimeMinutes, 60)
        XCTAssertEqual(intune.notes, [])
        XCTAssertEqual(result.setupMsi?.productCode, machineCode)
    }

    func testPerUserMSIRunsAsTheUser() throws {
        let intune = try pack(try msiSource("peruser"), "app.msi").intune
        XCTAssertEqual(intune.installExperience.runAsAccount, .user)
        XCTAssertEqual(intune.msiInformation?.packageType, .perUser)
        XCTAssertEqual(intune.uninstallCommandLine, "msiexec /x {22222222-2222-3333-4444-555555555555} /qn")
    }

    func testDualPurposeMSIInstallingPerUserRunsAsTheUser() throws {
        // ALLUSERS=2 with MSIINSTALLPERUSER=1: run as SYSTEM it would install into SYSTEM's profile.
        let intune = try pack(try msiSource("dualpurpose"), "app.msi").intune
        XCTAssertEqual(intune.msiInformation?.packageType, .dualPurpose)
        XCTAssertEqual(intune.installExperience.runAsAccount, .user)
        XCTAssertNil(intune.msiInformation?.upgradeCode)
    }

    func testMSIInASubfolderIsQuotedWithItsPath() throws {
        let source = try msiSource("machine", as: "sub/My App.msi")
        let intune = try pack(source, "sub/My App.msi").intune
        XCTAssertEqual(intune.installCommandLine, "msiexec /i \"sub\\My App.msi\" /qn")
    }

    func testScriptRunsThroughPowerShellAndLeavesTheUninstallToTheUser() throws {
        let folder = try makeTemporaryFolder()
        try TestSupport.writeFile(folder + "/src/install.ps1", Array("Write-Host hi".utf8))
        let result = try pack(folder + "/src", "install.ps1")
        let intune = result.intune
        XCTAssertEqual(intune.installCommandLine, "powershell.exe -ExecutionPolicy Bypass -NoProfile -File \"install.ps1\"")
        XCTAssertNil(intune.uninstallCommandLine)
        XCTAssertTrue(intune.notes.contains { $0.hasPrefix("uninstall command:") }, "\(intune.notes)")
        XCTAssertEqual(intune.installExperience.runAsAccount, .system)
        XCTAssertNil(intune.msiInformation)
        XCTAssertNil(result.setupMsi)
        XCTAssertTrue(intune.rulesAreTemplates)
        guard case .fileSystem(let rule) = intune.rules.first else { return XCTFail("\(intune.rules)") }
        XCTAssertEqual(rule.operationType, .exists)
        XCTAssertTrue(rule.path.contains("<") && rule.fileOrFolderName.contains("<"), "placeholders: \(rule)")
        XCTAssertTrue(intune.detectionHint.contains("DisplayVersion"), intune.detectionHint)
    }

    func testExeRunsAsGivenQuotedWhenItHasASpace() throws {
        let folder = try makeTemporaryFolder()
        try TestSupport.writeFile(folder + "/src/bin/Setup Tool.exe", TestSupport.noise(100))
        try TestSupport.writeFile(folder + "/src/setup.cmd", Array("@echo off".utf8))
        XCTAssertEqual(try pack(folder + "/src", "bin/Setup Tool.exe").intune.installCommandLine, "\"bin\\Setup Tool.exe\"")
        let cmd = try pack(folder + "/src", "setup.cmd").intune
        XCTAssertEqual(cmd.installCommandLine, "setup.cmd")
        XCTAssertNil(cmd.uninstallCommandLine)
        XCTAssertEqual(cmd.displayName, "setup.cmd")
        XCTAssertTrue(cmd.notes.contains { $0.contains("silent switch") }, "\(cmd.notes)")
    }

    func testNestedMSIKeepsItsFactsForDetectionButNotInDetectionXML() throws {
        let result = try pack(try msiSource("peruser"), "app.msi", nested: NestedOptions())
        XCTAssertNil(result.detection.msiInfo, "the package's SetupFile is the launcher (docs/FORMAT.md 9.6)")
        let msi = try XCTUnwrap(result.setupMsi, "the inner MSI's facts are kept")
        XCTAssertEqual(msi.productCode, "{22222222-2222-3333-4444-555555555555}")
        XCTAssertEqual(msi.productVersion, "2.0.0")
        let intune = result.intune
        XCTAssertEqual(intune.installCommandLine, NativeLauncher.installCommand)
        XCTAssertEqual(intune.uninstallCommandLine, NativeLauncher.uninstallCommand)
        XCTAssertEqual(intune.rules, [.productCode(.init(productCode: msi.productCode, productVersion: "2.0.0", productVersionOperator: .greaterThanOrEqual))])
        XCTAssertEqual(intune.installExperience.runAsAccount, .user, "from the inner MSI's context")
        XCTAssertEqual(intune.displayName, "User Product")
        XCTAssertEqual(intune.publisher, "Fabrikam")
        XCTAssertNil(intune.msiInformation, "the portal would not have it either: the setup file is not an MSI")
        XCTAssertTrue(intune.notes.contains { $0.contains("msiexec /x") && $0.contains(msi.productCode) }, "\(intune.notes)")
    }

    func testNestedExeUsesTheLauncherCommandsAndWarnsOffTheExtractedFolder() throws {
        let folder = try makeTemporaryFolder()
        try TestSupport.writeFile(folder + "/src/setup.exe", TestSupport.noise(100))
        var options = NestedOptions()
        options.launcher = .powershell
        let result = try pack(folder + "/src", "setup.exe", nested: options)
        let intune = result.intune
        XCTAssertEqual(intune.installCommandLine, LauncherScript.installCommand)
        XCTAssertEqual(intune.uninstallCommandLine, LauncherScript.uninstallCommand)
        XCTAssertEqual(intune.installExperience.runAsAccount, .system)
        XCTAssertTrue(intune.rulesAreTemplates)
        XCTAssertTrue(intune.detectionHint.contains(".intunewin-payload"), intune.detectionHint)
        XCTAssertEqual(intune.setupFilePath, "install.ps1")
        XCTAssertNil(result.setupMsi)
    }

    func testMaximumRunTimeIsTheCallersOrSixty() throws {
        let folder = try makeTemporaryFolder()
        try TestSupport.writeFile(folder + "/src/setup.exe", TestSupport.noise(100))
        let result = try pack(folder + "/src", "setup.exe")
        XCTAssertEqual(result.intune.maximumRunTimeMinutes, 60)
        XCTAssertEqual(IntuneAppSettings(result, maximumRunTimeMinutes: 120).maximumRunTimeMinutes, 120)
    }

    /// Encoded with Graph's names (a rule's kind in `@odata.type`), every key present, and read back equal.
    func testEncodesWithGraphNamesAndRoundTrips() throws {
        let intune = try pack(try msiSource("machine"), "app.msi").intune
        let data = try JSONEncoder().encode(intune)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let rule = try XCTUnwrap((object["rules"] as? [[String: Any]])?.first)
        XCTAssertEqual(rule["@odata.type"] as? String, "#microsoft.graph.win32LobAppProductCodeRule")
        XCTAssertEqual(rule["ruleType"] as? String, "detection")
        XCTAssertEqual(rule["productVersionOperator"] as? String, "greaterThanOrEqual")
        XCTAssertEqual((object["installExperience"] as? [String: Any])?["runAsAccount"] as? String, "system")
        XCTAssertEqual((object["returnCodes"] as? [[String: Any]])?[2]["type"] as? String, "softReboot")
        XCTAssertEqual((object["msiInformation"] as? [String: Any])?["packageType"] as? String, "perMachine")
        XCTAssertEqual(try JSONDecoder().decode(IntuneAppSettings.self, from: data), intune)

        let folder = try makeTemporaryFolder()
        try TestSupport.writeFile(folder + "/src/setup.exe", TestSupport.noise(100))
        let exe = try pack(folder + "/src", "setup.exe").intune
        let exeData = try JSONEncoder().encode(exe)
        let exeObject = try XCTUnwrap(JSONSerialization.jsonObject(with: exeData) as? [String: Any])
        XCTAssertTrue(exeObject["uninstallCommandLine"] is NSNull && exeObject["msiInformation"] is NSNull && exeObject["publisher"] is NSNull,
                      "absent values are null, not missing: \(exeObject)")
        XCTAssertEqual(((exeObject["rules"] as? [[String: Any]])?.first)?["@odata.type"] as? String, "#microsoft.graph.win32LobAppFileSystemRule")
        XCTAssertEqual(try JSONDecoder().decode(IntuneAppSettings.self, from: exeData), exe)
    }
}
