import Foundation

/// One app in the HTML report: a collapsible section (open when its last result is a failure) with what the
/// policy says, then each check-in (the last one open): its phase strip, download, GRS and phases with times.
enum IMELogHTMLApp {
    static func section(_ app: IMEApp, number: Int, report: IMELogReport, findings: [IMEFinding], into out: inout HTMLOutput) throws {
        let failing = app.lastCheckIn?.outcome.isFailure == true
        try out.raw("<details class=\"app\(failing ? " fail" : "")\" id=\"app-\(number)\"\(failing ? " open" : "")><summary>")
        try out.text(app.name ?? "(name not logged)")
        try out.element("span", app.id, class: "id")
        if let outcome = app.lastCheckIn?.outcome { try IMELogHTML.pill(outcome, into: &out) }
        try out.raw("</summary><div class=\"body\">\n")
        try facts(app, report: report, into: &out)
        for (index, checkIn) in app.checkIns.enumerated() {
            try self.checkIn(checkIn, number: index + 1, isLast: index == app.checkIns.count - 1, report: report, findings: findings, into: &out)
        }
        if app.checkIns.isEmpty { try out.raw("<p class=\"muted\">Named in the policies; no check-in processed it in these logs.</p>") }
        try out.raw("</div></details>\n")
    }

    private static func facts(_ app: IMEApp, report: IMELogReport, into out: inout HTMLOutput) throws {
        var rows: [(String, String, Bool)] = []  // label, value, monospace
        rows.append(("Version", app.version ?? "?", false))
        rows.append(("Intent", app.intent.map(IMEApp.intentWord) ?? "?", false))
        if let v = app.installCommand { rows.append(("Install", v, true)) }
        if let v = app.uninstallCommand { rows.append(("Uninstall", v, true)) }
        if let v = app.installContext { rows.append(("Context", v, false)) }
        if !app.detectionTypes.isEmpty { rows.append(("Detection", app.detectionTypes.map(detectionWord).joined(separator: ", "), false)) }
        if let retries = app.maxRetries {
            rows.append(("Retries", "\(retries) every \(app.retryIntervalMinutes.map { "\($0) min" } ?? "?"), maximum run time \(app.maxRunTimeMinutes.map { "\($0) min" } ?? "?")", false))
        }
        if !app.dependencies.isEmpty {
            rows.append(("Depends on", app.dependencies.map { id in report.apps.first { $0.id == id }?.name.map { "\($0) (\(id))" } ?? id }.joined(separator: ", "), false))
        }
        if !app.supersedes.isEmpty { rows.append(("Supersedes", app.supersedes.joined(separator: ", "), false)) }
        if !app.grsSkips.isEmpty { rows.append(("GRS skips", "\(app.grsSkips.count) check-in line\(app.grsSkips.count == 1 ? "" : "s") say the app is in GRS and will not be enforced", false)) }
        try out.raw("<dl class=\"facts\">")
        for (label, value, mono) in rows {
            try out.raw("<dt>\(label)</dt><dd>")
            if mono { try out.element("code", IMELogHTML.cut(value, IMELogHTML.maximumText)) } else { try out.text(value) }
            try out.raw("</dd>")
        }
        try out.raw("</dl>\n")
    }

    private static func checkIn(_ checkIn: IMECheckIn, number: Int, isLast: Bool, report: IMELogReport, findings: [IMEFinding],
                                into out: inout HTMLOutput) throws {
        let outcome = checkIn.outcome
        let session = checkIn.session.flatMap { s in report.sessions.first { $0.number == s } }
        try out.raw("<details class=\"checkin\"\(isLast ? " open" : "")><summary><span class=\"n\">Check-in \(number)</span> ")
        var head: [String] = []
        if let s = checkIn.session { head.append("#\(s)" + (session?.kind.map { " \($0)" } ?? "")) }
        if let r = checkIn.reason { head.append(r) }
        if let e = checkIn.espPhase { head.append("ESP \(e)") }
        head.append("thread \(checkIn.thread.map(String.init) ?? "?")")
        if let start = checkIn.start { head.append(start.description) }
        if let d = checkIn.durationSeconds { head.append(IMELogText.duration(d)) }
        if let parent = checkIn.dependencyOf { head.append("as a dependency of \(parent)") }
        try out.text("· " + head.joined(separator: " · ") + " ")
        try IMELogHTML.pill(outcome, into: &out)
        try out.text(IMELogText.resultText(outcome))
        try out.raw("</summary><div class=\"inner\">\n")
        try IMELogHTMLTimeline.strip(checkIn, findings: findings, into: &out)
        if let d = checkIn.download { try download(d, checkIn: checkIn, into: &out) }
        if let g = checkIn.grs, let retry = g.earliestRetryUTC {
            try out.raw("<p class=\"download\"><b>GRS</b> ")
            try out.text("\(g.value ?? "?"): next try after \(IMEFindings.utcText(retry)) UTC")
            try out.raw("</p>")
        }
        try phases(checkIn.phases, into: &out)
        try out.raw("</div></details>\n")
    }

    private static func download(_ d: IMEDownload, checkIn: IMECheckIn, into out: inout HTMLOutput) throws {
        var parts: [String] = [d.mode ?? "mode not logged"]
        if d.cacheFound { parts.append("content found in the cache") }
        if let done = d.bytesDone { parts.append(IMEBytes.size(done) + (d.totalBytes.map { " of \(IMEBytes.size($0))" } ?? "")) }
        if let rate = d.bytesPerSecond { parts.append("\(IMEBytes.size(UInt64(rate)))/s") }
        if let ms = d.milliseconds { parts.append("took \(IMELogText.duration(ms / 1000))") }
        if let stall = d.longestStall(until: d.timedOut ? checkIn.end : nil, minimumSeconds: IMEFindings.stallSeconds) {
            parts.append("stalled \(IMELogText.duration(stall.to.localSeconds - stall.from.localSeconds)) at \(IMEBytes.size(stall.bytes)) from \(stall.from)")
        }
        if d.failed { parts.append("failed") }
        if d.timedOut { parts.append("timed out") }
        if d.inBackground { parts.append("continuing in the background") }
        if let status = d.actionStatus { parts.append("action status \(status)") }
        try out.raw("<p class=\"download\"><b>Download</b> ")
        try out.text(parts.joined(separator: " · "))
        if let url = d.url { try out.raw("<br><span class=\"muted\">from</span> "); try out.element("code", IMELogHTML.cut(url, 400)) }
        try out.raw("</p>\n")
    }

    private static func phases(_ phases: [IMEPhase], into out: inout HTMLOutput) throws {
        guard !phases.isEmpty else { return }
        try out.raw("<table class=\"phases\"><thead><tr><th>Time</th><th>+</th><th>Step</th><th>Detail</th><th>Line</th></tr></thead><tbody>\n")
        var previous: LogTimestamp?
        for phase in phases {
            let delta = previous.flatMap { p in phase.time.map { $0.localSeconds - p.localSeconds } }
            try out.raw("<tr><td class=\"t\">"); try out.text(phase.time?.description ?? "")
            try out.raw("</td><td class=\"d\">"); try out.text(delta.map { $0 >= 1 ? "+" + IMELogText.duration($0) : "" } ?? "")
            try out.raw("</td><td class=\"k\"><i class=\"\(IMEPhaseCategory(phase.kind).cssClass)\"></i>\(phase.kind.rawValue)</td><td class=\"x\">")
            try out.text(IMELogHTML.cut(phase.detail, IMELogHTML.maximumText))
            try out.raw("</td><td class=\"src\">"); try out.text("\(IMELogHTML.fileName(phase.evidence.source)):\(phase.evidence.line)")
            try out.raw("</td></tr>\n")
            previous = phase.time ?? previous
        }
        try out.raw("</tbody></table>\n")
    }

    /// IME's detection rule types by name.
    static func detectionWord(_ type: Int) -> String {
        switch type {
        case 1: return "MSI"
        case 2: return "file"
        case 3: return "script"
        case 4: return "registry"
        default: return "type \(type)"
        }
    }
}
