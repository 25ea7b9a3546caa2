import Foundation
import XCTest

/// `intunewin-tool ime-log` end to end on the IME log samples in Tests/Fixtures/ime-logs.
final class ImeLogCommandTests: ToolTestCase {
    static let logs = Tool.imeLogs

    private func imeLog(_ arguments: String...) throws -> RunResult {
        try tool(["ime-log"] + arguments)
    }

    func testImeLogIsASubcommandWithHelp() throws {
        let help = try tool("ime-log", "--help")
        assertExit(help, 0)
        XCTAssertTrue(help.out.contains("Read Intune Management Extension logs"), help.summary)
    }

    func testFailedInstallJSON() throws {
        let result = try imeLog(Self.logs.appending("ime2021_available-app_install-failed-exit1-unmapped.log").path, "--json")
        assertExit(result, 1, "a finding (unmapped exit code) exits 1")
        let json = try result.jsonObject()
        let apps = try XCTUnwrap(json["apps"] as? [[String: Any]])
        XCTAssertEqual(apps.count, 1)
        XCTAssertEqual(apps[0]["name"] as? String, "Citrix Workspace 21.8.0.4026")
        XCTAssertEqual(number(apps[0]["intent"]), 1)
        let attempt = try XCTUnwrap((apps[0]["attempts"] as? [[String: Any]])?.first)
        XCTAssertEqual(number(attempt["exitCode"]), 1)
        XCTAssertEqual(attempt["hresult"] as? String, "0x80070001")
        XCTAssertEqual(attempt["exitCodeMapping"] as? String, "unmapped")
        let phases = try XCTUnwrap(attempt["phases"] as? [[String: Any]])
        let cleanup = try XCTUnwrap(phases.first { $0["kind"] as? String == "cleanupIMECache" })
        XCTAssertEqual(cleanup["time"] as? String, "2021-09-16 23:03:38.416")
        let findings = try XCTUnwrap(json["findings"] as? [[String: Any]])
        XCTAssertEqual(findings.map { $0["kind"] as? String }, ["unmappedExitCode"])
    }

    func testCrashCodeIsDecodedAndNeverAdvisedAsSuccess() throws {
        let result = try imeLog(Self.logs.appending("appworkload2025_0xC0000142_sanitized_message-only.log").path)
        assertExit(result, 1, result.summary)
        XCTAssertTrue(result.out.contains("3221225794 (0xC0000142 STATUS_DLL_INIT_FAILED"), result.summary)
        XCTAssertFalse(result.out.contains("if it means success"), result.summary)
        XCTAssertTrue(result.out.contains("next: do not map this code"), result.summary)
        XCTAssertTrue(result.out.contains("FINDING crash:"), result.summary)
    }

    func testSuccessTextShowsBinRemovalBeforeIMECache() throws {
        let result = try imeLog(Self.logs.appending("ime2021_available-app_install-success_cleanup.log").path)
        assertExit(result, 0)
        let lines = result.out.split(separator: "\n").map(String.init)
        let bin = try XCTUnwrap(lines.firstIndex { $0.contains("cleanupIncoming") && $0.contains("2021-09-16 23:55:50.808") })
        let cache = try XCTUnwrap(lines.firstIndex { $0.contains("cleanupIMECache") && $0.contains("2021-09-16 23:55:55.998") })
        XCTAssertLessThan(bin, cache)
        XCTAssertTrue(result.out.contains(": installed (exit code 0, success)"), result.out)
        // The summary table comes first and reads "1 app".
        XCTAssertTrue(lines[0].contains(", 1 app, 1 check-in, 0 findings"), lines[0])
        XCTAssertTrue(lines.contains { $0.hasPrefix("APP ") && $0.contains("LAST RESULT") }, result.out)
    }

    func testContentInfoAndAppFilter() throws {
        let failed = Self.logs.appending("ime2021_available-app_install-failed-exit1-unmapped.log").path
        let success = Self.logs.appending("ime2021_available-app_install-success_cleanup.log").path
        let result = try imeLog(failed, success, "--app", "F86744E0-2D10-415F-BCA5-76E6E1B075E9", "--content-info", "--json")
        assertExit(result, 0)
        let apps = try XCTUnwrap(try result.jsonObject()["apps"] as? [[String: Any]])
        XCTAssertEqual(apps.map { $0["id"] as? String }, ["f86744e0-2d10-415f-bca5-76e6e1b075e9"])
        let info = try XCTUnwrap((apps[0]["contentInfo"] as? [[String: Any]])?.first)
        XCTAssertEqual(number(info["originalSize"]), 152_745_172)
        XCTAssertEqual(info["recipients"] as? [String], ["0346CA9B04AB3F85F7FE639F34C9715B99CAFF9C"])
        XCTAssertTrue((info["decryptInfo"] as? String)?.contains("EncryptedMessage") == true)
    }

    func testFolderAndMissingPath() throws {
        let logs = scratch.appending("Logs")
        try makeFolder(logs)
        let sample = try Data(contentsOf: Self.logs.appending("ime2021_available-app_install-success_cleanup.log"))
        try write(sample, to: logs.appending("IntuneManagementExtension-20210916-120000.log"))
        try write("not an IME log\n", to: logs.appending("unrelated.txt"))
        let result = try imeLog(logs.path, "--json")
        assertExit(result, 0)
        XCTAssertEqual(number(try result.jsonObject()["recordCount"]), 435)
        let missing = try imeLog(scratch.appending("nope.log").path)
        assertExit(missing, 3)
        assertOneLineError(missing, naming: "nope.log")
    }

    func testFolderOfRenamedLogsIsReadWhole() throws {
        // Logs collected from devices and renamed: no IME-style name, every *.log is read in name order.
        let logs = scratch.appending("collected")
        try makeFolder(logs)
        for (name, sample) in [("device1.log", "ime2021_available-app_install-failed-exit1-unmapped.log"),
                               ("device2.log", "ime2021_available-app_install-success_cleanup.log")] {
            try write(try Data(contentsOf: Self.logs.appending(sample)), to: logs.appending(name))
        }
        try write("notes, not a log\n", to: logs.appending("notes.txt"))
        let result = try imeLog(logs.path, "--json")
        XCTAssertTrue([0, 1].contains(result.status), result.summary)
        let json = try result.jsonObject()
        XCTAssertEqual((json["apps"] as? [Any])?.count, 2, result.out)
        let one = try imeLog(Self.logs.appending("ime2021_available-app_install-failed-exit1-unmapped.log").path, "--json")
        let two = try imeLog(Self.logs.appending("ime2021_available-app_install-success_cleanup.log").path, "--json")
        XCTAssertEqual(number(json["recordCount"]), number(try one.jsonObject()["recordCount"])! + number(try two.jsonObject()["recordCount"])!)
    }

    func testNothingFoundIsAnErrorWithItsOwnExitCode() throws {
        let empty = scratch.appending("no-logs")
        try makeFolder(empty)
        try write("x", to: empty.appending("readme.txt"))
        let folder = try imeLog(empty.path)
        assertExit(folder, 5, folder.summary)
        assertOneLineError(folder, naming: "no-logs")
        XCTAssertTrue(folder.err.contains("IntuneManagementExtension*.log") && folder.err.contains("*.log"), folder.summary)

        let text = path("notes.log")
        try write("Meeting notes\nnothing about Intune here\n", to: text)
        let notLog = try imeLog(text.path)
        assertExit(notLog, 5, notLog.summary)
        assertOneLineError(notLog, naming: "notes.log")
        XCTAssertTrue(notLog.err.contains("no IME log records"), notLog.summary)
        XCTAssertEqual(notLog.out, "", "no half report on stdout")

        let emptyFile = path("empty.log")
        try write("", to: emptyFile)
        assertExit(try imeLog(emptyFile.path, "--json"), 5)

        let sample = Self.logs.appending("ime2021_available-app_install-success_cleanup.log").path
        let noApp = try imeLog(sample, "--app", "00000000-0000-0000-0000-000000000000")
        assertExit(noApp, 5, noApp.summary)
        XCTAssertEqual(noApp.errLines.count, 1, noApp.summary)
        XCTAssertTrue(noApp.err.contains("no app matches") && noApp.err.contains("apps: "), noApp.summary)
    }

    /// A real log with damaged numbers spliced in (found by the JSON schema test): sizes beyond 64 bits,
    /// a negative size, a time of 400 digits. Text and JSON output complete; the damaged values are dropped.
    func testDamagedNumbersDoNotCrash() throws {
        var lines = try String(contentsOf: Self.logs.appending("ime2021_available-app_install-failed-exit1-unmapped.log"), encoding: .utf8)
            .components(separatedBy: "\n")
        let at = try XCTUnwrap(lines.firstIndex { $0.contains("via DO, bytes 24117248/152745232") })
        let template = lines[at]
        func line(_ message: String) -> String {
            template.replacingOccurrences(of: String(template[template.range(of: "<![LOG[")!.upperBound..<template.range(of: "]LOG]!>")!.lowerBound]), with: message)
        }
        lines.insert(contentsOf: [
            line("[StatusService] Downloading app (id = 48dba220-a72d-4db0-963a-91b701f43c54, name Citrix Workspace 21.8.0.4026) via DO, bytes 1/18446744073709551615"),
            line("[Win32App] Downloaded file size -5"),
            line("[Win32App] Downloaded file size 99999999999999999999999"),
            line("[Win32App] Downloaded file time " + String(repeating: "9", count: 400)),
        ], at: at + 1)
        let log = path("damaged.log")
        try lines.joined(separator: "\n").write(to: log, atomically: true, encoding: .utf8)
        for json in [false, true] {
            let result = try tool(["ime-log", log.path] + (json ? ["--json"] : []))
            XCTAssertFalse(result.signaled, result.summary)
            assertExit(result, 1, "the log's own finding (unmapped exit code), not a crash")
            if json { XCTAssertNotNil(try? result.jsonObject(), result.summary) }
        }
    }
}
