import Foundation

/// Derives findings from the apps' check-ins: each names the app, says what happened in one sentence, what
/// to do next, and quotes the lines that show it.
public enum IMEFindings {
    /// Seconds between the failed post-install detection and the IMECache deletion that still count as the race.
    public static let raceWindow = 60.0
    /// A download that made no progress for this long (seconds) is reported as stalled.
    public static let stallSeconds = 600.0

    /// Findings per app check-in, then device-level ones from lines no app could be tied to.
    public static func find(in report: IMELogReport) -> [IMEFinding] {
        var out: [IMEFinding] = []
        let fileEnds = Dictionary(report.files.compactMap { f in f.last.map { (f.source, $0) } }, uniquingKeysWith: { a, _ in a })
        for app in report.apps { out += merged(perApp(app, fileEnds: fileEnds, logStart: report.span?.first)) }
        let timeouts = report.unattributed.filter { $0.kind == .timeout }
        if !timeouts.isEmpty {
            out.append(IMEFinding(kind: .timeout, appID: nil,
                summary: "an installer ran into IME's time limit (0x87D300C9) and IMECache was left in place; the lines name no app",
                suggestion: "check for an interactive prompt or a hung child process", evidence: timeouts.map(\.evidence)))
        }
        let failures = report.unattributed.filter { $0.kind == .downloadFailure || $0.kind == .downloadTimeout }
        if !failures.isEmpty {
            out.append(IMEFinding(kind: .downloadFailure, appID: nil, summary: "a content download failed or timed out; the lines name no app",
                suggestion: "check Delivery Optimization and proxy access to *.manage.microsoft.com and the CDN", evidence: failures.map(\.evidence)))
        }
        out += diagnosticsFindings(report)
        // IME of 2023 onward writes its Win32 app lines to AppWorkload.log: an agent log without it says nothing about apps.
        let names = report.files.map { fileName($0.source).lowercased() }
        if report.apps.isEmpty, !names.contains(where: { $0.hasPrefix("appworkload") }),
           let agent = report.files.first(where: { fileName($0.source).lowercased().hasPrefix("intunemanagementextension") }) {
            out.append(IMEFinding(kind: .evidenceMissing, appID: nil,
                summary: "no Win32 app appears, and no AppWorkload.log was read: IME versions of 2023 onward write Win32 app lines there, not in \(fileName(agent.source))",
                suggestion: "collect the whole Logs folder (C:\\ProgramData\\Microsoft\\IntuneManagementExtension\\Logs) or the device's diagnostics zip",
                evidence: []))
        }
        return out
    }

    /// `find(in:)` for apps alone (tests, callers without a whole report).
    public static func find(in apps: [IMEApp], unattributed: [IMEPhase] = []) -> [IMEFinding] {
        find(in: IMELogReport(apps: apps, findings: [], recordCount: 0, fragmentCount: 0, unattributed: unattributed))
    }

    /// Findings of one app that say the same thing (a filter that excludes the app at every check-in) as one,
    /// with the evidence of each (up to `evidenceLimit` lines).
    static func merged(_ findings: [IMEFinding]) -> [IMEFinding] {
        var out: [IMEFinding] = []
        for f in findings {
            if let i = out.firstIndex(where: { $0.kind == f.kind && $0.appID == f.appID && $0.summary == f.summary }) {
                for e in f.evidence where out[i].evidence.count < evidenceLimit && !out[i].evidence.contains(e) { out[i].evidence.append(e) }
            } else {
                out.append(f)
            }
        }
        return out
    }

    /// Evidence lines kept for one finding.
    public static let evidenceLimit = 12

    private static func perApp(_ app: IMEApp, fileEnds: [String: LogTimestamp], logStart: LogTimestamp?) -> [IMEFinding] {
        var out: [IMEFinding] = []
        let label = app.label
        for checkIn in app.checkIns {
            let ev = { (kinds: [IMEPhase.Kind]) in checkIn.phases.filter { kinds.contains($0.kind) }.map(\.evidence) }
            func add(_ kind: IMEFinding.Kind, _ summary: String, _ suggestion: String?, _ evidence: [IMEEvidence]) {
                out.append(IMEFinding(kind: kind, appID: app.id, summary: "\(label): \(summary)", suggestion: suggestion,
                                      evidence: evidence.isEmpty ? Array(checkIn.phases.suffix(1).map(\.evidence)) : evidence))
            }
            let outcome = checkIn.outcome
            let mapping = checkIn.exitCodeMapping?.lowercased()
            // The cleaner race: success, not detected, IMECache deleted within the window.
            if outcome.kind == .installedNotDetected, let detection = checkIn.last(.detectionAfter), let cleanup = checkIn.last(.cleanupIMECache),
               let a = detection.time?.localSeconds, let b = cleanup.time?.localSeconds, b >= a, b - a <= raceWindow {
                add(.cleanerRace, "the installer exited with success but the app was not detected afterwards, and IMECache was deleted \(Int((b - a).rounded())) s later: a launcher or chained installer likely lost its files",
                    "repack in nested-zip mode (a launcher that expands the payload to a persistent folder) so the setup runs from a persistent copy",
                    ev([.install, .exitCode, .detectionAfter, .cleanupIMECache]))
            } else if outcome.kind == .installedNotDetected {
                add(.installedNotDetected, "the install reported success but the detection rules do not find the app (0x87D1041C)",
                    "compare the detection rule with what the installer really writes (path, version, product code, registry value, 32/64-bit view); a launcher that exits before its child finishes looks like this too",
                    ev([.exitCode, .detectionAfter, .reporting]))
            }
            if let code = checkIn.exitCode {
                let meaning = ExitCodeMeaning(code)
                let hresult = checkIn.hresult.map(hex) ?? "an error"
                if meaning.isCrash {
                    add(.crash, "the installer crashed: exit code \(code) (\(meaning.description)); IME reports \(hresult)",
                        "do not map this code: run the install command as IME does (SYSTEM, no desktop, from the IMECache folder, e.g. with psexec -s) to see why it crashes",
                        ev([.install, .exitCode]))
                } else if mapping == "unmapped" || mapping == "failed" || (mapping == nil && outcome.kind == .failed) {
                    add(mapping == "unmapped" ? .unmappedExitCode : .installFailed,
                        "exit code \(code) (\(meaning.description))" + (mapping == "unmapped" ? " has no return-code mapping" : " is a failure") + "; IME reports \(hresult)",
                        failureAdvice(code, app: app), ev([.install, .exitCode]))
                }
            }
            if checkIn.timedOut {
                add(.timeout, "the installer ran into IME's time limit (0x87D300C9\(app.maxRunTimeMinutes.map { ", maximum run time \($0) min" } ?? "")); IMECache was left in place",
                    "check for an interactive prompt or a hung child process; raise the maximum run time if the install is just slow", ev([.timeout]))
            }
            if let download = checkIn.download {
                let progress = download.bytesDone.map { b in " at \(IMEBytes.size(b))" + (download.totalBytes.map { " of \(IMEBytes.size($0))" } ?? "") } ?? ""
                if download.timedOut {
                    add(.downloadTimedOut, "IME stopped waiting for the \(download.mode ?? "content") download\(progress)" + (download.inBackground ? "; Delivery Optimization goes on in the background and IME checks again at the next check-in" : ""),
                        "check Delivery Optimization (Get-DeliveryOptimizationStatus, DO download mode and bandwidth policies), proxy access to the CDN, and the device's connection; a large app on a slow link needs several check-ins",
                        ev([.downloadProgress, .downloadTimeout, .download]))
                } else if download.failed {
                    let fallback = checkIn.first(.cdnFallback) != nil
                    add(fallback ? .downloadFallback : .downloadFailure, fallback ? "the Delivery Optimization download failed and IME fell back to the CDN" : "the content download failed",
                        "check Delivery Optimization and proxy access to *.manage.microsoft.com and the CDN", ev([.downloadFailure, .cdnFallback, .decryption]))
                }
                if let stall = download.longestStall(until: download.timedOut ? checkIn.end : nil, minimumSeconds: stallSeconds) {
                    let minutes = Int(((stall.to.localSeconds - stall.from.localSeconds) / 60).rounded())
                    add(.downloadStalled, "the download made no progress for \(minutes) min at \(IMEBytes.size(stall.bytes))" + (download.totalBytes.map { " of \(IMEBytes.size($0))" } ?? "") + " (\(stall.from) to \(stall.to))",
                        "check Delivery Optimization peers and the CDN reachability; a stalled DO job is retried at the next check-in",
                        ev([.downloadProgress, .downloadTimeout]))
                }
                if download.cacheFound, outcome.isFailure {
                    add(.cacheHitThenFailure, "IME reused cached content (skip downloading) and the check-in then failed; the cached copy may be stale or damaged",
                        "delete the app's folder under IMECache and Content\\Incoming and retry", checkIn.phases.filter { $0.detail.contains("cache found") }.map(\.evidence))
                }
            }
            if let reason = checkIn.notApplicable {
                add(.notApplicable, "not applicable (\(reason)); IME does not install it on this device",
                    reason.contains("filter") ? "check the assignment's filter rules against this device's properties (Intune: Apps > the app > Device install status, and Tenant admin > Filters)" : "check the app's requirement rules (OS version, architecture, disk, memory, script) against this device",
                    ev([.notApplicable]))
            }
            if let reason = checkIn.aborted {
                add(.processingAborted, "IME aborted processing: \(reason)",
                    "a detection rule that flips between checks (or a dependency in an unexpected state) does this; check the app's and its dependencies' detection rules", ev([.aborted]))
            }
        }
        // GRS: the latest check-in says the app waits, and no later install happened.
        if let latest = app.checkIns.last(where: { $0.grs?.expired != nil || $0.first(.grsSkip) != nil }), latest.grs?.expired == false {
            let laterInstall = app.checkIns.contains { c in c.first(.install) != nil && (c.start.map { s in latest.start.map { s > $0 } ?? false } ?? false) }
            if !laterInstall {
                let retry = latest.grs?.earliestRetryUTC.map { " IME tries again at its first check-in after \(utcText($0)) UTC (GRS time + 24 h)." } ?? ""
                out.append(IMEFinding(kind: .stuckInGRS, appID: app.id,
                    summary: "\(app.label): the app is in GRS (a failed attempt within 24 hours) and is not enforced." + retry,
                    suggestion: "wait for the GRS window to expire, or fix the cause of the earlier failure and restart the IntuneManagementExtension service after removing the app's GRS entry",
                    evidence: latest.phases.filter { $0.kind == .grs || $0.kind == .grsSkip }.map(\.evidence) + app.grsSkips.suffix(3)))
            }
        }
        // History cut by rotation: the first check-in starts past its beginning, or the last one stops mid-flow at the end of the logs.
        let midFlow: Set<IMEPhase.Kind> = [.downloadProgress, .download, .hashValidation, .decryption, .unzip, .install, .exitCode, .detectionAfter, .cleanupIMECache]
        if let first = app.checkIns.first, let kind = first.phases.first(where: { $0.kind != .policyReceived })?.kind, midFlow.contains(kind),
           let t = first.start, let logStart, t.localSeconds - logStart.localSeconds < 600 {
            out.append(IMEFinding(kind: .historyIncomplete, appID: app.id,
                summary: "\(app.label): the logs begin in the middle of a check-in (at \(kind.rawValue)); what came before rotated out",
                suggestion: "collect the older log generations (AppWorkload-*.log, IntuneManagementExtension-*.log) or the device's diagnostics zip",
                evidence: [first.phases[0].evidence]))
        }
        // A check-in cut off where its log file ends (rotated, or the end of what was collected) while IME was still working.
        for checkIn in app.checkIns {
            guard let lastPhase = checkIn.phases.last, let t = lastPhase.time, let fileEnd = fileEnds[lastPhase.evidence.source],
                  fileEnd.localSeconds - t.localSeconds < 120, [.inProgress, .downloading, .unknown].contains(checkIn.outcome.kind),
                  checkIn.first(.install) != nil || checkIn.download != nil else { continue }
            out.append(IMEFinding(kind: .historyIncomplete, appID: app.id,
                summary: "\(app.label): the check-in of \(checkIn.start?.description ?? "?") is cut off where \(fileName(lastPhase.evidence.source)) ends, while IME was still working on the app (\(checkIn.outcome.text))",
                suggestion: "collect the next log generation (the rotated file after it) or the logs again later: the result is written when the step ends",
                evidence: [lastPhase.evidence]))
        }
        return out
    }

    /// Logs that could not be read to their end: the report stops there for them.
    public static func readFailureFindings(_ failures: [String]) -> [IMEFinding] {
        failures.map { failure in
            IMEFinding(kind: .evidenceMissing, appID: nil, summary: "a log could not be read to its end; what was read before is reported: \(failure)",
                       suggestion: "copy the log again from the device (a damaged zip entry or a truncated file)", evidence: [])
        }
    }

    /// Evidence missing from a diagnostics collection, and what the registry says that the logs do not.
    static func diagnosticsFindings(_ report: IMELogReport) -> [IMEFinding] {
        var out: [IMEFinding] = []
        for collection in report.diagnostics {
            let zip = fileName(collection.path)
            let missing = collection.evidence.filter { !$0.present }
            if !missing.isEmpty {
                let what = missing.map { e in
                    DiagnosticsText.evidenceName(e.kind) + (e.failures.isEmpty ? "" : " (" + e.failures.map(DiagnosticsCollection.hex).joined(separator: ", ") + ")")
                }
                out.append(IMEFinding(kind: .evidenceMissing, appID: nil,
                    summary: "\(zip) lacks \(what.joined(separator: "; "))",
                    suggestion: missing.contains { $0.kind == .imeLogs }
                        ? "collect diagnostics again (the device must be online and IME running), or copy C:\\ProgramData\\Microsoft\\IntuneManagementExtension\\Logs from the device"
                        : "collect diagnostics again if you need it; what is there is read",
                    evidence: missing.flatMap(\.items).map { item in
                        IMEEvidence(source: collection.path, line: 0, time: nil, thread: nil,
                                    text: "(\(item.number)) \(item.kind) \(item.target)" + (item.failure.map { " failed: \(DiagnosticsCollection.hex($0))" } ?? " not collected"))
                    }))
            }
            // An app IME's registry records as failed while no check-in in the logs shows it.
            for state in collection.registry.apps where (state.enforcementState ?? 0) / 1000 == 5 {
                let id = state.appId.lowercased()
                guard let app = report.apps.first(where: { $0.id == id }), app.checkIns.isEmpty else { continue }
                let code = state.enforcementErrorCode.map { IMEFindings.hex(Int32(truncatingIfNeeded: $0)) }
                out.append(IMEFinding(kind: .installFailed, appID: id,
                    summary: "\(app.label): IME's registry records enforcement state \(state.enforcementState!) (error)" + (code.map { " with \($0)" } ?? "") + "; no check-in in these logs shows it (its lines rotated away)",
                    suggestion: "collect older log generations, or trigger a new check-in (sync in the Company Portal or restart the IntuneManagementExtension service) and collect again",
                    evidence: [IMEEvidence(source: collection.path, line: 0, time: nil, thread: nil,
                                           text: "Win32Apps\\\(state.userId)\\\(state.appId)_\(state.revision ?? 1): EnforcementStateMessage EnforcementState \(state.enforcementState!)" + (code.map { ", ErrorCode \($0)" } ?? ""))]))
            }
            for problem in collection.problems {
                out.append(IMEFinding(kind: .evidenceMissing, appID: nil, summary: "\(zip): \(problem)", suggestion: nil, evidence: []))
            }
        }
        return out
    }

    /// What to look at next for a failing exit code: never to map a failure to success.
    static func failureAdvice(_ code: UInt32, app: IMEApp) -> String {
        switch code {
        case 1603: return "1603 is Windows Installer's fatal error: read the MSI log (add /l*v \"%ProgramData%\\\\IntuneWin\\\\msi.log\" to the install command) and the Application event log (MsiInstaller events)"
        case 1618: return "another installation was running: map 1618 to Retry in the app's return codes (Intune's default does)"
        case 1619, 1620, 2, 3: return "the installer did not find its files: check the setup file name and the command's relative paths (IME runs it from the IMECache folder)"
        case 1625: return "a policy blocks the install: check AppLocker / software restriction policies"
        case 1638: return "another version is already installed: add an uninstall of the old version, a supersedence, or a detection rule that accepts it"
        case 5: return "access denied: check the install context (system or user) and what the installer writes"
        default:
            return "look up the installer vendor's exit codes; run the install command as IME does (SYSTEM, no desktop, from the IMECache folder) to reproduce; map the code in the app's return codes only if the vendor documents it as success, retry or reboot"
        }
    }

    static func fileName(_ source: String) -> String { source.split(separator: "/").last.map(String.init) ?? source }

    /// `0x80070643` for an HRESULT.
    public static func hex(_ value: Int32) -> String {
        let s = String(UInt32(bitPattern: value), radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: max(0, 8 - s.count)) + s
    }

    /// `2026-03-18 19:43:28` for a UTC date.
    static func utcText(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }
}
