import Foundation
import XCTest

/// `intunewin-tool ime-log --html FILE` end to end: the page is written atomically beside the target, an
/// existing file is kept without --force, and Debian's headless Chromium renders the page, with every
/// host name unresolvable, into a DOM that holds the apps, the findings and the timeline, and the hostile
/// names from the logs only as text.
final class ImeLogHTMLCommandTests: ToolTestCase {
    static let appID = "11111111-2222-3333-4444-555555555555"

    /// One CMTrace line at 2026-03-24 10:`minute`:`second` on thread 8.
    private static func line(_ message: String, minute: Int, second: Int) -> String {
        let time = String(format: "10:%02d:%02d.1234567", minute, second)
        return #"<![LOG[\#(message)]LOG]!><time="\#(time)" date="3-24-2026" component="AppWorkload" context="" type="1" thread="8" file="">"#
    }

    /// A check-in in which an app whose name and install command are markup fails with an unmapped exit code.
    private static func hostileLog() -> String {
        let id = appID
        let policy = #"Get policies = [{"Id":"\#(id)","Name":"<script>alert(1)</script> \"q\" 'a' </style> ]]> javascript:alert(2)","Version":1,"Intent":3,"InstallCommandLine":"setup.exe <img src=https://example.invalid/x.png onerror=alert(3)>","UninstallCommandLine":"uninstall.exe"}]"#
        return [
            line("[Win32App] ----------------------------------------------------- application poller starts. -----------------------------------------------------", minute: 0, second: 0),
            line(policy, minute: 0, second: 1),
            line("---->>[Win32App] Processing app (id=\(id), name = </style><script>alert(4)</script>) with mode = DetectInstall", minute: 0, second: 2),
            line("[Win32App] ===Step=== Detection rules", minute: 0, second: 3),
            line("[Win32App] Completed detectionManager SideCarScriptDetectionManager, applicationDetectedByCurrentRule: False", minute: 0, second: 5),
            line("[Win32App] ===Step=== ExecuteWithRetry", minute: 0, second: 6),
            line("[Win32App] Launch Win32AppInstaller in machine session", minute: 0, second: 7),
            line("[Win32App] process id = 4684", minute: 0, second: 7),
            line("[Win32App] <iframe src=\"https://example.invalid/\"></iframe> zzunknownwording", minute: 1, second: 0),
            line("[Win32App] lpExitCode 1", minute: 3, second: 30),
            line("[Win32App] hResultFromWin32 -2147024895", minute: 3, second: 30),
            line("[Win32App] Admin did NOT set mapping for lpExitCode: 1 of app: \(id)", minute: 3, second: 30),
            line("[Win32App] ===Step=== Detection rules after Execution", minute: 3, second: 40),
            line("[Win32App] Completed detectionManager SideCarScriptDetectionManager, applicationDetectedByCurrentRule: False", minute: 3, second: 42),
            line("[Win32App] ----------------------------------------------------- application poller stopped. -----------------------------------------------------", minute: 3, second: 50),
        ].joined(separator: "\n") + "\n"
    }

    // MARK: - The browser

    /// Runs headless Chromium on `page` (see `Browser`) with a profile of this test's own.
    private func browser(_ page: URL, _ arguments: [String]) throws -> RunResult {
        try Browser.run(page, arguments, profile: path("chromium-profile"))
    }

    /// The DOM Chromium built from `page`.
    private func dom(_ page: URL) throws -> String { try Browser.dom(page, profile: path("chromium-profile")) }

    /// A screenshot of `page` (1400×2000) checked to be a real PNG image of some size.
    @discardableResult
    private func screenshot(_ page: URL, to png: URL) throws -> Data {
        let result = try browser(page, ["--screenshot=\(png.path)", "--window-size=1400,2000"])
        assertExit(result, 0, "chromium --screenshot")
        let bytes = png.bytes
        XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "not a PNG: \(png.path)")
        XCTAssertGreaterThan(bytes.count, 40_000, "a near-empty screenshot: \(bytes.count) bytes")
        // Width and height from the IHDR chunk.
        if bytes.count > 24 {
            let be = { (o: Int) in bytes[o..<o + 4].reduce(0) { $0 << 8 | Int($1) } }
            XCTAssertEqual(be(16), 1400)
            XCTAssertEqual(be(20), 2000)
        }
        return bytes
    }

    // MARK: - Tests

    func testHostileNamesRenderAsTextInABrowser() throws {
        let log = path("AppWorkload.log")
        try write(Self.hostileLog(), to: log)
        let page = path("out/report.html")
        try makeFolder(page.deletingLastPathComponent())
        let plain = try tool("ime-log", log.path)
        let result = try tool("ime-log", log.path, "--html", page.path)
        assertExit(result, 1, "a finding (exit code 1 without mapping) exits 1, after writing the page")
        XCTAssertEqual(result.out, plain.out, "stdout is the text report, as without --html")
        XCTAssertEqual(result.errLines.count, 1, result.summary)
        XCTAssertTrue(result.err.contains(page.path), result.summary)
        XCTAssertEqual(listing(page.deletingLastPathComponent()), ["report.html"], "no temporary file left")
        let html = String(decoding: page.bytes, as: UTF8.self)
        XCTAssertFalse(html.contains("<script") || html.contains("<img") || html.contains("<iframe"), "markup from the logs written raw")

        let dom = try dom(page)
        XCTAssertFalse(dom.contains("<script"), "a script element in the DOM")
        XCTAssertFalse(dom.contains("<img") || dom.contains("<iframe"), "an element from the logs in the DOM")
        XCTAssertTrue(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the hostile name is not shown as text")
        XCTAssertTrue(dom.contains("setup.exe &lt;img src=https://example.invalid/x.png onerror=alert(3)&gt;"), "the install command is not shown as text")
        let rows = try summaryRows(dom)
        XCTAssertEqual(rows.count, 1, rows.description)
        XCTAssertTrue(rows.first?.contains("class=\"fail\"") == true, "the failed app's row is marked: \(rows)")
        XCTAssertTrue(dom.contains("<svg class=\"timeline\""), "no timeline")
        XCTAssertTrue(dom.contains("has no return-code mapping"), "the finding is missing")
        XCTAssertTrue(dom.contains("Next step:"), "the finding's next step is missing")
        try screenshot(page, to: path("hostile.png"))
    }

    func testEveryFixtureAppInTheBrowser() throws {
        let page = path("fixtures.html")
        let json = try tool("ime-log", Tool.imeLogs.path, "--json")
        let apps = try XCTUnwrap(try json.jsonObject()["apps"] as? [[String: Any]])
        let findings = try XCTUnwrap(try json.jsonObject()["findings"] as? [[String: Any]])
        XCTAssertGreaterThan(apps.count, 3)
        let result = try tool("ime-log", Tool.imeLogs.path, "--html", page.path, "--json")
        XCTAssertEqual(result.status, json.status, result.summary)
        XCTAssertEqual(try result.jsonObject()["apps"] as? NSArray, try json.jsonObject()["apps"] as? NSArray, "the JSON is the same with --html")

        let html = String(decoding: page.bytes, as: UTF8.self)
        try assertSelfContained(html)
        let dom = try dom(page)
        let rows = try summaryRows(dom)
        XCTAssertEqual(rows.count, apps.count, "one summary row per app")
        for app in apps {
            let id = try XCTUnwrap(app["id"] as? String)
            XCTAssertEqual(rows.filter { $0.contains(">\(id)<") || $0.contains(">\(app["name"] as? String ?? id)<") && $0.contains(id) }.count, 1, "one row for \(id)")
        }
        // Failures first, as in the text report.
        let failed = rows.map { $0.hasPrefix("<tr class=\"fail\"") }
        XCTAssertTrue(failed.contains(true), "the fixtures hold failed installs")
        XCTAssertEqual(failed, failed.sorted { $0 && !$1 }, "failed apps first")
        XCTAssertEqual(dom.components(separatedBy: "<article class=\"finding\">").count - 1, findings.count, "one article per finding")
        for kind in Set(findings.compactMap { $0["kind"] as? String }) { XCTAssertTrue(dom.contains(">\(kind)</span>"), kind) }
        XCTAssertTrue(dom.contains("<svg class=\"timeline\""))
        XCTAssertEqual(dom.components(separatedBy: "<details class=\"app").count - 1, apps.count, "one section per app")
        try screenshot(page, to: path("fixtures.png"))
    }

    func testKeepsAnExistingFileWithoutForce() throws {
        let log = path("AppWorkload.log")
        try write(Self.hostileLog(), to: log)
        let page = path("report.html")
        try write("keep me\n", to: page)
        let refused = try tool("ime-log", log.path, "--html", page.path)
        assertExit(refused, 4, "an existing file is not overwritten")
        assertOneLineError(refused, naming: page.lastPathComponent)
        XCTAssertTrue(refused.err.contains("--force"), refused.summary)
        XCTAssertEqual(String(decoding: page.bytes, as: UTF8.self), "keep me\n")
        XCTAssertEqual(refused.out, "", "refused before reading the logs")
        // Checked before the logs are read: a missing log is not even reported.
        assertExit(try tool("ime-log", path("missing.log").path, "--html", page.path), 4)
        let forced = try tool("ime-log", log.path, "--html", page.path, "--force")
        assertExit(forced, 1)
        XCTAssertTrue(String(decoding: page.bytes, as: UTF8.self).hasPrefix("<!DOCTYPE html>"))
        XCTAssertEqual(listing(scratch).filter { $0.contains("partial") }, [], "no temporary file left")
        let folder = try tool("ime-log", log.path, "--html", scratch.path, "--force")
        assertExit(folder, 4, "a folder is not a file to write")
    }

    func testHelpNamesTheOption() throws {
        let help = try tool("ime-log", "--help")
        assertExit(help, 0)
        XCTAssertTrue(help.out.contains("--html <file>"), help.out)
        XCTAssertTrue(help.out.contains("--force"), help.out)
    }

    // MARK: - Helpers

    /// The rows of the summary table's body, as the DOM has them.
    private func summaryRows(_ dom: String) throws -> [String] {
        let table = try XCTUnwrap(dom.range(of: "<table class=\"summary\">"), "no summary table")
        let body = try XCTUnwrap(dom.range(of: "<tbody>", range: table.upperBound..<dom.endIndex))
        let end = try XCTUnwrap(dom.range(of: "</tbody>", range: body.upperBound..<dom.endIndex))
        return dom[body.upperBound..<end.lowerBound].components(separatedBy: "<tr").dropFirst().map { "<tr" + $0 }
    }

    /// The page refers to nothing outside itself: links are in-page anchors, nothing has a source, and the
    /// one style element is the one the policy allows by hash (checked with Python's hashlib).
    private func assertSelfContained(_ html: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let refs = try NSRegularExpression(pattern: #"\s(href|src|srcset|action|data|poster|xlink:href|formaction)\s*=\s*"([^"]*)""#, options: .caseInsensitive)
        for m in refs.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
            let attribute = String(html[Range(m.range(at: 1), in: html)!]), value = String(html[Range(m.range(at: 2), in: html)!])
            XCTAssertTrue(attribute == "href" && value.hasPrefix("#"), "\(attribute)=\"\(value)\" refers outside the page", file: file, line: line)
        }
        XCTAssertEqual(html.components(separatedBy: "<style>").count - 1, 1, file: file, line: line)
        let css = try XCTUnwrap(html.range(of: "<style>").flatMap { open in html.range(of: "</style>", range: open.upperBound..<html.endIndex).map { html[open.upperBound..<$0.lowerBound] } })
        let cssFile = path("style.css")
        try write(String(css), to: cssFile)
        let digest = try python("import base64, hashlib, sys; print(base64.b64encode(hashlib.sha256(open(sys.argv[1], 'rb').read()).digest()).decode())", [cssFile.path])
        let hash = digest.out.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(html.contains("style-src 'sha256-\(hash)'"), "the policy does not allow the style by its hash \(hash)", file: file, line: line)
        XCTAssertTrue(html.contains("default-src 'none'"), file: file, line: line)
    }
}
