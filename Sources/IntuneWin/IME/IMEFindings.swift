import Foundation

/// Derives findings from app timelines.
public enum IMEFindings {
    /// Seconds between the failed post-install detection and the IMECache deletion that still count as the race.
    public static let raceWindow = 60.0

    /// Findings per app attempt, then device-level ones from lines no app could be tied to.
    public static func find(in apps: [IMEApp], unattributed: [IMEPhase] = []) -> [IMEFinding] {
        var out = perApp(apps)
        do {
            let timeouts = unattributed.filter { $0.kind == .timeout }
            if !timeouts.isEmpty {
                out.append(IMEFinding(kind: .timeout, appID: nil,
                    summary: "an installer ran into IME's time limit (0x87D300C9) and IMECache was left in place; the lines name no app",
                    suggestion: "check for an interactive prompt or a hung child process", evidence: timeouts.map(\.evidence)))
            }
            let failures = unattributed.filter { $0.kind == .downloadFailure }
            if !failures.isEmpty {
                out.append(IMEFinding(kind: .downloadFailure, appID: nil, summary: "a content download failed; the lines name no app",
                    suggestion: "check Delivery Optimization / proxy access to *.manage.microsoft.com", evidence: failures.map(\.evidence)))
            }
        }
        return out
    }

    private static func perApp(_ apps: [IMEApp]) -> [IMEFinding] {
        var out: [IMEFinding] = []
        for app in apps {
            let label = app.name.map { "\($0) (\(app.id))" } ?? app.id
            for attempt in app.attempts {
                let ev = { (kinds: [IMEPhase.Kind]) in attempt.phases.filter { kinds.contains($0.kind) }.map(\.evidence) }
                let success = attempt.exitCodeMapping?.lowercased() == "success" || (attempt.exitCode == 0 && attempt.exitCodeMapping != "unmapped")
                if success, attempt.detectedAfter == false, let detection = attempt.last(.detectionAfter), let cleanup = attempt.last(.cleanupIMECache),
                   let a = detection.time?.localSeconds, let b = cleanup.time?.localSeconds, b >= a, b - a <= raceWindow {
                    out.append(IMEFinding(kind: .cleanerRace, appID: app.id,
                        summary: "\(label): the installer exited with success but the app was not detected afterwards, and IMECache was deleted \(Int((b - a).rounded())) s later: a launcher or chained installer likely lost its files",
                        suggestion: "repack in nested-zip mode (a launcher that expands the payload to a persistent folder) so the setup runs from a persistent copy",
                        evidence: ev([.install, .exitCode, .detectionAfter, .cleanupIMECache])))
                }
                if attempt.exitCodeMapping == "unmapped", let code = attempt.exitCode {
                    let meaning = ExitCodeMeaning(code)
                    // A crash code is never advice to map to success.
                    let suggestion = meaning.isCrash
                        ? "the installer crashed (\(meaning.name ?? meaning.hex)): do not map this code; run the install command as IME does (SYSTEM, no desktop, from the cache folder) to see why"
                        : "add \(code) to the app's return codes if it means success, retry or reboot"
                    out.append(IMEFinding(kind: .unmappedExitCode, appID: app.id,
                        summary: "\(label): exit code \(code) (\(meaning.description)) has no return-code mapping; IME reports \(attempt.hresult.map(hex) ?? "an error")",
                        suggestion: suggestion,
                        evidence: ev([.exitCode])))
                }
                if attempt.timedOut {
                    out.append(IMEFinding(kind: .timeout, appID: app.id,
                        summary: "\(label): the installer ran into IME's time limit (0x87D300C9); IMECache was left in place",
                        suggestion: "check for an interactive prompt or a hung child process; raise the maximum run time if the install is just slow",
                        evidence: ev([.timeout])))
                }
                if attempt.downloadFailed {
                    let fallback = attempt.first(.cdnFallback) != nil
                    out.append(IMEFinding(kind: fallback ? .downloadFallback : .downloadFailure, appID: app.id,
                        summary: fallback ? "\(label): the Delivery Optimization download failed and IME fell back to the CDN" : "\(label): the content download failed",
                        suggestion: "check Delivery Optimization / proxy access to *.manage.microsoft.com",
                        evidence: ev([.downloadFailure, .cdnFallback, .decryption])))
                }
                let failed = attempt.detectedAfter == false || attempt.exitCodeMapping == "unmapped" || attempt.downloadFailed
                if attempt.cacheFound, failed {
                    out.append(IMEFinding(kind: .cacheHitThenFailure, appID: app.id,
                        summary: "\(label): IME reused cached content (skip downloading) and the attempt then failed; the cached copy may be stale or damaged",
                        suggestion: "delete the app's folder under IMECache and Content\\Incoming and retry",
                        evidence: attempt.phases.filter { $0.detail.contains("cache found") }.map(\.evidence)))
                }
            }
            if let lastSkip = app.grsSkips.last {
                let laterInstall = app.attempts.contains { a in a.phases.contains { p in p.kind == .install && p.time != nil && lastSkip.time != nil && p.time! > lastSkip.time! } }
                if !laterInstall {
                    out.append(IMEFinding(kind: .stuckInGRS, appID: app.id,
                        summary: "\(label): the app is in GRS (a failed attempt within 24 hours) and is not enforced",
                        suggestion: "wait for the GRS window to expire or clear the app's GRS entry on the device",
                        evidence: app.grsSkips))
                }
            }
        }
        return out
    }

    /// `0x80070643` for an HRESULT.
    public static func hex(_ value: Int32) -> String {
        let s = String(UInt32(bitPattern: value), radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: max(0, 8 - s.count)) + s
    }
}
