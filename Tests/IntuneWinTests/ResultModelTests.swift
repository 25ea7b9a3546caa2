import Foundation
import XCTest
@testable import IntuneWin

/// The result models a library user gets without the tool: the MSI overview, the IME report's app
/// filter and JSON shape, and the small facts the tool used to compute itself.
final class ResultModelTests: XCTestCase {
    private func wixl(_ name: String) throws -> String {
        let folder = try makeTemporaryFolder()
        for file in [name + ".wxs", "payload.txt"] {
            try FileManager.default.copyItem(atPath: TestSupport.repoRoot + "/Tests/Fixtures/msi/" + file, toPath: folder + "/" + file)
        }
        let built = try TestSupport.run("sh", ["-c", "cd '\(folder)' && wixl -o app.msi '\(name).wxs'"])
        XCTAssertEqual(built.status, 0, built.stderr)
        return folder + "/app.msi"
    }

    func testMsiReportHoldsWhatPackWrites() throws {
        let msi = try wixl("machine")
        let report = try MsiReport(path: msi)
        let info = try MsiInfo(database: try MSIDatabase(path: msi), fileName: "app.msi")
        XCTAssertEqual(report.kind, "msi")
        XCTAssertEqual(report.name, info.name)
        XCTAssertEqual(report.msiInfo, Dictionary(uniqueKeysWithValues: info.fields.map { ($0.name, $0.value) }))
        XCTAssertEqual(report.properties["ProductCode"], info.productCode)
        XCTAssertEqual(report.sourceResiliency?.needsSource, false)
        XCTAssertTrue(report.tables.contains { $0.name == "Property" && $0.rows > 0 }, "\(report.tables)")
        // The facts are null, not absent, when a table is missing: the schema requires both keys.
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any]
        let facts = try XCTUnwrap(json?["facts"] as? [String: Any])
        XCTAssertEqual(Set(facts.keys), ["services", "odbcDataSources"])
        XCTAssertEqual(json?["file"] as? String, msi)
    }

    func testMsiTableByNameIgnoresCaseOnlyWithoutAnExactMatch() throws {
        let msi = try wixl("machine")
        XCTAssertEqual(try MsiReport.table("property", in: msi).name, "Property")
        let missing = assertThrows(.usage) { try MsiReport.table("NoSuchTable", in: msi) }  // a usage error (exit 2), listing the tables
        XCTAssertTrue(missing?.reason.contains("tables: ") ?? false, "\(String(describing: missing))")
    }

    func testReportForOneAppAndUnknownApp() throws {
        let report = try IMELogAnalyzer.analyze(paths: [TestSupport.imeLogs + "/ime2021_available-app_install-failed-exit1-unmapped.log"])
        let id = "48dba220-a72d-4db0-963a-91b701f43c54"
        let only = try report.only(app: id.uppercased())
        XCTAssertEqual(only.apps.map(\.id), [id])
        XCTAssertTrue(only.findings.allSatisfy { $0.appID == id })
        let unknown = assertThrows(.nothingFound) { try report.only(app: "nosuch") }
        XCTAssertTrue(unknown?.reason.contains(id) ?? false, "names the apps that are there: \(String(describing: unknown))")
    }

    func testIntentNamesAndEncryptedSize() throws {
        XCTAssertEqual(IMEApp.intentName(3), "3 (required)")
        XCTAssertEqual(IMEApp.intentName(7), "7")
        // 48 header bytes + PKCS#7 padding to the next block: a whole block of padding when already aligned.
        let record = CMTraceRecord(kind: .cmtrace, message: #"Get content info from service,ret = {"ApplicationId":"a","ContentInfo":"{\"OriginalSize\":32}"}"#,
                                   time: nil, component: "", context: "", type: 1, thread: 1, file: "", source: "x", line: 1)
        if let info = IMEContentInfo(record) {
            XCTAssertEqual(info.originalSize, 32)
            XCTAssertEqual(info.encryptedSize, 32 + 16 + 48)
        } else {
            XCTFail("content-info record not read")
        }
    }

    func testIMEJSONCarriesContentInfoOnlyWhenAsked() throws {
        let report = try IMELogAnalyzer.analyze(paths: [TestSupport.imeLogs + "/ime2021_available-app_install-success_cleanup.log"])
        for include in [false, true] {
            let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(IMELogJSON(report, includeContentInfo: include))) as? [String: Any]
            XCTAssertEqual(object?["recordCount"] as? Int, report.recordCount)
            let apps = try XCTUnwrap(object?["apps"] as? [[String: Any]])
            XCTAssertEqual(apps.count, report.apps.count)
            XCTAssertEqual(apps.allSatisfy { $0["contentInfo"] != nil }, include)
        }
    }
}
