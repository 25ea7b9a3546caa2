import Foundation

/// The report as one self-contained HTML page (`ime-log --html`): the counts and time span, a table of the
/// apps, every app's check-ins on one time axis (inline SVG), each app's check-ins with their phases, the
/// findings with their evidence lines, and what was understood. It loads nothing (a Content-Security-Policy
/// forbids every request and all script), and every piece of text from the logs is escaped (`HTMLEscape`).
public enum IMELogHTML {
    /// The whole page as one string.
    public static func document(_ report: IMELogReport, title: String? = nil) -> String {
        var page = ""
        // The sink never throws, so neither does the writer.
        try? write(report, title: title) { page += $0 }
        return page
    }

    /// The page in pieces of about 64 KiB, handed to `sink` in order (a large report is never one string).
    public static func write(_ report: IMELogReport, title: String? = nil, to sink: @escaping (String) throws -> Void) throws {
        var out = HTMLOutput(sink: sink)
        let findingsByApp = Dictionary(grouping: report.findings.filter { $0.appID != nil }, by: { $0.appID! })
        // The text report's order (failures first, then findings, then the latest check-in): the table, the
        // timeline rows and the sections alike, so `#app-N` is the N-th app everywhere.
        var ordered = report
        ordered.apps = IMELogText.tableOrder(report.apps, findings: findingsByApp.mapValues(\.count))
        let report = ordered
        try head(report, title: title, into: &out)
        try header(report, title: title, into: &out)
        try out.raw("<main class=\"wrap\">\n")
        try out.raw("<nav class=\"toc\"><a href=\"#summary\">Apps</a><a href=\"#timeline\">Timeline</a><a href=\"#details\">Check-ins</a><a href=\"#findings\">Findings (\(report.findings.count))</a><a href=\"#coverage\">Coverage</a></nav>\n")
        try summary(report, findingsByApp: findingsByApp, into: &out)
        try timeline(report, findingsByApp: findingsByApp, into: &out)
        try details(report, findingsByApp: findingsByApp, into: &out)
        try findings(report, into: &out)
        try coverage(report, into: &out)
        try out.raw("<footer>Written by intunewin-tool ime-log. Times are as IME writes them: ")
        try out.text(report.timeZoneNote)
        try out.raw(".</footer>\n</main>\n</body>\n</html>\n")
        try out.flush()
    }

    // MARK: - Parts

    private static func head(_ report: IMELogReport, title: String?, into out: inout HTMLOutput) throws {
        try out.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        try out.raw("<meta http-equiv=\"Content-Security-Policy\" content=\"\(IMELogHTMLStyle.contentSecurityPolicy)\">\n")
        try out.raw("<meta name=\"referrer\" content=\"no-referrer\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        try out.raw("<title>IME log report")
        if let title, !title.isEmpty { try out.raw(" — "); try out.text(title) }
        try out.raw("</title>\n<style>\(IMELogHTMLStyle.css)</style>\n</head>\n<body>\n")
    }

    private static func header(_ report: IMELogReport, title: String?, into out: inout HTMLOutput) throws {
        let failing = report.apps.filter { $0.lastCheckIn?.outcome.isFailure == true }.count
        try out.raw("<header class=\"top\"><div class=\"wrap\">\n<div class=\"kicker\">Intune Management Extension · Win32 apps</div>\n<h1>IME log report</h1>\n")
        if let title, !title.isEmpty { try out.element("p", title, class: "subtitle") }
        try out.raw("<div class=\"stats\">")
        for (value, noun, bad) in [(report.apps.count, "app", false), (failing, "failing app", failing > 0), (report.sessions.count, "check-in", false),
                                   (report.findings.count, "finding", !report.findings.isEmpty), (report.recordCount, "record", false),
                                   (report.fragmentCount, "damaged fragment", false)] {
            try out.raw("<div class=\"stat\(bad ? " bad" : "")\"><b>\(value)</b><span>\(noun)\(value == 1 ? "" : "s")</span></div>")
        }
        try out.raw("</div>\n<p class=\"meta\">")
        if let span = report.span {
            try out.raw("Logs span <b>"); try out.text(span.first.description); try out.raw("</b> to <b>"); try out.text(span.last.description)
            try out.raw("</b> ("); let seconds = max(0, span.last.localSeconds - span.first.localSeconds)
            try out.text(seconds >= 2 * 86400 ? "\(Int(seconds / 86400)) days" : IMELogText.duration(seconds)); try out.raw("). ")
        }
        try out.text(capitalized(report.timeZoneNote) + ".")
        try out.raw("<br>")
        try out.text(report.coverage.agentVersions.isEmpty ? "IME agent version not in the logs." : "IME agent " + report.coverage.agentVersions.joined(separator: ", ") + ".")
        try out.raw("</p>\n</div></header>\n")
    }

    private static func summary(_ report: IMELogReport, findingsByApp: [String: [IMEFinding]], into out: inout HTMLOutput) throws {
        try out.raw("<section class=\"card\" id=\"summary\"><h2>Apps<span class=\"count\">\(report.apps.count)</span></h2>\n")
        guard !report.apps.isEmpty else { try out.raw("<p class=\"muted\">No Win32 app in these logs.</p></section>\n"); return }
        try out.raw("<div class=\"scroll\"><table class=\"summary\"><thead><tr><th>App</th><th>Version</th><th>Intent</th><th>Last result</th><th>Last check-in</th><th>Duration</th><th>Findings</th></tr></thead><tbody>\n")
        for (index, app) in report.apps.enumerated() {
            let last = app.lastCheckIn
            let outcome = last?.outcome
            try out.raw("<tr class=\"\(outcome.map(outcomeClass) ?? "neutral")\"><td class=\"app\"><a href=\"#app-\(index + 1)\">")
            try out.text(app.name ?? app.id)
            try out.raw("</a>")
            if app.name != nil { try out.element("span", app.id, class: "id") }
            try out.raw("</td><td>"); try out.text(app.version ?? "")
            try out.raw("</td><td>"); try out.text(app.intent.map(IMEApp.intentWord) ?? "")
            try out.raw("</td><td class=\"result\">")
            if let outcome { try pill(outcome, into: &out); try out.text(IMELogText.resultText(outcome)) } else { try out.raw("<span class=\"pill neutral\">not processed</span>") }
            try out.raw("</td><td class=\"when\">"); try out.text(last?.start.map { String($0.description.prefix(19)) } ?? "")
            try out.raw("</td><td class=\"dur\">"); try out.text(last?.durationSeconds.map(IMELogText.duration) ?? "")
            try out.raw("</td><td>")
            for kind in Set((findingsByApp[app.id] ?? []).map(\.kind.rawValue)).sorted() { try out.element("span", kind, class: "badge") }
            try out.raw("</td></tr>\n")
        }
        try out.raw("</tbody></table></div></section>\n")
    }

    private static func timeline(_ report: IMELogReport, findingsByApp: [String: [IMEFinding]], into out: inout HTMLOutput) throws {
        try out.raw("<section class=\"card\" id=\"timeline\"><h2>Timeline</h2>\n<div class=\"legend\">")
        for category in IMEPhaseCategory.allCases { try out.raw("<span><i class=\"\(category.cssClass)\"></i>\(category.label)</span>") }
        try out.raw("<span><i class=\"finding\"></i>finding</span></div>\n<div class=\"scroll\">")
        try IMELogHTMLTimeline.overview(report, findingsByApp: findingsByApp, into: &out)
        try out.raw("</div><p class=\"muted\">Each bar is one check-in of the app (hover for its result); a red edge marks a failed one. Phases last until the next phase logged.</p></section>\n")
    }

    private static func details(_ report: IMELogReport, findingsByApp: [String: [IMEFinding]], into out: inout HTMLOutput) throws {
        try out.raw("<section class=\"card\" id=\"details\"><h2>Check-ins by app</h2>\n")
        for (index, app) in report.apps.enumerated() {
            try IMELogHTMLApp.section(app, number: index + 1, report: report, findings: findingsByApp[app.id] ?? [], into: &out)
        }
        if report.apps.isEmpty { try out.raw("<p class=\"muted\">No Win32 app in these logs.</p>") }
        try out.raw("</section>\n")
    }

    private static func findings(_ report: IMELogReport, into out: inout HTMLOutput) throws {
        try out.raw("<section class=\"card\" id=\"findings\"><h2>Findings<span class=\"count\">\(report.findings.count)</span></h2>\n")
        if report.findings.isEmpty { try out.raw("<p class=\"muted\">No problem found in these logs.</p>") }
        let appNumbers = Dictionary(report.apps.enumerated().map { ($1.id, $0 + 1) }, uniquingKeysWith: { a, _ in a })
        for finding in report.findings {
            try out.raw("<article class=\"finding\"><h3>")
            try out.element("span", finding.kind.rawValue, class: "kind")
            try out.text(finding.summary)
            try out.raw("</h3>")
            if let suggestion = finding.suggestion { try out.raw("<p class=\"next\"><b>Next step:</b> "); try out.text(suggestion); try out.raw("</p>") }
            if let id = finding.appID, let number = appNumbers[id] { try out.raw("<p class=\"muted\"><a href=\"#app-\(number)\">Check-ins of this app</a></p>") }
            try evidence(finding.evidence, into: &out)
            try out.raw("</article>\n")
        }
        try out.raw("</section>\n")
    }

    private static func coverage(_ report: IMELogReport, into out: inout HTMLOutput) throws {
        let c = report.coverage
        try out.raw("<section class=\"card coverage\" id=\"coverage\"><h2>Coverage</h2>\n<p>")
        let line = IMELogText.coverageLines(c, verbose: false)[0]
        try out.text(line.hasPrefix("coverage: ") ? capitalized(String(line.dropFirst("coverage: ".count))) : line)
        try out.raw("</p>\n")
        if !c.examples.isEmpty {
            try out.raw("<details><summary>Lines not understood: one example per wording (\(c.examples.count))</summary>")
            try evidence(c.examples, into: &out)
            try out.raw("</details>\n")
        }
        if !report.files.isEmpty {
            try out.raw("<details><summary>Files read (\(report.files.count))</summary><table class=\"files\"><thead><tr><th>File</th><th>Records</th><th>First</th><th>Last</th></tr></thead><tbody>")
            for file in report.files {
                try out.raw("<tr><td class=\"mono\">"); try out.text(file.source)
                try out.raw("</td><td>\(file.recordCount)</td><td class=\"mono\">"); try out.text(file.first?.description ?? "")
                try out.raw("</td><td class=\"mono\">"); try out.text(file.last?.description ?? ""); try out.raw("</td></tr>")
            }
            try out.raw("</tbody></table></details>\n")
        }
        try out.raw("</section>\n")
    }

    // MARK: - Shared pieces

    /// Evidence lines as `file:line  time  text`.
    static func evidence(_ lines: [IMEEvidence], into out: inout HTMLOutput) throws {
        guard !lines.isEmpty else { return }
        try out.raw("<div class=\"evidence\">")
        for e in lines {
            try out.raw("<div class=\"ev\"><span class=\"loc\">")
            try out.text("\(fileName(e.source)):\(e.line)")
            try out.raw("</span>  <span class=\"time\">")
            try out.text(e.time?.description ?? "")
            try out.raw("</span>  ")
            try out.text(cut(e.text, maximumText))
            try out.raw("</div>")
        }
        try out.raw("</div>")
    }

    /// A result's pill (`failed`, `installed`, …) coloured by `outcomeClass`.
    static func pill(_ outcome: IMEOutcome, into out: inout HTMLOutput) throws {
        try out.raw("<span class=\"pill \(outcomeClass(outcome))\">\(outcomeWord(outcome.kind))</span>")
    }

    /// `fail`, `ok`, `wait` or `neutral`: the CSS class of a result.
    static func outcomeClass(_ outcome: IMEOutcome) -> String {
        if outcome.isFailure { return "fail" }
        switch outcome.kind {
        case .installed, .alreadyInstalled, .uninstalled, .noActionRequired: return "ok"
        case .inGRS, .downloading, .inProgress: return "wait"
        default: return "neutral"
        }
    }

    /// A result kind in a word or two.
    static func outcomeWord(_ kind: IMEOutcome.Kind) -> String {
        switch kind {
        case .installed: return "installed"
        case .alreadyInstalled: return "detected"
        case .uninstalled: return "not installed"
        case .noActionRequired: return "no action"
        case .notApplicable: return "not applicable"
        case .notDue: return "not due"
        case .inGRS: return "in GRS"
        case .downloading: return "downloading"
        case .inProgress: return "in progress"
        case .downloadTimedOut: return "download timed out"
        case .downloadFailed: return "download failed"
        case .installedNotDetected: return "not detected"
        case .failed: return "failed"
        case .crashed: return "crashed"
        case .aborted: return "aborted"
        case .unknown: return "unknown"
        }
    }

    /// Log text longer than this is cut (a policy line can be megabytes of JSON).
    static let maximumText = 2000

    /// `text`, cut to `width` characters with an ellipsis.
    static func cut(_ text: String, _ width: Int) -> String {
        text.count <= width ? text : String(text.prefix(width - 1)) + "…"
    }

    /// The last path component.
    static func fileName(_ source: String) -> String { source.split(separator: "/").last.map(String.init) ?? source }

    private static func capitalized(_ text: String) -> String { text.prefix(1).uppercased() + text.dropFirst() }
}
