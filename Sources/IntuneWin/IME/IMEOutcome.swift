import Foundation

/// The result of one check-in for an app, in a few words, as an admin asks it: did it install, and if not, why.
public struct IMEOutcome: Sendable, Equatable {
    /// Kinds of result, from best to worst.
    public enum Kind: String, Sendable, CaseIterable {
        case installed, alreadyInstalled, uninstalled, noActionRequired, notApplicable, notDue, inGRS,
             downloading, inProgress, downloadTimedOut, downloadFailed, installedNotDetected, failed, crashed, aborted, unknown
    }
    /// Which result.
    public var kind: Kind
    /// What to print ("failed: exit code 1603 (Windows Installer: fatal error during installation)").
    public var text: String
    /// The error code that goes with it (an HRESULT or IME status code), when there is one.
    public var errorCode: Int32?

    /// Whether the result is a failure an admin should look at.
    public var isFailure: Bool { [.downloadTimedOut, .downloadFailed, .installedNotDetected, .failed, .crashed, .aborted].contains(kind) }
}

/// IME's status code for "the installer succeeded but the detection rules do not find the app".
public let imeInstalledButNotDetected = Int32(bitPattern: 0x87D1_041C)
/// IME's status code for "the installer ran into the maximum run time".
public let imeInstallTimedOut = Int32(bitPattern: 0x87D3_00C9)

extension IMECheckIn {
    /// What this check-in came to, from the strongest evidence it holds.
    public var outcome: IMEOutcome {
        let code = reported?.errorCode
        if let aborted { return IMEOutcome(kind: .aborted, text: "processing aborted: \(aborted)", errorCode: nil) }
        if let exit = exitCode {
            let meaning = ExitCodeMeaning(exit)
            let mapping = exitCodeMapping?.lowercased()
            if meaning.isCrash { return IMEOutcome(kind: .crashed, text: "installer crashed: exit code \(exit) (\(meaning.description))", errorCode: hresult) }
            let success = mapping == "success" || mapping == "softreboot" || mapping == "hardreboot" || (exit == 0 && mapping != "unmapped" && mapping != "failed")
            if success {
                if detectedAfter == false || code == imeInstalledButNotDetected {
                    return IMEOutcome(kind: .installedNotDetected, text: "installed but not detected (0x87D1041C): exit code \(exit), detection rules do not find the app", errorCode: imeInstalledButNotDetected)
                }
                if intent == 4 { return IMEOutcome(kind: .uninstalled, text: "uninstalled (exit code \(exit)\(mapping.map { ", \($0)" } ?? ""))", errorCode: nil) }
                return IMEOutcome(kind: .installed, text: "installed (exit code \(exit)\(mapping.map { ", \($0)" } ?? ""))", errorCode: nil)
            }
            if timedOut { return IMEOutcome(kind: .failed, text: "installer timed out (0x87D300C9)", errorCode: imeInstallTimedOut) }
            return IMEOutcome(kind: .failed, text: "failed: exit code \(exit) (\(meaning.description))" + (mapping == "unmapped" ? ", no return-code mapping" : ""), errorCode: hresult)
        }
        if timedOut { return IMEOutcome(kind: .failed, text: "installer timed out (0x87D300C9)", errorCode: imeInstallTimedOut) }
        if code == imeInstalledButNotDetected { return IMEOutcome(kind: .installedNotDetected, text: "installed but not detected (0x87D1041C)", errorCode: code) }
        if let download {
            if download.timedOut {
                let done = download.bytesDone.map { b in " at \(IMEBytes.size(b))" + (download.totalBytes.map { " of \(IMEBytes.size($0))" } ?? "") } ?? ""
                return IMEOutcome(kind: .downloadTimedOut, text: "download timed out\(done)" + (download.inBackground ? ", continuing in the background" : ""), errorCode: code)
            }
            if download.failed { return IMEOutcome(kind: .downloadFailed, text: "download failed", errorCode: code) }
        }
        if let notApplicable { return IMEOutcome(kind: .notApplicable, text: "not applicable: \(notApplicable)", errorCode: nil) }
        if grs?.expired == false { return IMEOutcome(kind: .inGRS, text: "waiting in GRS (retry schedule after a failure)", errorCode: nil) }
        if let state = reported?.state?.lowercased(), state == "error" || state == "failed" {
            return IMEOutcome(kind: .failed, text: "reported \(reported!.state!)" + (code.map { " \(IMEFindings.hex($0))" } ?? ""), errorCode: code)
        }
        if let status = reported?.status?.lowercased() {
            if status == "installed" { return IMEOutcome(kind: .installed, text: "installed (status service)", errorCode: nil) }
            if status == "failed" { return IMEOutcome(kind: .failed, text: "failed (status service)" + (code.map { " \(IMEFindings.hex($0))" } ?? ""), errorCode: code) }
            if status == "notinstalled" || status == "uninstalled" { return IMEOutcome(kind: .uninstalled, text: "not installed (status service)", errorCode: nil) }
        }
        if let result = aggregatedResult {
            if result.lowercased() == "success" { return IMEOutcome(kind: .installed, text: "installed as a dependency (aggregated result Success)", errorCode: nil) }
            return IMEOutcome(kind: .failed, text: "dependency failed (aggregated result \(result))", errorCode: code)
        }
        if intent == 4 {
            if detectedBefore == false || detectedAfter == false { return IMEOutcome(kind: .uninstalled, text: "not installed, as the uninstall assignment wants", errorCode: nil) }
        }
        if detectedBefore == true { return IMEOutcome(kind: .alreadyInstalled, text: "detected: already installed", errorCode: nil) }
        if noActionRequired { return IMEOutcome(kind: .noActionRequired, text: "no action required", errorCode: nil) }
        if reevaluationNotDue { return IMEOutcome(kind: .notDue, text: "not re-evaluated: the re-evaluation interval has not expired", errorCode: nil) }
        if let download, download.inBackground || !download.completed {
            return IMEOutcome(kind: .downloading, text: "downloading" + (download.bytesDone.map { " (\(IMEBytes.size($0))" + (download.totalBytes.map { " of \(IMEBytes.size($0))" } ?? "") + ")" } ?? ""), errorCode: nil)
        }
        if detectedBefore == false { return IMEOutcome(kind: .inProgress, text: "not detected; no install seen", errorCode: nil) }
        if grs?.expired == true || grs?.none == true { return IMEOutcome(kind: .unknown, text: "evaluated (GRS expired); no result logged", errorCode: nil) }
        return IMEOutcome(kind: .unknown, text: "no result logged", errorCode: nil)
    }
}
