import Foundation

/// The report as text lines for a terminal: a summary table of the apps first (name, version, intent, last
/// result with its decoded error, last check-in, its duration, findings), then each app's check-ins with
/// phase times and download throughput, then the findings with their evidence lines (`file:line`), then
/// what was understood. Lines are plain text; the caller escapes control characters where it prints them.
public enum IMELogText {
    /// The whole report.
    public static func lines(_ report: IMELogReport, verbose: Bool = false) -> [String] {
        var out: [String] = []
        let apps = report.apps
        out.append("\(count(report.recordCount, "record")), \(count(report.fragmentCount, "damaged fragment")), \(count(apps.count, "app")), \(count(report.sessions.count, "check-in")), \(count(report.findings.count, "finding"))")
        if let span = report.span { out.append("logs span \(span.first) to \(span.last) (\(report.timeZoneNote))") }
        if !report.coverage.agentVersions.isEmpty { out.append("IME agent \(report.coverage.agentVersions.joined(separator: ", "))") }
        out += DiagnosticsText.collectionLines(report)
        out.append("")
        out += summaryTable(report)
        let registry = report.registry
        for app in apps {
            out.append("")
            out += appLines(app, report: report, registry: registry)
        }
        for finding in report.findings {
            out.append("")
            out.append("FINDING \(finding.kind.rawValue): \(finding.summary)")
            if let suggestion = finding.suggestion { out.append("  next: \(suggestion)") }
            for e in finding.evidence { out.append("  \(evidenceLine(e))") }
        }
        out.append("")
        out += coverageLines(report.coverage, verbose: verbose)
        return out
    }

    /// `1 app`, `2 apps`.
    public static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    /// `AppWorkload.log:501  2026-03-24 11:54:39.217  <text>`.
    public static func evidenceLine(_ e: IMEEvidence) -> String {
        "\(fileName(e.source)):\(e.line)  \(e.time?.description ?? "")  \(e.text)"
    }

    /// For an app no check-in processed: what IME's registry says (`registry: error 0x87D1041C`).
    static func registryResult(_ app: IMEApp, _ registry: IMERegistryFacts) -> String? {
        guard let state = registry.apps.last(where: { $0.appId.lowercased() == app.id }), let e = state.enforcementState else { return nil }
        return "registry: \(IMERegistryFacts.enforcementStateName(e))" + (state.enforcementErrorCode.map { " \(IMEFindings.hex(Int32(truncatingIfNeeded: $0)))" } ?? "")
    }

    /// The summary table: one row per app.
    static func summaryTable(_ report: IMELogReport) -> [String] {
        let registry = report.registry
        guard !report.apps.isEmpty else { return ["no Win32 app in these logs"] }
        let findingsByApp = Dictionary(grouping: report.findings.compactMap { f in f.appID.map { ($0, f) } }, by: \.0)
        var rows: [[String]] = [["APP", "VERSION", "INTENT", "LAST RESULT", "LAST CHECK-IN", "DURATION", "FINDINGS"]]
        for app in tableOrder(report.apps, findings: findingsByApp.mapValues { $0.count }) {
            let last = app.lastCheckIn
            let findings = findingsByApp[app.id].map { list in Set(list.map { $0.1.kind.rawValue }).sorted().joined(separator: ",") } ?? ""
            rows.append([cut(app.name ?? app.id, 40), app.version ?? "", app.intent.map(IMEApp.intentWord) ?? "",
                         cut(last.map { resultText($0.outcome) } ?? registryResult(app, registry) ?? "not processed", 60), last?.start?.description.prefix(19).description ?? "",
                         last?.durationSeconds.map(duration) ?? "", findings])
        }
        let widths = rows[0].indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { row in row.enumerated().map { c, cell in c == row.count - 1 ? cell : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0) }.joined(separator: "  ").trimmingCharacters(in: .whitespaces) }
    }

    /// Apps with failures first, then apps with findings, then by their last check-in, newest first.
    public static func tableOrder(_ apps: [IMEApp], findings: [String: Int]) -> [IMEApp] {
        apps.enumerated().sorted { a, b in
            let fa = a.element.lastCheckIn?.outcome.isFailure == true, fb = b.element.lastCheckIn?.outcome.isFailure == true
            if fa != fb { return fa }
            let ha = (findings[a.element.id] ?? 0) > 0, hb = (findings[b.element.id] ?? 0) > 0
            if ha != hb { return ha }
            let ta = a.element.lastCheckIn?.start, tb = b.element.lastCheckIn?.start
            if ta != tb { return (ta.map { t in tb.map { t > $0 } ?? true }) ?? false }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// An app's header and its check-ins.
    static func appLines(_ app: IMEApp, report: IMELogReport, registry: IMERegistryFacts) -> [String] {
        var out: [String] = []
        out.append("app \(app.id)  \(app.name ?? "(name not logged)")  version \(app.version ?? "?")  intent \(app.intent.map(IMEApp.intentWord) ?? "?")")
        if let command = app.installCommand { out.append("  install: \(command)  (context \(app.installContext ?? "?"))") }
        if let retries = app.maxRetries { out.append("  retries: \(retries) every \(app.retryIntervalMinutes.map { "\($0) min" } ?? "?"), maximum run time \(app.maxRunTimeMinutes.map { "\($0) min" } ?? "?")") }
        if !app.dependencies.isEmpty { out.append("  depends on: " + app.dependencies.map { id in report.apps.first { $0.id == id }?.name.map { "\($0) (\(id))" } ?? id }.joined(separator: ", ")) }
        if !app.supersedes.isEmpty { out.append("  supersedes: " + app.supersedes.joined(separator: ", ")) }
        out += DiagnosticsText.appLines(app, registry: registry)
        for (n, checkIn) in app.checkIns.enumerated() {
            let session = checkIn.session.flatMap { s in report.sessions.first { $0.number == s } }
            var head = "  check-in \(n + 1)"
            if let s = checkIn.session { head += " (#\(s)" + (session?.kind.map { ", \($0)" } ?? "") + (checkIn.reason.map { ", \($0)" } ?? "") + (checkIn.espPhase.map { ", ESP \($0)" } ?? "") + ")" }
            head += " thread \(checkIn.thread.map(String.init) ?? "?")"
            if let start = checkIn.start { head += ", \(start)" }
            if let d = checkIn.durationSeconds { head += ", \(duration(d))" }
            if let parent = checkIn.dependencyOf { head += ", as a dependency of \(parent)" }
            head += ": " + resultText(checkIn.outcome)
            out.append(head)
            var previous: LogTimestamp?
            for phase in checkIn.phases {
                let delta = previous.flatMap { p in phase.time.map { t in t.localSeconds - p.localSeconds } }.map { $0 >= 1 ? " +" + duration($0) : "" } ?? ""
                out.append("    \(phase.time?.description ?? String(repeating: " ", count: 23))  \(phase.kind.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)) \(phase.detail)\(delta)")
                previous = phase.time ?? previous
            }
            if let d = checkIn.download {
                var text = "    download: \(d.mode ?? "?")"
                if let done = d.bytesDone { text += ", \(IMEBytes.size(done))" + (d.totalBytes.map { " of \(IMEBytes.size($0))" } ?? "") }
                if let rate = d.bytesPerSecond { text += ", \(IMEBytes.size(UInt64(rate)))/s" }
                if let stall = d.longestStall(until: d.timedOut ? checkIn.end : nil, minimumSeconds: IMEFindings.stallSeconds) {
                    text += ", stalled \(duration(stall.to.localSeconds - stall.from.localSeconds)) at \(IMEBytes.size(stall.bytes))"
                }
                if d.timedOut { text += ", timed out" }
                if d.inBackground { text += ", continuing in the background" }
                out.append(text)
            }
            if let g = checkIn.grs, let retry = g.earliestRetryUTC {
                let local = report.utcOffset.map { " (\(IMEFindings.utcText(retry.addingTimeInterval(Double($0.seconds)))) device time)" } ?? ""
                out.append("    GRS \(g.value ?? "?") UTC: next try after \(IMEFindings.utcText(retry)) UTC\(local), at the first check-in after it")
            }
        }
        if app.checkIns.isEmpty { out.append("  no check-in processed it in these logs") }
        return out
    }

    static func coverageLines(_ coverage: IMECoverage, verbose: Bool) -> [String] {
        var out = ["coverage: \(coverage.understoodCount) of \(count(coverage.win32RecordCount, "Win32 app line")) understood; \(coverage.notUnderstoodCount) not understood (\(count(coverage.unknownWordingCount, "wording")))"
                   + (coverage.agentVersions.isEmpty ? "; IME agent version not in the logs" : "; IME agent \(coverage.agentVersions.joined(separator: ", "))")]
        if verbose {
            for e in coverage.examples { out.append("  not understood: \(evidenceLine(e))") }
        } else if coverage.unknownWordingCount > 0 {
            out.append("  (--verbose lists examples)")
        }
        return out
    }

    /// A result with its decoded error.
    static func resultText(_ outcome: IMEOutcome) -> String {
        guard let code = outcome.errorCode, !outcome.text.contains(IMEFindings.hex(code)) else { return outcome.text }
        return outcome.text + " [\(IMEFindings.hex(code))]"
    }

    /// `45 ms`, `12 s`, `31 min 5 s`, `2 h 4 min`.
    public static func duration(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min" + (s % 60 == 0 ? "" : " \(s % 60) s") }
        return "\(s / 3600) h" + ((s % 3600) / 60 == 0 ? "" : " \((s % 3600) / 60) min")
    }

    private static func cut(_ text: String, _ width: Int) -> String { text.count <= width ? text : String(text.prefix(width - 1)) + "…" }

    private static func fileName(_ source: String) -> String { source.split(separator: "/").last.map(String.init) ?? source }
}
