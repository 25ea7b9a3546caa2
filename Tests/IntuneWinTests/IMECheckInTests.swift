import Foundation
import XCTest
@testable import IntuneWin

/// Today's (V3 processor, 2023–2026) IME wording, written as CMTrace lines in the tests: check-ins kept
/// apart, subgraphs, GRS, Delivery Optimization progress and timeouts, reporting, names, coverage. Every
/// message below is IME's wording as the real logs in Tests/Fixtures/ime-logs show it; only ids, times and
/// numbers are the test's.
final class IMECheckInTests: XCTestCase {
    static let snagit = "5e432f47-4739-4df5-b8a4-d5b4cbb41daf"
    static let other = "01beca5d-524a-4334-b191-e95a7530cd44"
    static let surface = "e1a2f926-eff4-4639-8abf-e95e4d7bf828"
    static let user = "abe70b00-e88e-4a5e-be37-787882c82fbb"

    /// One CMTrace record as IME writes it.
    static func line(_ message: String, _ time: String, date: String = "3-24-2026", thread: Int = 76, component: String = "AppWorkload") -> String {
        "<![LOG[\(message)]LOG]!><time=\"\(time).0000000\" date=\"\(date)\" component=\"\(component)\" context=\"\" type=\"1\" thread=\"\(thread)\" file=\"\">\r\n"
    }

    private func analyze(_ text: String, source: String = "AppWorkload.log") throws -> IMELogReport {
        let analyzer = IMELogAnalyzer()
        try CMTraceReader(bytes: Array(text.utf8), source: source).forEach { analyzer.add($0) }
        return analyzer.report()
    }

    private func analyze(files: [String: String]) throws -> IMELogReport {
        let folder = try makeTemporaryFolder()
        for (name, text) in files { try TestSupport.writeFile(folder + "/" + name, Array(text.utf8)) }
        return try IMELogAnalyzer.analyze(paths: [folder])
    }

    /// A check-in of the poller: start, one subgraph with `apps`, the lines of `body`, done.
    static func checkIn(at hour: Int, thread: Int, apps: [String], date: String = "3-24-2026", reason: String = "MaintenanceTimer", _ body: [String] = []) -> String {
        let t = { (s: Int) in String(format: "%02d:00:%02d", hour, s) }
        var text = line("[Win32App] ----------------------------------------------------- application poller starts. ----------------------------------------------------- ", t(0), date: date, thread: thread)
        text += line("[Win32App] Requesting required apps", t(1), date: date, thread: thread)
        text += line("[Win32App][V3Processor] Processing 1 subgraphs.", t(2), date: date, thread: thread)
        text += line("[Win32App][V3Processor] Processing subgraph with app ids: " + apps.joined(separator: ", "), t(3), date: date, thread: thread)
        text += line("[Win32App] espPhase = NotInEsp, isRetryNeeded = False, checkinReason = \(reason)", t(4), date: date, thread: thread)
        for (n, message) in body.enumerated() { text += line(message, t(5 + n), date: date, thread: thread) }
        text += line("[Win32App][V3Processor] Done processing subgraph.", t(50), date: date, thread: thread)
        text += line("[Win32App][V3Processor] Done processing 1 subgraphs.", t(51), date: date, thread: thread)
        text += line("[Win32App] ----------------------------------------------------- application poller stopped. ----------------------------------------------------- ", t(52), date: date, thread: thread)
        return text
    }

    func testCheckInsHoursApartStayApartAndEveryAppOfASubgraphIsListed() throws {
        let text = Self.checkIn(at: 9, thread: 14, apps: [Self.snagit, Self.other])
            + Self.checkIn(at: 11, thread: 76, apps: [Self.snagit], reason: "AvailableAppRequest")
        let r = try analyze(text)
        XCTAssertEqual(Set(r.apps.map(\.id)), [Self.snagit, Self.other], "both apps of the subgraph are apps")
        XCTAssertEqual(r.sessions.count, 2)
        XCTAssertEqual(r.sessions.map(\.startSeen), [true, true])
        XCTAssertEqual(r.sessions.map(\.endSeen), [true, true])
        XCTAssertEqual(r.sessions.map(\.kind), ["required", "required"])
        let snagit = try XCTUnwrap(r.apps.first { $0.id == Self.snagit })
        XCTAssertEqual(snagit.checkIns.count, 2, "two check-ins, not one merged attempt")
        XCTAssertEqual(snagit.checkIns.map(\.session), [1, 2])
        XCTAssertEqual(snagit.checkIns.map(\.thread), [14, 76])
        XCTAssertEqual(snagit.checkIns.map(\.reason), ["MaintenanceTimer", "AvailableAppRequest"])
        XCTAssertEqual(snagit.checkIns[1].espPhase, "NotInEsp")
    }

    func testAnOldEventInAnotherFileLandsInTimeOrder() throws {
        // AppActionProcessor.log is read after AppWorkload.log, but its line six days earlier comes first.
        let workload = Self.checkIn(at: 11, thread: 76, apps: [Self.snagit])
        let old = Self.line("[Win32App][ActionProcessor] No action required for app with id: \(Self.snagit).", "08:00:00", date: "3-18-2026", thread: 76, component: "AppActionProcessor")
        let r = try analyze(files: ["AppWorkload.log": workload, "AppActionProcessor.log": old])
        let app = try XCTUnwrap(r.apps.first { $0.id == Self.snagit })
        XCTAssertEqual(app.checkIns.count, 2)
        XCTAssertEqual(app.checkIns.first?.start?.day, 18, "the older check-in first")
        XCTAssertEqual(app.checkIns.first?.outcome.kind, .noActionRequired)
        XCTAssertEqual(app.checkIns.last?.start?.day, 24)
    }

    func testFiltersMarkEveryAppOfTheSubgraphNotApplicable() throws {
        let r = try analyze(Self.checkIn(at: 11, thread: 76, apps: [Self.surface], [
            "[Win32App][V3Processor] All apps in the subgraph are not applicable due to assignment filters. Skipping processing.",
        ]))
        let app = try XCTUnwrap(r.apps.first)
        XCTAssertEqual(app.checkIns.last?.notApplicable, "assignment filters")
        XCTAssertEqual(app.lastCheckIn?.outcome.kind, .notApplicable)
        let finding = try XCTUnwrap(r.findings.first { $0.kind == .notApplicable })
        XCTAssertEqual(finding.appID, Self.surface)
        XCTAssertTrue(finding.evidence.contains { $0.text.contains("assignment filters") && $0.line > 0 })
    }

    func testStuckInGRSSaysWhenIMETriesAgain() throws {
        let r = try analyze(Self.checkIn(at: 11, thread: 76, apps: [Self.snagit], [
            "[Win32App][GRSManager] Found GRS value: 03/24/2026 02:31:45 at key \(Self.user)\\GRS\\KChVJJuUYq0UmTKOUi4xFtuFmkuVET5F2ZF2ZiCjv/U=\\\(Self.snagit).",
            "[Win32App][GRSManager] App with id: \(Self.snagit) is not expired.\nHash = KChVJJuUYq0UmTKOUi4xFtuFmkuVET5F2ZF2ZiCjv/U=\nGRSTimeUTC = 3/24/2026 2:31:45 AM",
        ]))
        let checkIn = try XCTUnwrap(r.apps.first?.checkIns.last)
        XCTAssertEqual(checkIn.grs?.expired, false)
        XCTAssertEqual(checkIn.outcome.kind, .inGRS)
        let retry = try XCTUnwrap(checkIn.grs?.earliestRetryUTC)
        XCTAssertEqual(IMEFindings.utcText(retry), "2026-03-25 02:31:45")
        let finding = try XCTUnwrap(r.findings.first { $0.kind == .stuckInGRS })
        XCTAssertTrue(finding.summary.contains("2026-03-25 02:31:45 UTC"), finding.summary)
        XCTAssertEqual(finding.evidence.count, 2)
        // The user's id before the GRS key is never taken for an app.
        XCTAssertFalse(r.apps.contains { $0.id == Self.user })
    }

    func testStalledDeliveryOptimizationDownloadThatTimesOut() throws {
        var text = Self.line("[Win32App][V3Processor] Processing subgraph with app ids: \(Self.snagit)", "09:22:48", thread: 14)
        text += Self.line("[Win32App] content info request is {\"ApplicationId\":\"\(Self.snagit)\",\"ApplicationVersion\":\"1\",\"ApplicationName\":\"Snagit 2025\",\"Intent\":\"3\",\"ContentInfo\":null}", "09:22:49", thread: 14)
        for (n, bytes) in [(0, 9_000_000), (5, 18_661_376), (15, 18_661_376), (25, 18_661_376), (35, 18_661_376)] {
            text += Self.line("[StatusService] Downloading app (id = \(Self.snagit), name Snagit 2025) via DO, bytes \(bytes)/431000128 for user \(Self.user)", String(format: "09:%02d:00", 23 + n), thread: 14)
        }
        text += Self.line("[Win32App DO] DO downloading is not finished within timeout.", "09:58:01", thread: 14)
        text += Self.line("[Win32App][DownloadActionHandler] Handler completed with action status: Timeout.", "09:58:02", thread: 14)
        let r = try analyze(text)
        let app = try XCTUnwrap(r.apps.first)
        XCTAssertEqual(app.name, "Snagit 2025", "the name from the content info request, without a Get policies line")
        XCTAssertEqual(app.version, "1")
        XCTAssertEqual(app.intent, 3)
        let d = try XCTUnwrap(app.checkIns.last?.download)
        XCTAssertTrue(d.timedOut)
        XCTAssertEqual(d.actionStatus, "Timeout")
        XCTAssertEqual(d.totalBytes, 431_000_128)
        XCTAssertEqual(d.bytesDone, 18_661_376)
        let stall = try XCTUnwrap(d.longestStall(until: app.checkIns.last?.end, minimumSeconds: IMEFindings.stallSeconds))
        XCTAssertEqual(stall.bytes, 18_661_376)
        XCTAssertEqual(Int(stall.to.localSeconds - stall.from.localSeconds), 30 * 60 + 2, "09:28:00 to 09:58:02 at the same bytes")
        XCTAssertEqual(app.lastCheckIn?.outcome.kind, .downloadTimedOut)
        let kinds = Set(r.findings.map(\.kind))
        XCTAssertTrue(kinds.isSuperset(of: [.downloadTimedOut, .downloadStalled]), "\(kinds)")
        let stalled = try XCTUnwrap(r.findings.first { $0.kind == .downloadStalled })
        XCTAssertTrue(stalled.summary.contains("17.8 MiB of 411.0 MiB"), stalled.summary)
        XCTAssertTrue(stalled.evidence.contains { $0.text.contains("not finished within timeout") })
    }

    func testReportDeltaInstalledButNotDetectedAndStatusService() throws {
        let text = Self.line("[Win32App][ReportingManager] Execution state for app with id: \(Self.other) has been updated. Report delta: {\"EnforcementState\":{\"OldValue\":\"Success\",\"NewValue\":\"Error\"},\"EnforcementErrorCode\":{\"OldValue\":0,\"NewValue\":-2016345060}}", "20:48:53", thread: 5)
            + Self.line("[StatusService] Returning status to user with id: \(Self.user) for V3-managed app with id: \(Self.snagit) and install context: System. Applicability: Applicable, Status: Installed, ErrorCode: 0", "20:49:00", thread: 6)
        let r = try analyze(text)
        let failed = try XCTUnwrap(r.apps.first { $0.id == Self.other }?.checkIns.last)
        XCTAssertEqual(failed.reported?.state, "Error")
        XCTAssertEqual(failed.reported?.previousState, "Success")
        XCTAssertEqual(failed.reported?.errorCode.map(IMEFindings.hex), "0x87D1041C")
        XCTAssertEqual(failed.outcome.kind, .installedNotDetected)
        XCTAssertEqual(r.findings.first { $0.appID == Self.other }?.kind, .installedNotDetected)
        let installed = try XCTUnwrap(r.apps.first { $0.id == Self.snagit }?.checkIns.last)
        XCTAssertEqual(installed.reported?.status, "Installed")
        XCTAssertEqual(installed.outcome.kind, .installed)
        XCTAssertFalse(r.apps.contains { $0.id == Self.user }, "a user's id is not an app")
    }

    func testAgentVersionAndCoverage() throws {
        let blob = Data(#"{"AssemblyFileVersion":"1.99.101.0","AssemblyInformationalVersion":"1.99.101.0.8d8254d7edc6bd81 Intune-Redist-EMSAgent.release"}"#.utf8).base64EncodedString()
        let text = Self.line("[Win32App][V3Processor] Done processing subgraph.\n" + blob, "11:54:39")
            + Self.line("[Win32App] Some wording no IME version wrote before 42", "11:54:40")
            + Self.line("[Win32App] Some wording no IME version wrote before 43", "11:54:41")
            + Self.line("[Win32App][BrandManager] GetBrandingInfo brandingInfo: , FullSync: False", "11:54:42")
            + Self.line("Agent version is: 1.93.155.0", "11:54:43", component: "IntuneManagementExtension")
        let r = try analyze(text)
        XCTAssertEqual(r.coverage.agentVersions, ["1.99.101.0", "1.93.155.0"])
        XCTAssertEqual(r.coverage.win32RecordCount, 4, "AppWorkload's lines are Win32 app lines; the agent's own line is not")
        XCTAssertEqual(r.coverage.notUnderstoodCount, 2)
        XCTAssertEqual(r.coverage.unknownWordingCount, 1, "numbers aside, one wording")
        XCTAssertEqual(r.coverage.examples.map(\.line), [3])
        let lines = IMELogText.lines(r, verbose: true)
        XCTAssertTrue(lines.contains { $0.hasPrefix("coverage: 2 of 4 Win32 app lines understood; 2 not understood (1 wording)") }, lines.joined(separator: "\n"))
        XCTAssertTrue(lines.contains { $0.contains("not understood: AppWorkload.log:3") })
    }

    func testDependencyChainResultAndSelection() throws {
        let r = try IMELogAnalyzer.analyze(paths: [TestSupport.imeLogs + "/ime2021_dependency-chain_processing.log"])
        let parent = try XCTUnwrap(r.apps.first { $0.name == "Copy Json v3" })
        XCTAssertEqual(parent.checkIns.count, 1, "the parent's second processing line is the same check-in, not attempt 2")
        XCTAssertEqual(parent.dependencies, ["9e309cc3-fc69-4906-a73b-c692aec58fa5", "6b563018-53fa-4857-9156-cfb0ba1e87da"])
        let child = try XCTUnwrap(r.apps.first { $0.id == "9e309cc3-fc69-4906-a73b-c692aec58fa5" }?.checkIns.first)
        XCTAssertEqual(child.aggregatedResult, "Success")
        XCTAssertEqual(child.dependencyOf, parent.id)
        XCTAssertEqual(child.outcome.kind, .installed)
        // --app: an id, an id prefix, or part of a name.
        XCTAssertEqual(try r.only(app: "COPY JSON").apps.map(\.id), [parent.id])
        XCTAssertEqual(try r.only(app: "9e309cc3").apps.count, 1)
        XCTAssertEqual(try r.only(app: "cisco anyconnect").apps.count, 2)
        XCTAssertThrowsError(try r.only(app: "nothing like it"))
    }

    func testUTCOffsetFromIMEsOwnUTCStamps() throws {
        // Logged at 11:54:38 local with a UTC stamp of 3:54:38 PM: the device runs at UTC-4:00.
        let r = try analyze(Self.checkIn(at: 11, thread: 76, apps: [Self.snagit], [
            "[Win32App][ReevaluationScheduleManager] Setting subgraph reevaluation time with value: 3/24/2026 3:00:05 PM for subgraph with hash a0CXrNN8mWlltJax+0WvLH7ozVMG7BXi4rRwogSMx/A=.",
        ]))
        XCTAssertEqual(r.utcOffset?.seconds, -4 * 3600)
        XCTAssertEqual(r.utcOffset?.description, "UTC-4:00")
        XCTAssertTrue(r.timeZoneNote.contains("UTC-4:00"), r.timeZoneNote)
        // A stamp that is not this moment (minutes and seconds off a quarter hour) tells nothing.
        let none = try analyze(Self.checkIn(at: 11, thread: 76, apps: [Self.snagit], [
            "[Win32App][ReevaluationScheduleManager] Setting subgraph reevaluation time with value: 3/24/2026 3:07:41 PM for subgraph with hash a0CXrNN8mWlltJax+0WvLH7ozVMG7BXi4rRwogSMx/A=.",
        ]))
        XCTAssertNil(none.utcOffset)
        XCTAssertTrue(none.timeZoneNote.contains("no UTC offset"), none.timeZoneNote)
        XCTAssertEqual(IMEUTCOffset.infer(utcStamp: "3/24/2026 5:51:38 AM", loggedAt: LogTimestamp(year: 2026, month: 3, day: 24, hour: 11, minute: 21, second: 38)), 5 * 3600 + 1800)
    }
}
