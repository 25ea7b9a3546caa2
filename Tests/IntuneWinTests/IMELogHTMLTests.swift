import Foundation
import XCTest
@testable import IntuneWin

/// The HTML report (`IMELogHTML`) on reports built by `IMELogAnalyzer` from CMTrace lines written here:
/// text from the logs is escaped wherever it lands, the page refers to nothing outside itself, and the
/// timeline's arithmetic holds. The page in a real browser is checked in ImeLogHTMLCommandTests.
final class IMELogHTMLTests: XCTestCase {
    static let appID = "11111111-2222-3333-4444-555555555555"
    /// Every hostile string holds `alert(`, so a test can find any of them inside a tag.
    static let hostileName = #"<script>alert(1)</script> "q" 'a' </style> ]]> javascript:alert(2)"#
    static let hostileCommand = #"setup.exe /q <img src=x onerror=alert(3)> "'" javascript:alert(6)"#
    static let hostileSource = #"<b onmouseover=alert(7)>'"AppWorkload.log"#

    /// One CMTrace line at 2026-03-24 10:`minute`:`second` on thread 8.
    static func line(_ message: String, minute: Int, second: Int) -> String {
        let time = String(format: "10:%02d:%02d.1234567", minute, second)
        return #"<![LOG[\#(message)]LOG]!><time="\#(time)" date="3-24-2026" component="AppWorkload" context="" type="1" thread="8" file="">"#
    }

    /// A check-in in which an app with a hostile name and install command fails with an unmapped exit code,
    /// plus a Win32 line no wording matches (with an escape character and a right-to-left override).
    static func hostileLog() -> String {
        let id = appID
        let policy = #"Get policies = [{"Id":"\#(id)","Name":"<script>alert(1)</script> \"q\" 'a' </style> ]]> javascript:alert(2)","Version":1,"Intent":3,"InstallCommandLine":"setup.exe /q <img src=x onerror=alert(3)> \"'\" javascript:alert(6)","UninstallCommandLine":"uninstall.exe"}]"#
        let lines = [
            line("[Win32App] ----------------------------------------------------- application poller starts. -----------------------------------------------------", minute: 0, second: 0),
            line(policy, minute: 0, second: 1),
            line("---->>[Win32App] Processing app (id=\(id), name = </style><script>alert(4)</script>) with mode = DetectInstall", minute: 0, second: 2),
            line("[Win32App] ===Step=== Detection rules", minute: 0, second: 3),
            line("[Win32App] Completed detectionManager SideCarScriptDetectionManager, applicationDetectedByCurrentRule: False", minute: 0, second: 5),
            line("[Win32App] ===Step=== ExecuteWithRetry", minute: 0, second: 6),
            line("[Win32App] Launch Win32AppInstaller in machine session", minute: 0, second: 7),
            line("[Win32App] process id = 4684", minute: 0, second: 7),
            line("[Win32App] \u{1B}[31m<script>alert(5)</script> ]]> </style> \u{202E}gnp.exe https://example.invalid/x.png zzunknownwording", minute: 1, second: 0),
            line("[Win32App] lpExitCode 1", minute: 3, second: 30),
            line("[Win32App] hResultFromWin32 -2147024895", minute: 3, second: 30),
            line("[Win32App] Admin did NOT set mapping for lpExitCode: 1 of app: \(id)", minute: 3, second: 30),
            line("[Win32App] ===Step=== Detection rules after Execution", minute: 3, second: 40),
            line("[Win32App] Completed detectionManager SideCarScriptDetectionManager, applicationDetectedByCurrentRule: False", minute: 3, second: 42),
            line("[Win32App] Set EnforcementStateMessage EnforcementState: Error, ErrorCode: -2147024895", minute: 3, second: 42),
            line("[Win32App] ----------------------------------------------------- application poller stopped. -----------------------------------------------------", minute: 3, second: 50),
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    static func report(_ text: String, source: String = hostileSource) throws -> IMELogReport {
        let analyzer = IMELogAnalyzer()
        try CMTraceReader(bytes: Array(text.utf8), source: source).forEach { analyzer.add($0) }
        return analyzer.report()
    }

    /// The hostile report, checked to carry the hostile text where the page shows it (else the escaping
    /// tests below would pass on nothing).
    private func hostileReport() throws -> IMELogReport {
        let r = try Self.report(Self.hostileLog())
        let app = try XCTUnwrap(r.apps.first { $0.id == Self.appID }, "the analyzer found no app: \(r.apps.map(\.id))")
        XCTAssertTrue(app.name?.contains("<script>") == true, "name: \(app.name ?? "nil")")
        XCTAssertTrue(app.installCommand?.contains("<img") == true, "install: \(app.installCommand ?? "nil")")
        XCTAssertFalse(r.findings.isEmpty, "a finding (exit code 1 without mapping) carries evidence lines")
        XCTAssertTrue(r.coverage.examples.contains { $0.text.contains("alert(5)") }, "the unknown line is an example: \(r.coverage.examples.map(\.text))")
        XCTAssertTrue(r.findings.flatMap(\.evidence).contains { $0.source == Self.hostileSource })
        return r
    }

    func testHostileTextIsNeverMarkup() throws {
        let page = IMELogHTML.document(try hostileReport(), title: "</title><script>alert(8)</script>")
        for raw in ["<script", "<img", "<b ", "]]>", "\u{202E}", "\u{1B}"] {
            XCTAssertFalse(page.contains(raw), "\(raw.debugDescription) written raw")
        }
        XCTAssertEqual(page.components(separatedBy: "</style").count, 2, "only our own </style>")
        XCTAssertEqual(page.components(separatedBy: "</title").count - 1, page.components(separatedBy: "<title").count - 1, "every title closed by its own tag")
        // Shown as text, escaped.
        for escaped in ["&lt;script&gt;alert(1)&lt;/script&gt; &quot;q&quot; &#39;a&#39; &lt;/style&gt; ]]&gt; javascript:alert(2)",
                        "setup.exe /q &lt;img src=x onerror=alert(3)&gt; &quot;&#39;&quot;", "&lt;b onmouseover=alert(7)&gt;&#39;&quot;AppWorkload.log:",
                        "\u{241B}[31m&lt;script&gt;alert(5)", "&lt;U+202E&gt;gnp.exe", "&lt;/title&gt;&lt;script&gt;alert(8)"] {
            XCTAssertTrue(page.contains(escaped), "missing as escaped text: \(escaped)")
        }
        // No tag carries log text: every hostile string holds `alert(`, and no tag (attributes included) does.
        let tags = try NSRegularExpression(pattern: "<[^>]*>").matches(in: page, range: NSRange(page.startIndex..., in: page))
        XCTAssertGreaterThan(tags.count, 100)
        for match in tags {
            let tag = String(page[Range(match.range, in: page)!])
            XCTAssertFalse(tag.contains("alert(") || tag.lowercased().contains("javascript:"), "log text inside a tag: \(tag)")
        }
        // Only newlines among the control characters.
        XCTAssertFalse(page.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) })
    }

    func testSelfContainedWithStrictPolicy() throws {
        let page = IMELogHTML.document(try hostileReport(), title: nil)
        XCTAssertTrue(page.hasPrefix("<!DOCTYPE html>"))
        let csp = try XCTUnwrap(page.range(of: #"<meta http-equiv="Content-Security-Policy" content=""#))
        XCTAssertLessThan(csp.lowerBound, try XCTUnwrap(page.range(of: "<style>")).lowerBound, "the policy comes before the style")
        XCTAssertTrue(page.contains("default-src 'none'"))
        XCTAssertFalse(page.contains("unsafe-inline"))
        XCTAssertFalse(page.contains("script-src"), "no script allowed: default-src 'none' covers it")
        // Links go to anchors in the page; nothing has a source; the style imports nothing.
        let refs = try NSRegularExpression(pattern: #"\b(href|src|srcset|action|data|poster|xlink:href)\s*=\s*"([^"]*)""#, options: .caseInsensitive)
        var hrefs = 0
        for m in refs.matches(in: page, range: NSRange(page.startIndex..., in: page)) {
            let name = String(page[Range(m.range(at: 1), in: page)!]), value = String(page[Range(m.range(at: 2), in: page)!])
            XCTAssertEqual(name, "href", "\(name)=\(value)")
            XCTAssertTrue(value.hasPrefix("#app-") || ["#summary", "#timeline", "#details", "#findings", "#coverage"].contains(value), value)
            hrefs += 1
        }
        XCTAssertGreaterThan(hrefs, 3)
        XCTAssertFalse(page.contains("@import") || page.contains("url("))
        // The one URL in the logs is text, escaped, not a reference.
        XCTAssertTrue(page.contains("https://example.invalid/x.png"))
        XCTAssertFalse(page.contains("\"https://example.invalid"))
    }

    func testContentMirrorsTheReport() throws {
        let r = try hostileReport()
        let page = IMELogHTML.document(r, title: nil)
        XCTAssertTrue(page.contains("<table class=\"summary\">"))
        XCTAssertEqual(page.components(separatedBy: "<tr class=\"fail\"><td class=\"app\">").count - 1, r.apps.filter { $0.lastCheckIn?.outcome.isFailure == true }.count)
        XCTAssertTrue(page.contains("<svg class=\"timeline\""))
        XCTAssertTrue(page.contains("<svg class=\"strip\""), "the check-in lasted minutes: its phase strip is drawn")
        for finding in r.findings {
            XCTAssertTrue(page.contains(HTMLEscape.text(finding.summary)), finding.summary)
            if let s = finding.suggestion { XCTAssertTrue(page.contains(HTMLEscape.text(s)), s) }
            for e in finding.evidence { XCTAssertTrue(page.contains(HTMLEscape.text("\(IMELogHTML.fileName(e.source)):\(e.line)")), "\(e.line)") }
        }
        XCTAssertTrue(page.contains(HTMLEscape.text(r.timeZoneNote)))
        XCTAssertTrue(page.contains("\(r.coverage.understoodCount) of \(r.coverage.win32RecordCount) Win32 app lines understood"))
        // Failed install: the install stretch (7 s → 3 min 30 s) is drawn in the install colour.
        XCTAssertTrue(page.contains("class=\"c-install\""))
    }

    func testEscapeEveryCharacterThatMatters() {
        XCTAssertEqual(HTMLEscape.text(#"a&b<c>d"e'f"#), "a&amp;b&lt;c&gt;d&quot;e&#39;f")
        XCTAssertEqual(HTMLEscape.text("x\u{0}y\u{1B}z\u{7F}"), "x\u{2400}y\u{241B}z\u{2421}")
        XCTAssertEqual(HTMLEscape.text("\u{85}\u{200B}\u{202E}\u{2066}\u{FEFF}"), "&lt;U+0085&gt;&lt;U+200B&gt;&lt;U+202E&gt;&lt;U+2066&gt;&lt;U+FEFF&gt;")
        XCTAssertEqual(HTMLEscape.text("Snagit 2025 — é 中文 🙂"), "Snagit 2025 — é 中文 🙂", "other text unchanged")
    }

    func testTimeScaleCivilIsTheInverseOfLocalSeconds() {
        var state: UInt64 = 0x2545F4914F6CDD1D
        for _ in 0..<2000 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            let t = LogTimestamp(year: 1971 + Int(state % 120), month: 1 + Int(state >> 8 % 12), day: 1 + Int(state >> 16 % 28),
                                 hour: Int(state >> 24 % 24), minute: Int(state >> 32 % 60), second: Int(state >> 40 % 60))
            let c = IMETimeScale.civil(t.localSeconds)
            XCTAssertEqual([c.year, c.month, c.day, c.hour, c.minute, c.second], [t.year, t.month, t.day, t.hour, t.minute, t.second], t.description)
        }
    }

    func testTimeScaleTicksAndLabels() {
        let day = LogTimestamp(year: 2026, month: 3, day: 24, hour: 9, minute: 0, second: 0).localSeconds
        let hours = IMETimeScale(start: day, end: day + 3 * 3600, left: 0, right: 1000)
        let ticks = hours.ticks(maximum: 8)
        XCTAssertTrue((2...9).contains(ticks.count), "\(ticks.count)")
        XCTAssertEqual(hours.label(day + 3600, step: hours.step(maximum: 8)), "10:00")
        XCTAssertEqual(hours.x(day - 1000), 0, "clamped")
        XCTAssertEqual(hours.x(day + 10 * 3600), 1000, "clamped")
        XCTAssertLessThan(hours.x(day + 3600), hours.x(day + 7200))
        let week = IMETimeScale(start: day, end: day + 7 * 86400, left: 0, right: 1000)
        XCTAssertEqual(week.label(day + 15 * 3600, step: week.step(maximum: 8)), "2026-03-25")
        let second = IMETimeScale(start: day, end: day + 1, left: 0, right: 1000, minimumSpan: 2)
        XCTAssertEqual(second.label(day + 0.5, step: second.step(maximum: 10)), "09:00:00.5")
        XCTAssertEqual(second.x(day), 10, accuracy: 12, "a short span starts at its start, not centred")
    }

    func testSegmentsFoldThousandsOfPhasesIntoAFewRectangles() throws {
        let r = try Self.report(Self.hostileLog())
        let checkIn = try XCTUnwrap(r.apps.first?.checkIns.first { $0.exitCode != nil })
        var phases = checkIn.phases
        // 5000 progress lines, one every 10 ms, after the install.
        let template = try XCTUnwrap(phases.last)
        for i in 0..<5000 {
            var p = template
            p.kind = .downloadProgress
            p.evidence.time = LogTimestamp(year: 2026, month: 3, day: 24, hour: 10, minute: 4, second: i / 100, nanoseconds: i % 100 * 10_000_000)
            phases.append(p)
        }
        let start = try XCTUnwrap(phases.first?.time?.localSeconds), end = try XCTUnwrap(phases.last?.time?.localSeconds)
        let scale = IMETimeScale(start: start, end: end, left: 0, right: 1000)
        let segments = IMELogHTMLTimeline.segments(phases, scale: scale)
        XCTAssertLessThan(segments.count, 12, "\(segments)")
        for (a, b) in zip(segments, segments.dropFirst()) { XCTAssertLessThanOrEqual(a.to, b.from + 0.001); XCTAssertNotEqual(a.category, b.category) }
        XCTAssertTrue(segments.contains { $0.category == .install && $0.to - $0.from > 100 }, "the installer's 3 minutes are visible: \(segments)")
        XCTAssertEqual(segments.last?.category, .download)
    }

    func testStreamsInPiecesThatMakeTheDocument() throws {
        // 60 apps, each with two check-ins of 150 phases: a report of 18,000 phases.
        let base = try Self.report(Self.hostileLog())
        var report = base
        let template = try XCTUnwrap(base.apps.first)
        report.apps = (0..<60).map { n in
            var app = template
            app.id = String(format: "%08x-0000-0000-0000-000000000000", n)
            app.name = "App \(n) <x>"
            app.checkIns = (0..<2).map { c in
                var checkIn = template.checkIns.last!
                let phase = checkIn.phases[0]
                checkIn.phases = (0..<150).map { i in
                    var p = phase
                    p.evidence.time = LogTimestamp(year: 2026, month: 3, day: 20 + c, hour: n % 24, minute: i / 60, second: i % 60)
                    return p
                }
                return checkIn
            }
            return app
        }
        var pieces: [String] = []
        let started = Date()
        try IMELogHTML.write(report, title: "big") { pieces.append($0) }
        let seconds = Date().timeIntervalSince(started)
        XCTAssertGreaterThan(pieces.count, 3)
        XCTAssertTrue(pieces.dropLast().allSatisfy { $0.utf8.count >= 64 << 10 && $0.utf8.count < 80 << 10 }, pieces.map(\.utf8.count).description)
        XCTAssertEqual(pieces.joined(), IMELogHTML.document(report, title: "big"))
        XCTAssertLessThan(pieces.joined().utf8.count, 40 << 20)
        XCTAssertLessThan(seconds, 30, "18,000 phases took \(seconds) s")
        XCTAssertEqual(pieces.joined().components(separatedBy: "App 7 &lt;x&gt;").count - 1, 4, "table, timeline label and its title, section")
    }
}
