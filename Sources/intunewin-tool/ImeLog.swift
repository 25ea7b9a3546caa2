import ArgumentParser
import Foundation
import IntuneWin

struct ImeLog: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ime-log",
        abstract: "Read Intune Management Extension logs: what happened to each Win32 app, and why.",
        discussion: """
        PATH is what the device gave you: the Intune portal's Collect diagnostics zip \
        (DiagLogs-<device>-<time>.zip, read in place, both layouts), the folder it was extracted to, IME's Logs \
        folder (C:\\ProgramData\\Microsoft\\IntuneManagementExtension\\Logs), one log file (CMTrace, copy \
        export or plain messages, UTF-8 or UTF-16), or - for standard input. A folder's IME logs \
        (IntuneManagementExtension, AppWorkload, AppActionProcessor, AgentExecutor; rotated generations oldest \
        first) are merged in time order: one app's story spans them all. From a zip it also reads results.xml \
        (what was collected, what failed) and the registry exports (IME's stored app state, installed products).

        The report starts with a table of the apps (last result with its decoded error, last check-in and how \
        long it took, findings), then each app's check-ins (one per pass of IME's poller: GRS, detection, \
        applicability, download with bytes over time, install, exit code, detection after, reporting), then the \
        findings with their next step and evidence lines as file:line, then how many Win32 app lines were \
        understood (--verbose quotes the others). Times are the device's local time as IME writes it; the UTC \
        offset is given when IME's own UTC stamps tell it.

        Walk-through: ime-log DiagLogs-PC-20260324T160000Z.zip (what happened to every app); \
        ime-log DiagLogs-PC-20260324T160000Z.zip --app snagit (one app: an id, an id prefix or part of a name); \
        ime-log DiagLogs-PC-20260324T160000Z.zip --redact --html report.html (a page to attach to a ticket: one \
        self-contained file that loads nothing and runs no script, user, tenant and device ids replaced); \
        ime-log ./Logs --json > report.json (docs/schemas/ime-log.schema.json).

        Exit 0 without findings; 1 with findings; 2 for a usage error; 3 when a path cannot be read (missing, \
        damaged, a zip bomb); 4 when --html or --write-redacted would overwrite without --force; 5 when nothing \
        is found (no IME records, a zip without IME logs, or no app matches --app).
        """
    )

    @Argument(help: ArgumentHelp("A Collect diagnostics zip, a Logs folder (or a folder holding one), log files, or - for standard input.", valueName: "path"), completion: .file())
    var paths: [String]

    @Option(name: .customLong("app"), help: ArgumentHelp("Only apps matching this: an app id, an id prefix or part of the name (case-insensitive).", valueName: "id-or-name"))
    var app: String?

    @OptionGroup var format: OutputFormatOptions

    @OptionGroup var redaction: RedactionOptions

    @Flag(name: .customLong("content-info"), help: "List each app's GetContentInfo reply (upload location, sizes, DecryptInfo recipient).")
    var contentInfo = false

    @Flag(name: [.customShort("v"), .customLong("verbose")], help: "Quote Win32 app lines that were not understood (one per wording, up to 20).")
    var verbose = false

    @Option(name: .customLong("html"), help: ArgumentHelp("Also write the report as one self-contained HTML page to this file (refused if it exists, unless --force).", valueName: "file"), completion: .file(extensions: ["html"]))
    var html: String?

    @OptionGroup var overwrite: OverwriteOptions

    func run() throws {
        if let html { try IMELogHTML.checkTarget(html, overwrite: overwrite.force) }
        var report = try IMELogAnalyzer.analyze(paths: paths)
        if let app { report = try report.only(app: app) }
        var title = paths.joined(separator: ", ")
        if redaction.isRedacting {
            let redactor = try redactor(for: report)
            report = report.redacted(by: redactor)
            title = redactor.redact(title)
        }
        if format.json {
            try Terminal.json(IMELogJSON(report, includeContentInfo: contentInfo, includeExamples: verbose))
        } else {
            for line in IMELogText.lines(report, verbose: verbose) { Terminal.line(line) }
            if contentInfo {
                for app in report.apps {
                    for record in app.contentInfo { for line in contentInfoLines(record) { Terminal.line("content info \(app.id): \(line)") } }
                }
            }
        }
        if let html {
            let written = try IMELogHTML.write(report, title: title, toFile: html, overwrite: overwrite.force)
            Terminal.hint("wrote the HTML report to \(written)")
        }
        if !report.findings.isEmpty { throw ExitCode(1) }
    }

    /// The redactor for this run (app ids of the report and the logs kept); with --write-redacted, the
    /// redacted copies of the log files are written first, with the same placeholders the report gets.
    private func redactor(for report: IMELogReport) throws -> IMERedactor {
        let input = try IMELogInput.resolve(paths)
        let files = input.logs.compactMap { source -> String? in if case .file(let path) = source.location { return path }; return nil }
        var keep = Set(report.apps.map(\.id))
        keep.formUnion(try IMERedactor.appIDs(inFiles: files))
        let redactor = IMERedactor(appIDs: keep)
        if let folder = redaction.writeRedacted {
            guard files.count == input.logs.count else {
                throw IntuneWinError(.usage, path: folder, "--write-redacted copies log files and folders; extract a diagnostics zip (or save standard input to a file) first")
            }
            let written = try IMELogRedaction.writeRedactedCopies(of: files, to: folder, redactor: redactor, overwrite: overwrite.force)
            Terminal.hint("wrote \(written.count) redacted \(written.count == 1 ? "copy" : "copies") to \(folder)")
        }
        return redactor
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
