import Foundation
import XCTest

/// `intunewin-tool ime-log` on a whole real device: the redacted Logs folder in
/// Tests/Fixtures/ime-logs/device-2026 (IME 1.99.101.0, March 2026; see that folder's README). Every
/// expectation is read from the log files themselves in the test (app ids, byte counts, the UTC stamp,
/// the agent version, the lines quoted as evidence), not pasted from an earlier run.
///
/// The logs are ~9 MB and one run takes seconds on a small machine: the folder is analysed once for
/// the JSON (`RealDevice.json`) and once for the text and HTML page (`RealDevice.textAndPage`), shared
/// by every test of this file and of ImeLogDiagnosticsZipTests.
final class ImeLogRealDeviceTests: ToolTestCase {
    // MARK: - 1. The folder

    /// Exit 1 (there are findings); the first line counts what the JSON holds; the summary table comes
    /// before any app section or finding; its first row is Snagit 2025 with the DO timeout at the sizes
    /// the log's own DO job line gives.
    func testSummaryTableComesFirstWithSnagitsTimedOutDownload() throws {
        let (text, _) = try RealDevice.textAndPage.get()
        assertExit(text, 1, "findings exit 1")
        let json = try RealDevice.report()
        let apps = try XCTUnwrap(json["apps"] as? [[String: Any]])
        let findings = try XCTUnwrap(json["findings"] as? [[String: Any]])
        let sessions = try XCTUnwrap(json["checkIns"] as? [[String: Any]])
        let lines = text.out.components(separatedBy: "\n")
        XCTAssertEqual(lines[0], "\(try XCTUnwrap(number(json["recordCount"]))) records, 0 damaged fragments, \(apps.count) apps, \(sessions.count) check-ins, \(findings.count) findings")

        let head = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("APP ") && $0.contains("LAST RESULT") }, "no summary table")
        let firstApp = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("app ") })
        let firstFinding = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("FINDING ") })
        XCTAssertLessThan(head, firstApp, "the table comes before the app sections")
        XCTAssertLessThan(firstApp, firstFinding)
        XCTAssertTrue(lines[..<head].allSatisfy { !$0.hasPrefix("app ") && !$0.hasPrefix("FINDING") })
        let rows = Array(lines[(head + 1)...].prefix { !$0.isEmpty })
        XCTAssertEqual(rows.count, apps.count, "one row per app")

        // The sizes, from the DO job line of the last check-in (bytes transfered = …, bytes total = …).
        let (done, total) = try RealDevice.snagitDOJobBytes()
        let expected = "download timed out at \(mib(done)) of \(mib(total))"
        XCTAssertEqual(expected, "download timed out at 93.0 MiB of 411.0 MiB", "the log's numbers")
        XCTAssertTrue(rows[0].hasPrefix(RealDevice.snagitName + " "), rows[0])
        XCTAssertTrue(rows[0].contains(expected), rows[0])
        XCTAssertTrue(rows[0].hasSuffix("downloadTimedOut,historyIncomplete"), rows[0])
        XCTAssertEqual(rows.filter { $0.contains("download timed out") }.count, 1, "only Snagit's download timed out")

        // Snagit's own section says the same, with the download line.
        let section = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("app \(RealDevice.snagitID)  \(RealDevice.snagitName)") })
        let sectionLines = lines[section...].prefix { !$0.isEmpty }
        XCTAssertTrue(sectionLines.contains { $0.hasPrefix("    download: ") && $0.contains("\(mib(done)) of \(mib(total))") && $0.hasSuffix("timed out, continuing in the background") },
                      sectionLines.joined(separator: "\n"))
    }

    /// Every app id the logs name where IME lists the apps it works on (`Get policies` ids and
    /// `Processing subgraph with app ids:`) is in the report: apps must not go missing. And the report
    /// invents none: its ids are exactly those plus the ones AppActionProcessor names (`App with id:`).
    func testEveryAppIdTheLogsNameIsInTheReport() throws {
        let json = try RealDevice.report()
        let ids = try XCTUnwrap(json["apps"] as? [[String: Any]]).compactMap { $0["id"] as? String }
        XCTAssertEqual(Set(ids).count, ids.count, "an app listed twice")
        let named = try RealDevice.appIDsNamedInLogs()
        XCTAssertGreaterThan(named.policiesAndSubgraphs.count, 50, "the regexes found the fixture's apps")
        let missing = named.policiesAndSubgraphs.subtracting(ids)
        XCTAssertEqual(missing.sorted(), [], "apps named by Get policies / Processing subgraph but missing from the report")
        XCTAssertEqual(Set(ids), named.policiesAndSubgraphs.union(named.actionProcessor), "the report's apps are the logs' apps")
        let (text, _) = try RealDevice.textAndPage.get()
        XCTAssertTrue(text.out.hasPrefix("\(try XCTUnwrap(number(json["recordCount"]))) records, 0 damaged fragments, \(ids.count) apps,"), text.out.prefix(200).description)
        for id in named.policiesAndSubgraphs { XCTAssertTrue(text.out.contains("app \(id)  "), "no section for \(id)") }
    }

    /// Snagit was seen at check-ins hours and days apart: each is its own check-in (distinct numbers, in time
    /// order), each number is a check-in of the report, and the last one downloaded the bytes the DO job line says.
    func testSnagitsCheckInsHoursApartAreSeparate() throws {
        let json = try RealDevice.report()
        let snagit = try RealDevice.snagit(in: json)
        let checkIns = try XCTUnwrap(snagit["checkIns"] as? [[String: Any]])
        XCTAssertGreaterThan(checkIns.count, 5)
        let numbers = checkIns.compactMap { number($0["checkIn"]) }
        XCTAssertEqual(numbers.count, checkIns.count, "every check-in has its number")
        XCTAssertEqual(Set(numbers).count, numbers.count, "check-ins merged or repeated: \(numbers)")
        XCTAssertEqual(numbers, numbers.sorted())
        let starts = try checkIns.map { try XCTUnwrap(RealDevice.seconds($0["start"] as? String), "\($0)") }
        XCTAssertEqual(zip(starts, starts.dropFirst()).filter { $0 >= $1 }.count, 0, "starts not increasing: \(checkIns.map { $0["start"] ?? "" })")
        XCTAssertGreaterThanOrEqual(zip(starts, starts.dropFirst()).filter { $1 - $0 > 3600 }.count, 5, "check-ins hours apart")
        let sessions = try XCTUnwrap(json["checkIns"] as? [[String: Any]])
        let sessionNumbers = Set(sessions.compactMap { number($0["number"]) })
        XCTAssertTrue(Set(numbers).isSubset(of: sessionNumbers), "an app check-in names a check-in the report does not list")

        let last = try XCTUnwrap(checkIns.last)
        XCTAssertEqual((last["result"] as? [String: Any])?["kind"] as? String, "downloadTimedOut")
        XCTAssertEqual((last["result"] as? [String: Any])?["failure"] as? Bool, true)
        let download = try XCTUnwrap(last["download"] as? [String: Any])
        let (done, total) = try RealDevice.snagitDOJobBytes()
        XCTAssertEqual(number(download["transferredSize"]), done)
        XCTAssertEqual(number(download["contentSize"]), total)
        XCTAssertEqual(download["timedOut"] as? Bool, true)
        XCTAssertEqual(download["inBackground"] as? Bool, true)
        XCTAssertEqual(download["mode"] as? String, "DO")
    }

    /// The evidence of Snagit's downloadTimedOut and historyIncomplete findings (JSON), and of every finding
    /// of the text report, is `file:line`: that line of the fixture holds the quoted text.
    func testFindingEvidenceLinesAreWhereTheyPoint() throws {
        let json = try RealDevice.report()
        let findings = try XCTUnwrap(json["findings"] as? [[String: Any]])
        let snagit = findings.filter { $0["app"] as? String == RealDevice.snagitID }
        XCTAssertEqual(Set(snagit.compactMap { $0["kind"] as? String }), ["downloadTimedOut", "historyIncomplete"])
        var checked = 0
        for finding in snagit {
            let evidence = try XCTUnwrap(finding["evidence"] as? [[String: Any]])
            XCTAssertFalse(evidence.isEmpty, "\(finding)")
            for e in evidence {
                let source = try XCTUnwrap(e["source"] as? String)
                let file = URL(fileURLWithPath: source).lastPathComponent
                XCTAssertEqual(URL(fileURLWithPath: source).standardizedFileURL.deletingLastPathComponent().path,
                               RealDevice.folder.standardizedFileURL.path, "evidence from outside the folder: \(source)")
                try assertLine(file, try XCTUnwrap(number(e["line"])), holds: try XCTUnwrap(e["text"] as? String))
                checked += 1
            }
        }
        // The DO job line with the sizes is among the timeout's evidence.
        XCTAssertTrue(snagit.contains { f in (f["evidence"] as? [[String: Any]])?.contains { ($0["text"] as? String)?.contains("bytes transfered = ") == true } == true })

        // The text report: `  file:line  time  text` under each FINDING.
        let (text, _) = try RealDevice.textAndPage.get()
        let evidenceLine = try NSRegularExpression(pattern: #"^  ([A-Za-z0-9-]+\.log):(\d+)  (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})  (.*)$"#)
        var inFinding = false, textEvidence = 0
        for line in text.out.components(separatedBy: "\n") {
            if line.hasPrefix("FINDING ") { inFinding = true; continue }
            if line.isEmpty { inFinding = false; continue }
            guard inFinding, !line.hasPrefix("  next: ") else { continue }
            let ns = line as NSString
            guard let m = evidenceLine.firstMatch(in: line, range: NSRange(location: 0, length: ns.length)) else {
                XCTFail("not an evidence line: \(line)")
                continue
            }
            try assertLine(ns.substring(with: m.range(at: 1)), try XCTUnwrap(Int(ns.substring(with: m.range(at: 2)))), holds: ns.substring(with: m.range(at: 4)),
                           time: ns.substring(with: m.range(at: 3)))
            textEvidence += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 8)
        XCTAssertEqual(textEvidence, findings.reduce(0) { $0 + (($1["evidence"] as? [Any])?.count ?? 0) }, "the text quotes the JSON's evidence")
    }

    /// The UTC offset IME's own UTC stamp gives (the line the report names: a `… PM` time in the message
    /// against the record's local time), the agent version its telemetry blob holds (decoded here), and
    /// coverage counts that add up, with each example quoted where it is.
    func testUTCOffsetAgentVersionAndCoverage() throws {
        let json = try RealDevice.report()
        XCTAssertEqual(number(json["utcOffsetMinutes"]), -240)
        let zone = try XCTUnwrap(json["timeZone"] as? String)
        XCTAssertTrue(zone.contains("UTC-4:00"), zone)
        let cited = try XCTUnwrap(try NSRegularExpression(pattern: #"([A-Za-z0-9-]+\.log):(\d+)\)$"#).firstMatch(in: zone, range: NSRange(location: 0, length: (zone as NSString).length)), zone)
        let file = (zone as NSString).substring(with: cited.range(at: 1)), line = Int((zone as NSString).substring(with: cited.range(at: 2)))!
        let record = try RealDevice.lines(file)[line - 1]
        XCTAssertEqual(try RealDevice.utcOffsetMinutes(ofUTCStampIn: record), -240, "\(file):\(line): \(record.prefix(300))")

        XCTAssertEqual(json["agentVersions"] as? [String], ["1.99.101.0"])
        XCTAssertEqual(try RealDevice.telemetryAgentVersions(), ["1.99.101.0"], "the version the logs' telemetry blobs hold")
        let (text, _) = try RealDevice.textAndPage.get()
        XCTAssertTrue(text.out.components(separatedBy: "\n").prefix(3).contains("IME agent 1.99.101.0"), text.out.prefix(400).description)

        let coverage = try XCTUnwrap(json["coverage"] as? [String: Any])
        let total = try XCTUnwrap(number(coverage["win32RecordCount"]))
        let understood = try XCTUnwrap(number(coverage["understoodCount"]))
        let notUnderstood = try XCTUnwrap(number(coverage["notUnderstoodCount"]))
        XCTAssertGreaterThan(total, 10_000)
        XCTAssertEqual(understood + notUnderstood, total, "coverage does not add up: \(coverage)")
        XCTAssertLessThanOrEqual(try XCTUnwrap(number(coverage["unknownWordingCount"])), notUnderstood)
        XCTAssertTrue(text.out.contains("coverage: \(understood) of \(total) Win32 app lines understood; \(notUnderstood) not understood"), "the text gives the JSON's counts")
        // --verbose quotes one example per wording, each where it is in the fixture.
        let examples = try XCTUnwrap(coverage["examples"] as? [[String: Any]], "--json --verbose lists coverage examples")
        XCTAssertEqual(examples.count, min(20, try XCTUnwrap(number(coverage["unknownWordingCount"]))))
        for e in examples {
            let source = try XCTUnwrap(e["source"] as? String)
            try assertLine(URL(fileURLWithPath: source).lastPathComponent, try XCTUnwrap(number(e["line"])), holds: try XCTUnwrap(e["text"] as? String))
        }
        // The plain text points at --verbose exactly when there is something not understood to quote.
        XCTAssertEqual(text.out.contains("(--verbose lists examples)"), notUnderstood > 0, "the plain text points at --verbose when there are examples")
    }

    /// `--app` by name part, id prefix and name in another case selects the same single app: Snagit, as the
    /// whole report has it; a selector that matches nothing exits 5 with one line naming it.
    func testAppSelectorsPickSnagitAlone() throws {
        var outputs: [Data] = []
        let selectors = ["snagit", String(RealDevice.snagitID.prefix(8)), "SNAGIT 2025"]
        // The four runs two at a time (the machine's cores); each reads the whole device.
        let runs = try inParallel((selectors.map { ["--app", $0, "--json", "--verbose"] } + [["--app", "nomatch"]]).map { extra in
            { try tool(["ime-log", RealDevice.folder.path] + extra) }
        })
        for (selector, result) in zip(selectors, runs) {
            assertExit(result, 1, "Snagit has findings: --app \(selector)")
            let json = try result.jsonObject()
            let apps = try XCTUnwrap(json["apps"] as? [[String: Any]])
            XCTAssertEqual(apps.compactMap { $0["id"] as? String }, [RealDevice.snagitID], "--app \(selector)")
            XCTAssertEqual(try canonical(apps[0]), try canonical(try RealDevice.snagit(in: try RealDevice.report())), "--app \(selector): Snagit as the whole report has it")
            let findings = try XCTUnwrap(json["findings"] as? [[String: Any]])
            XCTAssertEqual(Set(findings.compactMap { $0["kind"] as? String }), ["downloadTimedOut", "historyIncomplete"], "--app \(selector)")
            XCTAssertTrue(findings.allSatisfy { $0["app"] as? String == RealDevice.snagitID }, "--app \(selector): another app's finding")
            outputs.append(result.stdout)
        }
        XCTAssertEqual(Set(outputs).count, 1, "the three selectors give different reports")

        let none = runs[3]
        assertExit(none, 5, "no app matches")
        assertOneLineError(none, naming: "'nomatch'")
        XCTAssertTrue(none.err.contains("no app matches"), none.summary)
        XCTAssertTrue(none.err.contains(RealDevice.snagitID), "the error names apps that are there: \(none.summary)")
        XCTAssertEqual(none.out, "", "no half report")
    }

    // MARK: - 5. The HTML page in a browser

    /// The page of the whole device in headless Chromium: one summary row per app of the JSON, Snagit's
    /// row first and marked failing (and only the apps whose last result is a failure are), one section
    /// per app, one article per finding; and a screenshot that is a real picture.
    func testHTMLOfTheDeviceInABrowser() throws {
        let (text, pageBytes) = try RealDevice.textAndPage.get()
        XCTAssertTrue(text.err.contains("wrote the HTML report to"), text.summary)
        let page = path("device-2026.html")
        try pageBytes.write(to: page)
        let json = try RealDevice.report()
        let apps = try XCTUnwrap(json["apps"] as? [[String: Any]])
        let findings = try XCTUnwrap(json["findings"] as? [[String: Any]])

        let dom = try Browser.dom(page, profile: path("chromium-profile"))
        let rows = try Browser.summaryRows(dom)
        XCTAssertEqual(rows.count, apps.count, "one summary row per app")
        for app in apps {
            let id = try XCTUnwrap(app["id"] as? String)
            XCTAssertEqual(rows.filter { $0.contains(">\(id)<") }.count, 1, "one row for \(id)")
        }
        let first = try XCTUnwrap(rows.first)
        XCTAssertTrue(first.hasPrefix("<tr class=\"fail\""), "Snagit's row is not marked failing: \(first.prefix(300))")
        XCTAssertTrue(first.contains(">\(RealDevice.snagitName)<") && first.contains(">\(RealDevice.snagitID)<"), first)
        XCTAssertTrue(first.contains("download timed out at 93.0 MiB of 411.0 MiB"), first)
        let failing = Set(apps.filter { (($0["lastResult"] as? [String: Any])?["failure"] as? Bool) == true }.compactMap { $0["id"] as? String })
        XCTAssertEqual(failing, [RealDevice.snagitID])
        XCTAssertEqual(rows.filter { $0.hasPrefix("<tr class=\"fail\"") }.count, failing.count, "only failing apps are marked")
        XCTAssertEqual(dom.components(separatedBy: "<details class=\"app").count - 1, apps.count, "one section per app")
        XCTAssertEqual(dom.components(separatedBy: "<article class=\"finding\">").count - 1, findings.count, "one article per finding")
        XCTAssertTrue(dom.contains("<svg class=\"timeline\""), "no timeline")
        XCTAssertFalse(dom.contains("<script"), "a script in the DOM")

        try Browser.screenshot(page, to: path("device-2026.png"), profile: path("chromium-profile"))
    }

    // MARK: - Helpers

    /// Line `line` (1-based) of fixture `file` holds `text` (its first line, for a multi-line record), and
    /// the record's time when given.
    private func assertLine(_ file: String, _ line: Int, holds text: String, time: String? = nil, sourceFile: StaticString = #filePath, sourceLine: UInt = #line) throws {
        let lines = try RealDevice.lines(file)
        guard line >= 1, line <= lines.count else {
            XCTFail("\(file):\(line) is past the file's \(lines.count) lines", file: sourceFile, line: sourceLine)
            return
        }
        let firstLine = text.components(separatedBy: "\n")[0].trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
        XCTAssertFalse(firstLine.isEmpty, "\(file):\(line): empty evidence", file: sourceFile, line: sourceLine)
        XCTAssertTrue(lines[line - 1].contains(firstLine), "\(file):\(line) does not hold \"\(firstLine)\": \(lines[line - 1].prefix(400))", file: sourceFile, line: sourceLine)
        if let time, lines[line - 1].contains("]LOG]!>") {
            // `2026-03-24 11:54:39.200` ↔ `time="11:54:39.2003870" date="3-24-2026"` (a one-line record).
            let parts = time.split(separator: " ")
            let ymd = parts[0].split(separator: "-").map { Int($0)! }
            XCTAssertTrue(lines[line - 1].contains("time=\"\(parts[1].prefix(8))."), "\(file):\(line) is not at \(time)", file: sourceFile, line: sourceLine)
            XCTAssertTrue(lines[line - 1].contains("date=\"\(ymd[1])-\(ymd[2])-\(ymd[0])\""), "\(file):\(line) is not on \(time)", file: sourceFile, line: sourceLine)
        }
    }

    /// `97517568` → `93.0 MiB`.
    private func mib(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
}

// MARK: - The device, read once

/// The device-2026 fixture, the tool's reports on it (made once), and facts read from its files.
enum RealDevice {
    static let folder = Tool.imeLogs.appending("device-2026")
    /// The files, in the order IME's names sort (stems, then rotated generation before the live file).
    static let logNames = ["IntuneManagementExtension.log", "AppWorkload-20260324-092249.log", "AppWorkload.log", "AppActionProcessor.log", "AgentExecutor.log"]
    static let snagitID = "5e432f47-4739-4df5-b8a4-d5b4cbb41daf"
    static let snagitName = "Snagit 2025"

    /// The two runs every test compares with, made once and side by side: `ime-log device-2026 --json
    /// --verbose`, and `ime-log device-2026 --html PAGE` (the text report on stdout, and the page's bytes;
    /// the page's scratch folder is removed at once).
    private static let runs: Result<(json: RunResult, text: RunResult, page: Data), Error> = Result {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("iwt-device-\(UUID().uuidString)")
        try makeFolder(scratch)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let page = scratch.appending("report.html")
        let both = try inParallel([{ try tool("ime-log", folder.path, "--json", "--verbose") }, { try tool("ime-log", folder.path, "--html", page.path) }])
        for run in both where run.signaled || run.status != 1 { throw SetupError("ime-log device-2026: \(run.summary)") }
        return (both[0], both[1], page.bytes)
    }

    /// `ime-log device-2026 --json --verbose`, and its object.
    static var json: Result<(run: RunResult, object: [String: Any]), Error> {
        runs.flatMap { runs in
            guard let object = try? JSONSerialization.jsonObject(with: runs.json.stdout) as? [String: Any] else {
                return .failure(SetupError("ime-log device-2026 --json --verbose: not a JSON object: \(runs.json.summary)"))
            }
            return .success((runs.json, object))
        }
    }

    static func report() throws -> [String: Any] { try json.get().object }

    /// `ime-log device-2026 --html PAGE`: the text report, and the page.
    static var textAndPage: Result<(RunResult, Data), Error> { runs.map { ($0.text, $0.page) } }

    private static var lineCache: [String: [String]] = [:]
    private static let lock = NSLock()

    /// The lines of fixture `name` (split at LF; the CR and the UTF-8 BOM removed), read once.
    static func lines(_ name: String) throws -> [String] {
        lock.lock()
        defer { lock.unlock() }
        if let cached = lineCache[name] { return cached }
        let data = try Data(contentsOf: folder.appending(name))
        var lines = data.split(separator: 0x0A, omittingEmptySubsequences: false).map { slice -> String in
            var text = String(decoding: slice, as: UTF8.self)
            if text.hasSuffix("\r") { text.removeLast() }
            return text
        }
        if let first = lines.first, first.hasPrefix("\u{FEFF}") { lines[0] = String(first.dropFirst()) }
        lineCache[name] = lines
        return lines
    }

    static let guid = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

    /// The app ids the logs name where IME lists its apps: `Get policies = [{"Id":"…"` and `Processing
    /// subgraph with app ids: …` (AppWorkload), and AppActionProcessor's `[ActionProcessor] App with id: …`.
    static func appIDsNamedInLogs() throws -> (policiesAndSubgraphs: Set<String>, actionProcessor: Set<String>) {
        let policyID = try NSRegularExpression(pattern: #""Id":"(\#(guid))""#)
        let subgraph = try NSRegularExpression(pattern: #"Processing subgraph with app ids: ((?:\#(guid)(?:, )?)+)"#)
        let anyID = try NSRegularExpression(pattern: guid)
        let actionProcessor = try NSRegularExpression(pattern: #"\[ActionProcessor\] App with id: (\#(guid))"#)
        var listed = Set<String>(), processor = Set<String>()
        func groups(_ regex: NSRegularExpression, _ text: String) -> [String] {
            let ns = text as NSString
            return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range(at: $0.numberOfRanges > 1 ? 1 : 0)) }
        }
        for name in logNames {
            for line in try lines(name) {
                if line.contains("Get policies = ") { listed.formUnion(groups(policyID, line).map { $0.lowercased() }) }
                if line.contains("Processing subgraph with app ids:") {
                    for list in groups(subgraph, line) { listed.formUnion(groups(anyID, list).map { $0.lowercased() }) }
                }
                if line.contains("[ActionProcessor] App with id: ") { processor.formUnion(groups(actionProcessor, line).map { $0.lowercased() }) }
            }
        }
        return (listed, processor)
    }

    /// Snagit's DO job line of the last check-in (AppWorkload.log): `bytes transfered = N, bytes total = M`.
    static func snagitDOJobBytes() throws -> (done: Int, total: Int) {
        let regex = try NSRegularExpression(pattern: #"Find existing job .* bytes transfered = (\d+), bytes total = (\d+)"#)
        let candidates = try lines("AppWorkload.log").filter { $0.contains("bytes transfered = ") }
        XCTAssertEqual(candidates.count, 1, "one DO job line in AppWorkload.log")
        let line = try XCTUnwrap(candidates.first) as NSString
        let m = try XCTUnwrap(regex.firstMatch(in: line as String, range: NSRange(location: 0, length: line.length)), line as String)
        return (Int(line.substring(with: m.range(at: 1)))!, Int(line.substring(with: m.range(at: 2)))!)
    }

    /// Local time minus UTC in minutes for a record whose message holds a UTC time (`8:57:53 PM`) and whose
    /// envelope the local one (`time="16:57:53.6029320"`).
    static func utcOffsetMinutes(ofUTCStampIn record: String) throws -> Int {
        let ns = record as NSString
        let utc = try XCTUnwrap(try NSRegularExpression(pattern: #"(\d{1,2}):(\d\d):(\d\d) (AM|PM)"#).firstMatch(in: record, range: NSRange(location: 0, length: ns.length)), "no UTC stamp")
        let local = try XCTUnwrap(try NSRegularExpression(pattern: #"time="(\d\d):(\d\d):(\d\d)"#).firstMatch(in: record, range: NSRange(location: 0, length: ns.length)), "no record time")
        func n(_ m: NSTextCheckingResult, _ i: Int) -> Int { Int(ns.substring(with: m.range(at: i)))! }
        let utcHour = n(utc, 1) % 12 + (ns.substring(with: utc.range(at: 4)) == "PM" ? 12 : 0)
        let utcMinutes = utcHour * 60 + n(utc, 2), localMinutes = n(local, 1) * 60 + n(local, 2)
        var offset = (localMinutes - utcMinutes) % 1440
        if offset > 720 { offset -= 1440 }
        if offset < -720 { offset += 1440 }
        return offset
    }

    /// The `AssemblyFileVersion`s of the telemetry blobs in the logs (base64 JSON, decoded here whole).
    static func telemetryAgentVersions() throws -> [String] {
        let regex = try NSRegularExpression(pattern: "eyJBc3NlbWJseUZpbGVWZXJzaW9uIjoi[A-Za-z0-9+/=]+")
        var versions: [String] = []
        for name in logNames {
            for line in try lines(name) where line.contains("eyJBc3NlbWJseUZpbGVWZXJzaW9uIjoi") {
                let ns = line as NSString
                for m in regex.matches(in: line, range: NSRange(location: 0, length: ns.length)) {
                    var blob = ns.substring(with: m.range)
                    while blob.count % 4 != 0 { blob += "=" }
                    guard let data = Data(base64Encoded: blob),
                          let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                          let version = object["AssemblyFileVersion"] as? String else { continue }
                    if !versions.contains(version) { versions.append(version) }
                }
            }
        }
        return versions
    }

    /// Snagit's entry in a report's `apps`.
    static func snagit(in json: [String: Any]) throws -> [String: Any] {
        try XCTUnwrap((json["apps"] as? [[String: Any]])?.first { $0["id"] as? String == snagitID }, "no Snagit in the report")
    }

    /// `2026-03-24 11:54:38.231` as seconds (a proleptic count, enough to order and subtract).
    static func seconds(_ text: String?) -> Double? {
        guard let text else { return nil }
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "-" || $0 == ":" })
        guard parts.count == 6, let y = Int(parts[0]), let mo = Int(parts[1]), let d = Int(parts[2]), let h = Int(parts[3]),
              let mi = Int(parts[4]), let s = Double(parts[5]) else { return nil }
        var c = DateComponents()
        (c.year, c.month, c.day, c.hour, c.minute) = (y, mo, d, h, mi)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: c).map { $0.timeIntervalSince1970 + s }
    }
}

/// Runs `jobs` side by side (as many at once as there are cores) and returns their results in order.
func inParallel<T>(_ jobs: [() throws -> T]) throws -> [T] {
    var results = [Result<T, Error>?](repeating: nil, count: jobs.count)
    let lock = NSLock()
    DispatchQueue.concurrentPerform(iterations: jobs.count) { i in
        let result = Result { try jobs[i]() }
        lock.lock()
        results[i] = result
        lock.unlock()
    }
    return try results.map { try $0!.get() }
}

// MARK: - JSON comparison

/// `value` as JSON text with sorted keys: equal values give equal text.
func canonical(_ value: Any) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
}

/// `value` with every `source` string passed through `source`, every other string through `text`, and the
/// keys in `dropping` left out (at any depth).
func normalized(_ value: Any, source: (String) -> String, text: (String) -> String = { $0 }, dropping: Set<String> = []) -> Any {
    switch value {
    case let object as [String: Any]:
        var out: [String: Any] = [:]
        for (key, v) in object where !dropping.contains(key) {
            if key == "source", let s = v as? String { out[key] = source(s) } else { out[key] = normalized(v, source: source, text: text, dropping: dropping) }
        }
        return out
    case let array as [Any]:
        return array.map { normalized($0, source: source, text: text, dropping: dropping) }
    case let s as String:
        return text(s)
    default:
        return value
    }
}

/// Asserts two JSON arrays are equal element by element (as canonical text), naming the first that differs.
func assertSameJSONArray(_ actual: [Any], _ expected: [Any], _ what: String, file: StaticString = #filePath, line: UInt = #line) throws {
    XCTAssertEqual(actual.count, expected.count, "\(what): count", file: file, line: line)
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let ca = try canonical(a), ce = try canonical(e)
        if ca != ce {
            XCTFail("\(what)[\(i)] differs:\nactual:   \(ca.prefix(1500))\nexpected: \(ce.prefix(1500))", file: file, line: line)
            return
        }
    }
}
