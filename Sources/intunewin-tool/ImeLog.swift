import ArgumentParser
import Foundation
import IntuneWin

struct ImeLog: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ime-log",
        abstract: "Read Intune Management Extension logs: what happened to each Win32 app, and why.",
        discussion: """
        PATH is a log file (CMTrace, CMTrace copy export or plain messages) or IME's Logs folder \
        (IntuneManagementExtension*.log, AppWorkload*.log, … with rotated files read oldest first). \
        Prints each app's attempts with their phases and timestamps, then findings with their evidence lines. \
        Exit 1 when there are findings.
        """
    )

    @Argument(help: ArgumentHelp("Log files or a Logs folder.", valueName: "path"))
    var paths: [String]

    @Option(name: .customLong("app"), help: ArgumentHelp("Only this app id.", valueName: "id"))
    var app: String?

    @Flag(name: .customLong("json"), help: "Print the report as JSON.")
    var json = false

    @Flag(name: .customLong("content-info"), help: "List each app's GetContentInfo reply (upload location, sizes, DecryptInfo recipient).")
    var contentInfo = false

    func run() throws {
        var report = try IMELogAnalyzer.analyze(paths: paths)
        if let app = app?.lowercased() {
            report.apps = report.apps.filter { $0.id == app }
            report.findings = report.findings.filter { $0.appID == app }
        }
        if json {
            Terminal.json([
                "records": report.recordCount,
                "fragments": report.fragmentCount,
                "apps": report.apps.map(appJSON),
                "findings": report.findings.map(findingJSON),
            ] as [String: Any])
        } else {
            Terminal.line("\(report.recordCount) records, \(report.fragmentCount) damaged fragments, \(report.apps.count) apps")
            for app in report.apps { printApp(app) }
            for finding in report.findings {
                Terminal.line("")
                Terminal.line("FINDING \(finding.kind.rawValue): \(finding.summary)")
                if let suggestion = finding.suggestion { Terminal.line("  suggestion: \(suggestion)") }
                for e in finding.evidence { Terminal.line("  \(e.source.split(separator: "/").last ?? ""):\(e.line)  \(e.time?.description ?? "")  \(e.text)") }
            }
        }
        if !report.findings.isEmpty { throw ExitCode(1) }
    }

    private func printApp(_ app: IMEApp) {
        Terminal.line("")
        Terminal.line("app \(app.id)  \(app.name ?? "")  version \(app.version ?? "?")  intent \(app.intent.map(intentName) ?? "?")")
        if let command = app.installCommand { Terminal.line("  install: \(command)  (context \(app.installContext ?? "?"))") }
        for (n, attempt) in app.attempts.enumerated() {
            var summary = "  attempt \(n + 1) (thread \(attempt.thread.map(String.init) ?? "?"))"
            if let code = attempt.exitCode { summary += ": exit code \(code)" + (attempt.hresult.map { " → \(IMEFindings.hex($0))" } ?? "") + " (\(attempt.exitCodeMapping ?? "no mapping logged"))" }
            Terminal.line(summary)
            for phase in attempt.phases { Terminal.line("    \(phase.time?.description ?? "                       ")  \(padded(phase.kind.rawValue, 16)) \(phase.detail)") }
        }
        if contentInfo { for record in app.contentInfo { for line in contentInfoLines(record) { Terminal.line("  content info: \(line)") } } }
    }

    /// `text` cut or space-padded to `width` characters (`padding(toLength:)` for the ASCII phase names,
    /// without Foundation's UTF-16 round trip on every timeline line).
    private func padded(_ text: String, _ width: Int) -> String {
        let count = text.count
        return count >= width ? String(text.prefix(width)) : text + String(repeating: " ", count: width - count)
    }

    private func intentName(_ intent: Int) -> String {
        switch intent { case 0: return "0 (not targeted)"; case 1: return "1 (available)"; case 3: return "3 (required)"; case 4: return "4 (uninstall)"; default: return "\(intent)" }
    }

    /// UploadLocation, sizes and the DecryptInfo recipient of one GetContentInfo reply.
    private func contentInfoLines(_ record: CMTraceRecord) -> [String] {
        guard let info = IMEContentInfo(record) else { return ["unreadable GetContentInfo reply at \(record.source):\(record.line)"] }
        var lines: [String] = []
        if let v = info.uploadLocation { lines.append("UploadLocation \(v)") }
        if let v = info.originalSize { lines.append("OriginalSize \(v) bytes (encrypted .bin: \((v / 16 + 1) * 16 + 48) bytes)") }
        if let v = info.doFileID { lines.append("DoFileId \(v)") }
        do {
            if let decrypt = try info.decryptInfo() {
                lines.append("DecryptInfo \(decrypt.contentEncryption), needs \(decrypt.neededKey)")
                lines.append("decrypt with: intunewin-tool decrypt --decrypt-info \(record.source) (the reply is at line \(record.line))")
            } else {
                lines.append("no DecryptInfo in the reply")
            }
        } catch {
            lines.append("DecryptInfo unreadable: \(error)")
        }
        return lines
    }

    private func appJSON(_ app: IMEApp) -> [String: Any] {
        var out: [String: Any] = ["id": app.id, "attempts": app.attempts.map(attemptJSON), "detectionTypes": app.detectionTypes]
        if let v = app.name { out["name"] = v }
        if let v = app.version { out["version"] = v }
        if let v = app.intent { out["intent"] = v }
        if let v = app.installCommand { out["installCommand"] = v }
        if let v = app.installContext { out["installContext"] = v }
        if contentInfo { out["contentInfo"] = app.contentInfo.compactMap(IMEContentInfo.init).map(contentInfoJSON) }
        return out
    }

    private func attemptJSON(_ a: IMEAttempt) -> [String: Any] {
        var out: [String: Any] = ["phases": a.phases.map { ["kind": $0.kind.rawValue, "detail": $0.detail, "time": $0.time?.description ?? "", "line": $0.evidence.line] as [String: Any] },
                                  "retries": a.retries, "timedOut": a.timedOut]
        if let v = a.thread { out["thread"] = v }
        if let v = a.exitCode { out["exitCode"] = Int(v) }
        if let v = a.hresult { out["hresult"] = IMEFindings.hex(v) }
        if let v = a.exitCodeMapping { out["exitCodeMapping"] = v }
        if let v = a.processID { out["processId"] = v }
        if let v = a.detectedBefore { out["detectedBefore"] = v }
        if let v = a.detectedAfter { out["detectedAfter"] = v }
        if let v = a.downloadMode { out["downloadMode"] = v }
        if let v = a.downloadBytes { out["downloadBytes"] = NSNumber(value: v) }
        if let v = a.downloadMilliseconds { out["downloadMilliseconds"] = v }
        if let v = a.installContext { out["installContext"] = v }
        if let v = a.installCommand { out["installCommand"] = v }
        return out
    }

    private func contentInfoJSON(_ info: IMEContentInfo) -> [String: Any] {
        var out: [String: Any] = ["source": info.evidence.source, "line": info.evidence.line]
        if let v = info.applicationID { out["applicationId"] = v }
        if let v = info.uploadLocation { out["uploadLocation"] = v }
        if let v = info.originalSize { out["originalSize"] = NSNumber(value: v) }
        if let v = info.doFileID { out["doFileId"] = v }
        if let v = info.decryptInfoXML { out["decryptInfo"] = v }
        if let d = try? info.decryptInfo() {
            out["recipients"] = d.recipientThumbprints
            out["neededKey"] = d.neededKey
            out["contentEncryption"] = d.contentEncryption
        }
        return out
    }

    private func findingJSON(_ f: IMEFinding) -> [String: Any] {
        var out: [String: Any] = ["kind": f.kind.rawValue, "summary": f.summary,
                                  "evidence": f.evidence.map { ["source": $0.source, "line": $0.line, "time": $0.time?.description ?? "", "text": $0.text] as [String: Any] }]
        if let v = f.appID { out["app"] = v }
        if let v = f.suggestion { out["suggestion"] = v }
        return out
    }
}
