import Foundation

/// What one IME line means for a Win32 app, recognised by the fixed phrases IME writes
/// (2020–2026 wording, see docs/IME.md §3). Unrecognised lines classify as nil.
public enum IMEEvent: Sendable, Equatable {
    /// `Get policies = [...]`: the apps IME received, with their settings.
    case policies([IMEPolicy])
    /// IME starts on an app (`processing targeted app`, `Processing app (id=`, `===Step=== Start to`).
    case processingApp(id: String, name: String?, intent: Int?)
    /// A detection rule of this type is evaluated (1 MSI, 2 file, 3 script, 4 registry…).
    case detectionRuleType(Int)
    /// A detection result: the app is (true) or is not (false) installed.
    case detected(Bool)
    /// Detected before the install with install intent, so the applicability check is skipped.
    case alreadyDetected
    /// The applicability check's result (`Applicable`, …).
    case applicability(String)
    /// The app's GRS entry (retry schedule after a failure) has expired or does not exist: it is enforced.
    case grsExpired
    /// The app is in GRS (tried in the last 24 hours) and is not enforced now.
    case grsSkip
    /// The content download starts.
    case downloadStart
    /// The GetContentInfo reply, the whole message (see `IMEContentInfo`).
    case contentInfo(String)
    /// The content URL IME downloads from.
    case downloadURL(String)
    /// No cached content: IME downloads.
    case cacheMiss
    /// Cached content found: IME skips the download.
    case cacheFound
    /// A Delivery Optimization download job is created.
    case doJobStart
    /// Delivery Optimization progress: bytes done of the total.
    case doProgress(bytes: UInt64, total: UInt64)
    /// The download failed (DO job failure, exception or timeout, no content info); the line.
    case doFailure(String)
    /// IME falls back to downloading from the CDN; the URL.
    case cdn(String)
    /// The CDN download completed.
    case cdnComplete
    /// IME starts checking the downloaded content's HMAC.
    case hashVerifyStart
    /// The HMAC matched.
    case hmacPass
    /// The content was decrypted.
    case decrypted
    /// Decrypting the content failed.
    case decryptFailed
    /// Size of the downloaded file in bytes.
    case downloadedSize(UInt64)
    /// How long the download took, in milliseconds.
    case downloadMilliseconds(Double)
    /// The content is unzipped into this folder (IMECache).
    case unzip(String)
    /// The install's retry number (0 for the first try).
    case executeRetry(Int)
    /// The command line IME runs.
    case installCommand(String)
    /// The installer is launched in this session context (system or user).
    case launch(context: String)
    /// The installer's process id.
    case processID(Int)
    /// The installer exited; IME collects the result.
    case installDone
    /// The installer ran into IME's time limit.
    case installTimeout
    /// The installer's exit code.
    case exitCode(UInt32)
    /// The HRESULT IME derives from the exit code.
    case hresult(Int32)
    /// What the admin's return-code mapping says the exit code means (`Success`, …).
    case exitCodeMapping(String)
    /// The exit code has no return-code mapping.
    case unmappedExitCode(UInt32)
    /// After a timeout IME leaves the staged content (IMECache) in place.
    case skipCleanupTimeout
    /// Detection after the install starts.
    case detectionAfterStart
    /// IME removes the downloaded content from its Incoming cache; the path.
    case removeIncoming(String)
    /// IME deletes the staged content folder in IMECache; the path.
    case cleanupIMECache(String)
    /// The enforcement state IME reports for the app, with its error code.
    case enforcement(state: String, errorCode: Int32?)
    /// IME starts reporting app results.
    case reportingStart
    /// The results were sent to Intune.
    case reportingSent

    /// Classifies one message (the first line decides; multi-line bodies are kept for content info).
    public static func classify(_ message: String) -> IMEEvent? {
        let m = message.hasPrefix("---->>") ? String(message.dropFirst(6)) : message.hasPrefix("----") ? String(message.dropFirst(4)) : message
        func after(_ marker: String) -> Substring? { m.range(of: marker).map { m[$0.upperBound...] } }
        func number(_ text: Substring?) -> String? {
            guard let text else { return nil }
            let s = text.drop { $0 == " " }
            let digits = s.prefix { $0.isNumber || $0 == "-" || $0 == "," || $0 == "." }
            return digits.isEmpty ? nil : String(digits).replacingOccurrences(of: ",", with: "")
        }
        if m.hasPrefix("Get policies = ") {
            return .policies(IMEPolicy.parse(String(m.dropFirst("Get policies = ".count))))
        }
        if let rest = after("processing targeted app (name='"), let close = rest.range(of: "', id='") {
            let id = rest[close.upperBound...].prefix(36)
            return .processingApp(id: String(id).lowercased(), name: String(rest[..<close.lowerBound]), intent: number(after("with intent=")).flatMap { Int($0) })
        }
        if let rest = after("Processing app (id="), let id = firstGUID(in: rest) {
            let name = after("name = ").map { String($0.prefix { $0 != ")" }) }
            return .processingApp(id: id, name: name, intent: nil)
        }
        if let rest = after("===Step=== Start to "), let id = firstGUID(in: rest) { return .processingApp(id: id, name: nil, intent: nil) }
        if m.contains("===Step=== Detection rules after Execution") { return .detectionAfterStart }
        if let n = number(after("[Win32App] DetectionType ")).flatMap({ Int($0) }) { return .detectionRuleType(n) }
        if m.contains("Completed detectionManager") || m.contains("Path doesn't exists") || m.contains("Checked filePath") {
            if let value = after("applicationDetectedByCurrentRule:") ?? after("applicationDetected:") {
                return .detected(value.trimmingCharacters(in: .whitespaces).lowercased().hasPrefix("true"))
            }
        }
        if let state = after("resulted in action status: Success and detection state: ") { return .detected(state.hasPrefix("Detected")) }
        if m.contains("and intent is to install, skip applicability check") { return .alreadyDetected }
        if let value = after("applicability state: ") ?? after("applicability: ") { return .applicability(String(value.prefix { $0 != "." && $0 != "," })) }
        if m.contains("GRS is expired") || m.contains("has no recorded GRS value") { return .grsExpired }
        if m.contains("is in GRS. The app will not be enforced") || m.contains("Tried in last 24 hours") { return .grsSkip }
        if m.contains("===Step=== Download") || m.hasPrefix("[Win32App] Downloading app on session") { return .downloadStart }
        if m.hasPrefix("Get content info from service,ret = ") || m.hasPrefix("Response from Intune = ") { return .contentInfo(message) }
        if let url = after("DownloadUrl = ") { return .downloadURL(String(url)) }
        if m.contains("Content cache miss") { return .cacheMiss }
        if m.contains("Content cache found for app") { return .cacheFound }
        if m.contains("[Win32App DO] start creating a new download job") { return .doJobStart }
        if let rest = after(" via DO, bytes ") {
            let parts = rest.prefix { $0 != " " }.split(separator: "/").compactMap { UInt64($0) }
            if parts.count == 2 { return .doProgress(bytes: parts[0], total: parts[1]) }
        }
        if m.hasPrefix("Job has failed.") || m.hasPrefix("Exception occurs when downloading content using DO")
            || m.contains("DO download is not finished after") || m.contains("Didn't get content info from service")
            || m.contains("ErrorDownloadingContent") {
            return .doFailure(firstLine(m))
        }
        if let url = after("CDN mode, content raw URL is ") { return .cdn(String(url)) }
        if m.contains("CDN mode, download completes") { return .cdnComplete }
        if m.contains("Starts verifying encrypted hash") { return .hashVerifyStart }
        if m.contains("hmac validation is pass") { return .hmacPass }
        if m.contains("Decryption is done successfully") { return .decrypted }
        if m.contains("Decryption is failed") { return .decryptFailed }
        // Damaged lines can hold any digits: sizes outside UInt64 and times that are not finite are not events.
        if let n = number(after("[Win32App] Downloaded file size ")).flatMap({ Double($0) }).flatMap({ UInt64(exactly: $0.rounded(.down)) }) {
            return .downloadedSize(n)
        }
        if let n = number(after("[Win32App] Downloaded file time ")).flatMap({ Double($0) }), n.isFinite, n >= 0 {
            return .downloadMilliseconds(n)
        }
        if let rest = after("Unzipping file on session"), let to = rest.range(of: " to ") { return .unzip(String(rest[to.upperBound...])) }
        if let rest = after("[Win32App] Decompressed: to ") { return .unzip(String(rest)) }
        if let n = number(after("===Step=== Execute retry ")).flatMap({ Int($0) }) { return .executeRetry(n) }
        if let rest = after("Installer script command line: ") { return .installCommand(String(rest)) }
        if let rest = after("Launch Win32AppInstaller in ") { return .launch(context: String(rest.prefix { $0 != " " })) }
        if m.hasPrefix("[Win32App] process id = "), let n = number(after("process id = ")).flatMap({ Int($0) }) { return .processID(n) }
        if m.contains("Installation is done, collecting result") { return .installDone }
        if m.contains("Installation is timeout") { return .installTimeout }
        if let rest = after("Admin did NOT set mapping for lpExitCode: "), let n = number(rest).flatMap({ Int64($0) }) { return .unmappedExitCode(UInt32(truncatingIfNeeded: n)) }
        if let rest = after("lpExitCode is defined as ") { return .exitCodeMapping(String(rest).trimmingCharacters(in: .whitespaces)) }
        if m.hasPrefix("[Win32App] lpExitCode "), let n = number(after("lpExitCode ")).flatMap({ Int64($0) }) { return .exitCode(UInt32(truncatingIfNeeded: n)) }
        if let n = number(after("[Win32App] hResultFromWin32 ")).flatMap({ Int64($0) }) { return .hresult(Int32(truncatingIfNeeded: n)) }
        if m.contains("installer is running timeout, skip staged content clean up") { return .skipCleanupTimeout }
        if let rest = after("removing content from cache ") { return .removeIncoming(String(rest)) }
        if let rest = after("Cleaning up staged content ") { return .cleanupIMECache(String(rest)) }
        if let rest = after("Set EnforcementStateMessage EnforcementState: ") {
            let state = String(rest.prefix { $0 != "," })
            return .enforcement(state: state, errorCode: number(after("ErrorCode: ")).flatMap { Int64($0) }.map { Int32(truncatingIfNeeded: $0) })
        }
        if m.contains("Start reporting app results") { return .reportingStart }
        if m.contains("Results are successfully sent") { return .reportingSent }
        return nil
    }

    private static func firstLine(_ text: String) -> String {
        text.firstIndex(of: "\n").map { String(text[..<$0]) } ?? text
    }

    /// The first GUID (8-4-4-4-12 hex) in `text`, lowercased.
    public static func firstGUID<S: StringProtocol>(in text: S) -> String? { guids(in: text).first?.id }

    /// Every GUID in `text` with what follows it (to tell `<id>_1` content paths from other ids).
    static func guids<S: StringProtocol>(in text: S) -> [(id: String, before: Substring, after: Substring)] {
        let chars = Array(text.utf8)
        var out: [(String, Substring, Substring)] = []
        let pattern = [8, 4, 4, 4, 12]
        var i = 0
        func isHex(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) }
        while i + 36 <= chars.count {
            var j = i, ok = true
            for (k, n) in pattern.enumerated() {
                for _ in 0..<n { if !isHex(chars[j]) { ok = false; break }; j += 1 }
                if !ok { break }
                if k < 4 { if chars[j] != UInt8(ascii: "-") { ok = false; break }; j += 1 }
            }
            let boundaryBefore = i == 0 || !isHex(chars[i - 1])
            let boundaryAfter = j >= chars.count || !isHex(chars[j])
            if ok, boundaryBefore, boundaryAfter {
                let id = String(decoding: chars[i..<j], as: UTF8.self).lowercased()
                let before = Substring(String(decoding: chars[max(0, i - 24)..<i], as: UTF8.self))
                let after = Substring(String(decoding: chars[j..<min(chars.count, j + 40)], as: UTF8.self))
                out.append((id, before, after))
                i = j
            } else {
                i += 1
            }
        }
        return out
    }
}

/// One app's policy as IME logs it in `Get policies = [...]`.
public struct IMEPolicy: Sendable, Equatable {
    /// The app's id (a GUID, lower case).
    public var id: String
    /// The app's display name in Intune.
    public var name: String
    /// The app's content version, when logged.
    public var version: String?
    /// 0 not targeted, 1 available, 3 required, 4 uninstall.
    public var intent: Int?
    /// The install command line configured in Intune.
    public var installCommand: String?
    /// The uninstall command line configured in Intune.
    public var uninstallCommand: String?
    /// "system" or "user" from `InstallEx.RunAs` (1 system, 0 user).
    public var installContext: String?
    /// Detection rule types (1 MSI, 2 file, 3 script, 4 registry… as IME numbers them).
    public var detectionTypes: [Int]

    /// The policies in the JSON array; an unreadable array gives none (the log line may be truncated).
    static func parse(_ json: String) -> [IMEPolicy] {
        guard let array = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [[String: Any]] else { return [] }
        return array.compactMap { item in
            guard let id = item["Id"] as? String else { return nil }
            func inner(_ key: String) -> Any? { (item[key] as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } }
            let runAs = (inner("InstallEx") as? [String: Any])?["RunAs"] as? Int
            let types = (inner("DetectionRule") as? [[String: Any]] ?? []).compactMap { $0["DetectionType"] as? Int }
            return IMEPolicy(id: id.lowercased(), name: item["Name"] as? String ?? "",
                             version: (item["Version"] as? Int).map(String.init) ?? item["Version"] as? String,
                             intent: item["Intent"] as? Int, installCommand: item["InstallCommandLine"] as? String,
                             uninstallCommand: item["UninstallCommandLine"] as? String,
                             installContext: runAs.map { $0 == 1 ? "system" : "user" }, detectionTypes: types)
        }
    }
}
