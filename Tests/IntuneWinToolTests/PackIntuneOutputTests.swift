import Foundation
import XCTest

/// Every `pack` says what to enter in Intune next, through the binary: the "In Intune:" block in text,
/// the `intune` object in `--json` (valid against docs/schemas/pack.schema.json), the nested MSI's facts as
/// `setupMsi`, and the findings structured as lint's (`warnings` kept one release as strings).
final class PackIntuneOutputTests: ToolTestCase {
    private static let msiFixtures = Tool.repoRoot.appending("Tests/Fixtures/msi")

    /// A source folder holding `<wxs>`'s MSI (built by wixl) as app.msi.
    private func msiSource(_ wxs: String) throws -> URL {
        let build = path("wxs-\(wxs)")
        try makeFolder(build)
        for name in [wxs + ".wxs", "payload.txt"] {
            try FileManager.default.copyItem(at: Self.msiFixtures.appending(name), to: build.appending(name))
        }
        let source = path("msi-\(wxs)")
        try makeFolder(source)
        assertExit(try execute("wixl", ["-o", source.appending("app.msi").path, build.appending(wxs + ".wxs").path], in: build), 0, "wixl")
        return source
    }

    /// The lines of the "In Intune:" block, label → value.
    private func intuneBlock(_ result: RunResult, file: StaticString = #filePath, line: UInt = #line) -> [String: String] {
        let lines = result.out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(of: "In Intune:") else {
            XCTFail("no \"In Intune:\" block:\n\(result.out)", file: file, line: line)
            return [:]
        }
        var block: [String: String] = [:]
        for text in lines[(start + 1)...] where text.hasPrefix("  ") {
            guard let colon = text.range(of: ": ") else { continue }
            let label = text[..<colon.lowerBound].trimmingCharacters(in: .whitespaces)
            let value = text[colon.upperBound...].trimmingCharacters(in: .whitespaces)
            block[label] = block[label].map { $0 + "\n" + value } ?? value
        }
        return block
    }

    /// Validates pack `--json` outputs against docs/schemas/pack.schema.json with Python's jsonschema.
    private func assertMatchesSchema(_ runs: [(String, RunResult)], file: StaticString = #filePath, line: UInt = #line) throws {
        let script = path("validate.py")
        try write(JSONSchemaTests.validatorScript, to: script)
        var arguments = [script.path, JSONSchemaTests.schemasDirectory.appendingPathComponent("pack.schema.json").path]
        for (index, run) in runs.enumerated() {
            let instance = path("instance-\(index).json")
            try run.1.stdout.write(to: instance)
            arguments += [run.0, instance.path]
        }
        let result = try execute("python3", arguments)
        assertExit(result, 0, "pack --json against pack.schema.json:\n\(result.out)", file: file, line: line)
    }

    func testEveryPackPrintsWhatToEnterInIntune() throws {
        let msi = try pack(try msiSource("machine"), setup: "app.msi", to: path("out-msi"))
        var block = intuneBlock(msi)
        XCTAssertEqual(block["Install command"], "msiexec /i \"app.msi\" /qn", msi.out)
        XCTAssertEqual(block["Uninstall command"], "msiexec /x {11111111-2222-3333-4444-555555555555} /qn", msi.out)
        XCTAssertEqual(block["Install behavior"], "System", msi.out)
        XCTAssertEqual(block["Detection rule"], "MSI product code {11111111-2222-3333-4444-555555555555}, version 1.2.3 or later", msi.out)
        XCTAssertEqual(block["Return codes"], "0 success, 1707 success, 3010 soft reboot, 1641 hard reboot, 1618 retry", msi.out)
        XCTAssertEqual(block["Max run time"], "60 minutes", msi.out)

        block = intuneBlock(try pack(try msiSource("peruser"), setup: "app.msi", to: path("out-user")))
        XCTAssertEqual(block["Install behavior"], "User")

        let scriptSource = path("ps")
        try write("Write-Host hi\n", to: scriptSource.appending("install.ps1"))
        let script = try pack(scriptSource, setup: "install.ps1", to: path("out-ps"))
        block = intuneBlock(script)
        XCTAssertEqual(block["Install command"], "powershell.exe -ExecutionPolicy Bypass -NoProfile -File \"install.ps1\"", script.out)
        XCTAssertTrue(block["Uninstall command"]?.contains("not known") ?? false, script.out)
        XCTAssertTrue(block["Note"]?.contains("uninstall command:") ?? false, script.out)
        XCTAssertTrue(block["Detection rule"]?.hasPrefix("suggested: a file the setup installs") ?? false, script.out)

        let exe = try pack(try makeApp(), to: path("out-exe"))
        block = intuneBlock(exe)
        XCTAssertEqual(block["Install command"], "setup.exe", exe.out)
        XCTAssertEqual(block["Install behavior"], "System", exe.out)
    }

    func testNestedMSIKeepsItsFactsInJSONAndTheIntuneObject() throws {
        let source = try msiSource("peruser")
        let text = try pack(source, setup: "app.msi", to: path("text"), ["--nested-zip"])
        let block = intuneBlock(text)
        XCTAssertEqual(block["Install command"], "install.exe", text.out)
        XCTAssertEqual(block["Uninstall command"], "install.exe /uninstall", text.out)
        XCTAssertEqual(block["Install behavior"], "User", "from the inner MSI: \(text.out)")
        XCTAssertTrue(block["Detection rule"]?.contains("{22222222-2222-3333-4444-555555555555}") ?? false, text.out)

        let nested = try pack(source, setup: "app.msi", to: path("json"), ["--nested-zip", "--json"])
        let json = try nested.jsonObject()
        XCTAssertTrue(json["msi"] is NSNull, "Detection.xml has no MsiInfo: the SetupFile is the launcher (FORMAT.md 9.6)")
        let setupMsi = try XCTUnwrap(json["setupMsi"] as? [String: Any], nested.out)
        XCTAssertEqual(setupMsi["productCode"] as? String, "{22222222-2222-3333-4444-555555555555}")
        XCTAssertEqual(setupMsi["productVersion"] as? String, "2.0.0")
        let intune = try XCTUnwrap(json["intune"] as? [String: Any], nested.out)
        XCTAssertEqual(intune["installCommandLine"] as? String, "install.exe")
        XCTAssertEqual(intune["uninstallCommandLine"] as? String, "install.exe /uninstall")
        XCTAssertEqual((intune["installExperience"] as? [String: Any])?["runAsAccount"] as? String, "user")
        XCTAssertTrue(intune["msiInformation"] is NSNull)
        let rule = try XCTUnwrap((intune["rules"] as? [[String: Any]])?.first)
        XCTAssertEqual(rule["@odata.type"] as? String, "#microsoft.graph.win32LobAppProductCodeRule")
        XCTAssertEqual(rule["productCode"] as? String, "{22222222-2222-3333-4444-555555555555}")
        XCTAssertEqual(rule["productVersion"] as? String, "2.0.0")
        XCTAssertEqual(intune["maximumRunTimeMinutes"] as? Int, 60)

        let plain = try pack(try msiSource("machine"), setup: "app.msi", to: path("plain"), ["--json"])
        let plainJSON = try plain.jsonObject()
        XCTAssertNotNil(plainJSON["setupMsi"] as? NSDictionary, plain.out)
        XCTAssertEqual(plainJSON["setupMsi"] as? NSDictionary, plainJSON["msi"] as? NSDictionary,
                       "for a plain MSI package setupMsi is what Detection.xml holds")
        let plainIntune = try XCTUnwrap(plainJSON["intune"] as? [String: Any])
        XCTAssertEqual((plainIntune["msiInformation"] as? [String: Any])?["packageType"] as? String, "perMachine")
        XCTAssertEqual((plainIntune["returnCodes"] as? [[String: Any]])?.compactMap { number($0["returnCode"]) }, [0, 1707, 3010, 1641, 1618])

        let exe = try pack(try makeApp(), to: path("exe"), ["--json"])
        XCTAssertTrue(try exe.jsonObject()["setupMsi"] is NSNull)
        try assertMatchesSchema([("nested MSI", nested), ("plain MSI", plain), ("exe", exe)])
    }

    /// pack's JSON findings have lint's shape (rule, path, message); `warnings` keeps the 0.1 strings.
    func testJSONFindingsAreStructuredAsLintsAndWarningsStayOneRelease() throws {
        let source = try makeApp()
        try write("x", to: source.appending("Thumbs.db"))
        let packed = try pack(source, to: path("out"), ["--json"])
        let json = try packed.jsonObject()
        let findings = try XCTUnwrap(json["findings"] as? [[String: String]], packed.out)
        let lint = try tool("lint", "-c", source.path, "-s", "setup.exe", "--json")
        assertExit(lint, 1, lint.summary)
        XCTAssertEqual(findings, try XCTUnwrap(try lint.jsonObject()["findings"] as? [[String: String]]), "the same findings as lint's")
        XCTAssertEqual(findings.map { $0["rule"] }, ["leftover"])
        XCTAssertEqual(json["warnings"] as? [String], findings.map { "\($0["rule"]!): \($0["path"]!): \($0["message"]!)" })
        try assertMatchesSchema([("pack with a finding", packed)])
    }
}
