import Foundation
import XCTest

/// `intunewin-tool msi` and MSI-aware `pack`, through the binary.
final class MsiCommandTests: ToolTestCase {
    private static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/msi")

    /// A JSON boolean from JSONSerialization (not a number that happens to be 0 or 1); nil otherwise.
    private func jsonBoolean(_ value: Any?) -> Bool? {
        guard let number = value as? NSNumber, String(cString: number.objCType) == "c" else { return nil }
        return number.boolValue
    }

    /// Sample 09's AESetup.msi, unpacked with the tool.
    private func sampleMSI() throws -> URL {
        assertExit(try tool("unpack", Tool.sample("09").path, "-o", path("ae").path), 0)
        return path("ae/AESetup.msi")
    }

    func testMsiJSONShowsMicrosoftsMsiInfoAndTheTrueFacts() throws {
        let msi = try sampleMSI()
        let result = try tool("msi", msi.path, "--json")
        assertExit(result, 0)
        let object = try result.jsonObject()
        XCTAssertEqual(object["name"] as? String, "AutoElevate")
        let info = try XCTUnwrap(object["msi"] as? [String: Any])
        XCTAssertEqual(jsonBoolean(info["includesServices"]), false, "a JSON boolean: \(result.out)")
        XCTAssertEqual(info["publisher"] as? String, "CyberFOX LLC")
        // The 0.1 key keeps the text, one release more.
        XCTAssertEqual((object["msiInfo"] as? [String: String])?["MsiIncludesServices"], "false")
        XCTAssertEqual(number((object["facts"] as? [String: Any])?["services"]), 2)
        XCTAssertEqual((object["differencesFromMicrosoft"] as? [String])?.count, 1)
        let tables = try XCTUnwrap(object["tables"] as? [[String: Any]])
        XCTAssertEqual(number(tables.first { $0["name"] as? String == "ServiceInstall" }?["rows"]), 2)
        XCTAssertEqual((object["sourceResiliency"] as? [String: Any])?["needsSource"] as? Bool, false)
    }

    /// An unknown table is a bad argument (exit 2, as ArgumentParser's validation errors), listing the tables there are.
    func testMsiTableOptionPrintsRowsAndUnknownTableIsAUsageError() throws {
        let msi = try sampleMSI()
        let table = try tool("msi", msi.path, "--table", "ServiceInstall")
        assertExit(table, 0)
        XCTAssertTrue(table.out.contains("AutoElevateAgent"), table.summary)
        let missing = try tool("msi", msi.path, "--table", "Nope")
        assertExit(missing, 2)
        assertOneLineError(missing, naming: "AESetup.msi")
        XCTAssertTrue(missing.err.contains("no table Nope"), missing.summary)
        XCTAssertTrue(missing.err.contains("ServiceInstall") && missing.err.contains("Property"), "the tables there are: \(missing.summary)")
        XCTAssertTrue(missing.err.contains("msi --help"), missing.summary)
    }

    func testPackOfAnMSIWithAnExternalCabinetWarns() throws {
        let src = path("src")
        try makeFolder(src)
        for name in ["dualpurpose.wxs", "payload.txt"] {
            try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent(name), to: src.appending(name))
        }
        assertExit(try execute("wixl", ["-o", src.appending("app.msi").path, src.appending("dualpurpose.wxs").path]), 0)
        let packed = try tool("pack", "-c", src.path, "-s", "app.msi", "-o", path("out").path)
        assertExit(packed, 0)
        XCTAssertTrue(packed.err.contains("data1.cab"), packed.summary)
        XCTAssertTrue(packed.err.contains("nested-zip"), packed.summary)
        let info = try tool("info", path("out/app.intunewin").path, "--json").jsonObject()
        XCTAssertEqual(info["name"] as? String, "Prüfprodukt Größe")
        let msi = try XCTUnwrap(info["msi"] as? [String: Any])
        XCTAssertEqual(msi["executionContext"] as? String, "Any")
        // info --json and pack --json give the yes/no fields as JSON booleans too.
        for field in ["requiresLogon", "requiresReboot", "isMachineInstall", "isUserInstall", "includesServices",
                      "includesODBCDataSource", "containsSystemRegistryKeys", "containsSystemFolders"] {
            XCTAssertNotNil(jsonBoolean(msi[field]), "info: \(field) is \(String(describing: msi[field]))")
        }
        let packJSON = try tool("pack", "-c", src.path, "-s", "app.msi", "-o", path("out2").path, "--json").jsonObject()
        XCTAssertEqual(jsonBoolean((packJSON["msi"] as? [String: Any])?["isMachineInstall"]), jsonBoolean(msi["isMachineInstall"]))
        XCTAssertEqual((packJSON["msiInfo"] as? [String: String])?["MsiIsMachineInstall"], jsonBoolean(msi["isMachineInstall"]).map { "\($0)" })
    }

    /// Summary-information strings read as msiinfo (msitools, an independent reader) shows them: wixl writes
    /// them as UTF-8 in an MSI whose PID_CODEPAGE is 1252 ("Bar Test Ünïcode", not "Bar Test ÃœnÃ¯code").
    func testSummaryInformationStringsReadAsMsiinfoShowsThem() throws {
        let src = path("src")
        try makeFolder(src)
        for name in ["unicode-summary.wxs", "payload.txt"] {
            try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent(name), to: src.appending(name))
        }
        let msi = src.appending("app.msi")
        assertExit(try execute("wixl", ["-o", msi.path, src.appending("unicode-summary.wxs").path]), 0)
        let suminfo = try execute("msiinfo", ["suminfo", msi.path])
        assertExit(suminfo, 0)
        var theirs: [String: String] = [:]
        for line in suminfo.out.components(separatedBy: "\n") {
            guard let colon = line.range(of: ": ") else { continue }
            theirs[String(line[..<colon.lowerBound])] = String(line[colon.upperBound...])
        }
        XCTAssertEqual(theirs["Subject"], "Bar Test Ünïcode", suminfo.summary)
        let result = try tool("msi", msi.path, "--json")
        assertExit(result, 0)
        let summary = try XCTUnwrap(result.jsonObject()["summaryInformation"] as? [String: String])
        XCTAssertEqual(summary["Codepage"], "1252")
        for key in ["Subject", "Author", "Comments", "Title", "Keywords"] {
            XCTAssertEqual(summary[key], theirs[key], key)
        }
        let text = try tool("msi", msi.path)
        XCTAssertTrue(text.out.contains("Subject              Bar Test Ünïcode"), text.summary)
        XCTAssertFalse(text.out.contains("Ã"), text.summary)
    }

    func testNotACompoundFileIsBadInput() throws {
        try write("not an msi", to: path("x.msi"))
        let result = try tool("msi", path("x.msi").path)
        assertExit(result, 3)
        assertOneLineError(result, naming: "x.msi")
    }

    func testPatchesAndTransformsShowSummaryInformationWithoutMsiInfo() throws {
        // msitools cannot write a real patch or transform; a database under those names exercises the same paths.
        let src = path("fx")
        try makeFolder(src)
        for name in ["machine.wxs", "payload.txt"] {
            try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent(name), to: src.appending(name))
        }
        assertExit(try execute("wixl", ["-o", path("fix.mst").path, src.appending("machine.wxs").path], in: src), 0)
        let transform = try tool("msi", path("fix.mst").path, "--json").jsonObject()
        XCTAssertNil(transform["msi"]); XCTAssertNil(transform["msiInfo"])
        XCTAssertEqual(transform["kind"] as? String, "mst")
        XCTAssertEqual((transform["summaryInformation"] as? [String: Any])?["Subject"] as? String, "Machine Product")

        assertExit(try execute("msibuild", [path("empty.msp").path, "-s", "Empty patch"]), 0)
        let patch = try tool("msi", path("empty.msp").path, "--json").jsonObject()
        XCTAssertNil(patch["msi"]); XCTAssertNil(patch["msiInfo"])
        XCTAssertEqual((patch["summaryInformation"] as? [String: Any])?["Subject"] as? String, "Empty patch")
    }
}
