import ArgumentParser
import Foundation
import IntuneWin

struct ImeLog: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ime-log",
        abstract: "Read Intune Management Extension logs: what happened to each Win32 app, and why.",
        discussion: """
        PATH is a log file (CMTrace, CMTrace copy export or plain messages) or IME's Logs folder \
        (IntuneManagementExtension*.log, AppWorkload*.log, ... with rotated files read oldest first; a folder \
        without these names is read for every *.log). \
        Prints each app's attempts with their phases and timestamps, then findings with their evidence lines. \
        Exit 1 when there are findings; exit 5 when nothing is found (no IME records, or the --app is not \
        in the logs).
        """
    )

    @Argument(help: ArgumentHelp("Log files or a Logs folder.", valueName: "path"), completion: .file())
    var paths: [String]

    @Option(name: .customLong("app"), help: ArgumentHelp("Only this app id.", valueName: "id"))
    var app: String?

    @OptionGroup var format: OutputFormatOptions

    @Flag(name: .customLong("content-info"), help: "List each app's GetContentInfo reply (upload location, sizes, DecryptInfo recipient).")
    var contentInfo = false

    func run() throws {
        var report = try IMELogAnalyzer.analyze(paths: paths)
        if let app { report = try report.only(app: app) }
        if format.json {
            try Terminal.json(IMELogJSON(report, includeContentInfo: contentInfo))
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
        Terminal.line("app \(app.id)  \(app.name ?? "")  version \(app.version ?? "?")  intent \(app.intent.map(IMEApp.intentName) ?? "?")")
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

    /// UploadLocation, sizes and the DecryptInfo recipient of one GetContentInfo reply.
    private func contentInfoLines(_ record: CMTraceRecord) -> [String] {
        guard let info = IMEContentInfo(record) else { return ["unreadable GetContentInfo reply at \(record.source):\(record.line)"] }
        var lines: [String] = []
        if let v = info.uploadLocation { lines.append("UploadLocation \(v)") }
        if let v = info.originalSize, let bin = info.encryptedSize { lines.append("OriginalSize \(v) bytes (encrypted .bin: \(bin) bytes)") }
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
}
