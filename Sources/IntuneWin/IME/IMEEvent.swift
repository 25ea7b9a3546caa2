import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
    case cacheMiss(name: String?)
    /// Cached content found: IME skips the download.
    case cacheFound
    /// A Delivery Optimization download job is created.
    case doJobStart
    /// Delivery Optimization progress: bytes done of the total.
    case doProgress(bytes: UInt64, total: UInt64, name: String? = nil)
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
    /// A check-in of the app poller starts (`application poller starts`, `Starting app check in`,
    /// `Requesting required apps`…); `required` or `available` when the line says.
    case checkInStart(kind: String?)
    /// The check-in ends (`application poller stopped`, `End app check in`, `Finish available apps check-in`).
    case checkInEnd
    /// `[V3Processor] Processing N subgraphs.`: the check-in's plan.
    case subgraphCount(Int)
    /// `Processing subgraph with app ids: a, b`: the apps IME evaluates together (an app with its dependencies).
    case subgraphApps([String])
    /// `Done processing subgraph.`
    case subgraphDone
    /// `All apps in the subgraph are not applicable due to assignment filters.`
    case filtersNotApplicable
    /// `Subgraph reevaluation interval is not expired.`: the subgraph is not evaluated in this check-in.
    case reevaluationNotDue
    /// `Setting subgraph reevaluation time with value: …`: when IME evaluates the subgraph next (as written).
    case reevaluationSet(String)
    /// `espPhase = NotInEsp, isRetryNeeded = False, checkinReason = MaintenanceTimer` (or `Autopilot ESP phase: …`).
    case checkInInfo(espPhase: String?, reason: String?)
    /// `[GRSManager] Found GRS value: <time> at key <user>\GRS\<hash>\<app>`.
    case grsFound(value: String, appID: String?)
    /// `[GRSManager] App with id: X is expired / is not expired / has no recorded GRS value`; the GRS time
    /// in UTC when the record carries `GRSTimeUTC = …`.
    case grsState(expired: Bool, none: Bool, utc: String?)
    /// `Cleared GRS value for app: X`.
    case grsCleared
    /// `Saved GRS value: <time> to path: …\<app>`.
    case grsSaved(String)
    /// `content info request is {…}`: the app's name, version and intent from the request IME sends.
    case contentRequest(name: String?, version: String?, intent: Int?)
    /// IME stopped waiting for the download (`DO downloading is not finished within timeout`, `… after N seconds, timeout`).
    case downloadTimeout(String)
    /// `[<Name>ActionHandler] Handler completed with action status: <status>.`
    case actionStatus(handler: String, status: String)
    /// `Execution completed with action status: …, and download running in background: True`.
    case downloadInBackground(String)
    /// `Report delta: {…}`: what IME reports changed for the app.
    case reportDelta(state: String?, previous: String?, errorCode: Int32?, detection: String?)
    /// `[StatusService] … Status: Installed, ErrorCode: …`: the status the Company Portal shows.
    case statusUpdate(status: String, errorCode: Int32?)
    /// `No action required for app with id: X.`
    case noActionRequired
    /// `Encountered unexpected state for app with id: X. … Aborting processing …`; the reason.
    case unexpectedState(String)
    /// `App with id: X, targeted intent: RequiredInstall, …`: the intent as IME's action processor names it.
    case desiredState(intent: String)
    /// `Aggregated result for (<id>,<name>) is Success`: a dependency's result within its parent's chain.
    case aggregatedResult(id: String, name: String?, result: String)
    /// `ProcessAppWithDependencies starts for <id> with name <name>`: a dependency chain starts.
    case dependencyChain(id: String, name: String?)
    /// `Agent version is: 1.93.155.0`.
    case agentVersion(String)
    /// `has applicability state: ScriptRequirementRuleNotMet but is detected or has NotPresent desired state.
    /// App will instead be reported as Applicable.`: the requirement is not met, but that changes nothing.
    case reportedApplicable(String)
    /// A line that names the app (`[StatusService] Downloading app (id = X, name Y)`, `Content cache miss for app (id = X, name = Y)`).
    case named(String)

    /// Classifies one message (the first line decides; multi-line bodies are kept for content info).
    public static func classify(_ message: String) -> IMEEvent? {
        var installBehavior = false
        return classify(message, installBehavior: &installBehavior)
    }

    /// `classify`, also telling from the same scan whether the message holds `===Step=== InstallBehavior`
    /// (the analyzer's cue for the bare install command line that follows). Left false for `Get policies`.
    ///
    /// Messages that are plain ASCII without CR (practically every IME line) are classified from their bytes:
    /// one pass finds the first occurrence of every phrase (a two-byte table lookup per position before any
    /// comparison), then the decision list below reads those positions. Other messages go through the same
    /// decision list with Foundation's search, whose Unicode rules (canonical equivalence, CR LF as one
    /// character) can only differ from a byte search when the text is not plain ASCII.
    static func classify(_ message: String, installBehavior: inout Bool) -> IMEEvent? {
        var handled = false
        var event: IMEEvent?
        _ = message.utf8.withContiguousStorageIfAvailable { bytes in
            guard IMEBytes.isPlainASCII(bytes) else { return }
            handled = true
            event = classifyASCII(message, bytes, installBehavior: &installBehavior)
        }
        if handled { return event }
        return classifyWithFoundation(message, installBehavior: &installBehavior)
    }

    /// The byte path of `classify` for a plain-ASCII message.
    private static func classifyASCII(_ message: String, _ bytes: UnsafeBufferPointer<UInt8>, installBehavior: inout Bool) -> IMEEvent? {
        let skip = IMEBytes.hasPrefix(bytes, "---->>") ? 6 : IMEBytes.hasPrefix(bytes, "----") ? 4 : 0
        let m = message[message.utf8.index(message.startIndex, offsetBy: skip)...]
        let body = UnsafeBufferPointer(rebasing: bytes[skip...])
        if IMEBytes.hasPrefix(body, policiesPrefix) {
            return .policies(IMEPolicy.parse(String(m.dropFirst(policiesPrefix.utf8.count))))
        }
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: IMEMarker.allCases.count) { ends in
            let any = IMEMarkerTable.shared.scan(body, ends: ends)
            let probe = IMEByteProbe(m: m, bytes: body, ends: ends, any: any)
            installBehavior = probe.contains(.stepInstallBehavior)
            return decide(probe, message)
        }
    }

    /// `classify` with Foundation's string search (messages that are not plain ASCII; tests compare both paths).
    static func classifyWithFoundation(_ message: String, installBehavior: inout Bool) -> IMEEvent? {
        let m = message.hasPrefix("---->>") ? String(message.dropFirst(6)) : message.hasPrefix("----") ? String(message.dropFirst(4)) : message
        if m.hasPrefix(policiesPrefix) { return .policies(IMEPolicy.parse(String(m.dropFirst(policiesPrefix.count)))) }
        installBehavior = message.contains(IMEMarker.stepInstallBehavior.text)
        return decide(IMEFoundationProbe(whole: m), message)
    }

    private static let policiesPrefix = "Get policies = "

    /// The decision list: which event a message is, from where its phrases occur (`probe`). The order matters.
    private static func decide<P: IMEMessageProbe>(_ probe: P, _ message: String) -> IMEEvent? {
        let m = probe.m
        @inline(__always) func after(_ marker: IMEMarker) -> Substring? { probe.after(marker) }
        @inline(__always) func contains(_ marker: IMEMarker) -> Bool { probe.contains(marker) }
        // No phrase occurs (the common case): only the prefix tests of the list below can match, in its order.
        if !probe.any {
            switch m.utf8.first {
            case UInt8(ascii: "["):
                if probe.hasPrefix("[Win32App] Downloading app on session") { return .downloadStart }
                if probe.hasPrefix("[Win32App] process id = "), let n = number(probe.after("process id = ")).flatMap({ Int($0) }) { return .processID(n) }
                if probe.hasPrefix("[Win32App] lpExitCode "), let n = number(probe.after("lpExitCode ")).flatMap({ Int64($0) }) { return .exitCode(UInt32(truncatingIfNeeded: n)) }
                return nil
            case UInt8(ascii: "G"), UInt8(ascii: "R"):
                if probe.hasPrefix("Get content info from service,ret = ") || probe.hasPrefix("Response from Intune = ") { return .contentInfo(message) }
                return nil
            case UInt8(ascii: "J"), UInt8(ascii: "E"):
                if probe.hasPrefix("Job has failed.") || probe.hasPrefix("Exception occurs when downloading content using DO") { return .doFailure(firstLine(m)) }
                return nil
            default:
                return nil
            }
        }
        if let event = decideCheckInAndState(probe, message) { return event }
        if let rest = after(.processingTargeted), let close = probe.range(of: "', id='", in: rest) {
            let id = rest[close.upperBound...].prefix(36)
            return .processingApp(id: String(id).lowercased(), name: String(rest[..<close.lowerBound]), intent: number(probe.after("with intent=")).flatMap { Int($0) })
        }
        if let rest = after(.processingApp), let id = firstGUID(in: rest) {
            let name = probe.after("name = ").map { String($0.prefix { $0 != ")" }) }
            return .processingApp(id: id, name: name, intent: nil)
        }
        if let rest = after(.stepStartTo), let id = firstGUID(in: rest) { return .processingApp(id: id, name: nil, intent: nil) }
        if contains(.stepDetectionAfter) { return .detectionAfterStart }
        if let n = number(after(.detectionType)).flatMap({ Int($0) }) { return .detectionRuleType(n) }
        if contains(.completedDetection) || contains(.pathDoesNotExist) || contains(.checkedFilePath) {
            if let value = after(.detectedByCurrentRule) ?? after(.applicationDetected) {
                return .detected(trimmed(value).lowercased().hasPrefix("true"))
            }
        }
        if let state = after(.detectionState) { return .detected(state.hasPrefix("Detected")) }
        if contains(.skipApplicability) { return .alreadyDetected }
        if let value = after(.applicabilityState) ?? after(.applicability) { return .applicability(String(value.prefix { $0 != "." && $0 != "," })) }
        if contains(.grsExpired) || contains(.noRecordedGRS) { return .grsExpired }
        if contains(.inGRS) || contains(.triedLast24Hours) { return .grsSkip }
        if contains(.stepDownload) || probe.hasPrefix("[Win32App] Downloading app on session") { return .downloadStart }
        if probe.hasPrefix("Get content info from service,ret = ") || probe.hasPrefix("Response from Intune = ") { return .contentInfo(message) }
        if let url = after(.downloadURL) { return .downloadURL(String(url)) }
        if let rest = after(.cacheMiss) { return .cacheMiss(name: probe.range(of: "name = ", in: rest).map { String(rest[$0.upperBound...].prefix { $0 != ")" }) }) }
        if contains(.cacheFound) { return .cacheFound }
        if contains(.doJobStart) { return .doJobStart }
        if let rest = after(.viaDOBytes) {
            let parts = rest.prefix { $0 != " " }.split(separator: "/").compactMap { UInt64($0) }
            if parts.count == 2 { return .doProgress(bytes: parts[0], total: parts[1], name: nil) }
        }
        if probe.hasPrefix("Job has failed.") || probe.hasPrefix("Exception occurs when downloading content using DO")
            || contains(.doNotFinished) || contains(.noContentInfo) || contains(.errorDownloadingContent) {
            return .doFailure(firstLine(m))
        }
        if let url = after(.cdnRawURL) { return .cdn(String(url)) }
        if contains(.cdnComplete) { return .cdnComplete }
        if contains(.verifyHash) { return .hashVerifyStart }
        if contains(.hmacPass) { return .hmacPass }
        if contains(.decrypted) { return .decrypted }
        if contains(.decryptFailed) { return .decryptFailed }
        // Damaged lines can hold any digits: sizes outside UInt64 and times that are not finite are not events.
        if let n = number(after(.downloadedSize)).flatMap({ Double($0) }).flatMap({ UInt64(exactly: $0.rounded(.down)) }) {
            return .downloadedSize(n)
        }
        if let n = number(after(.downloadedTime)).flatMap({ Double($0) }), n.isFinite, n >= 0 {
            return .downloadMilliseconds(n)
        }
        if let rest = after(.unzipping), let to = probe.range(of: " to ", in: rest) { return .unzip(String(rest[to.upperBound...])) }
        if let rest = after(.decompressed) { return .unzip(String(rest)) }
        if let n = number(after(.executeRetry)).flatMap({ Int($0) }) { return .executeRetry(n) }
        if let rest = after(.installerCommandLine) { return .installCommand(String(rest)) }
        if let rest = after(.launchInstaller) { return .launch(context: String(rest.prefix { $0 != " " })) }
        if probe.hasPrefix("[Win32App] process id = "), let n = number(probe.after("process id = ")).flatMap({ Int($0) }) { return .processID(n) }
        if contains(.installDone) { return .installDone }
        if contains(.installTimeout) { return .installTimeout }
        if let rest = after(.unmappedExitCode), let n = number(rest).flatMap({ Int64($0) }) { return .unmappedExitCode(UInt32(truncatingIfNeeded: n)) }
        if let rest = after(.exitCodeDefinedAs) { return .exitCodeMapping(trimmed(rest)) }
        if probe.hasPrefix("[Win32App] lpExitCode "), let n = number(probe.after("lpExitCode ")).flatMap({ Int64($0) }) { return .exitCode(UInt32(truncatingIfNeeded: n)) }
        if let n = number(after(.hResult)).flatMap({ Int64($0) }) { return .hresult(Int32(truncatingIfNeeded: n)) }
        if contains(.skipCleanupTimeout) { return .skipCleanupTimeout }
        if let rest = after(.removingContent) { return .removeIncoming(String(rest)) }
        if let rest = after(.cleaningStaged) { return .cleanupIMECache(String(rest)) }
        if let rest = after(.enforcementState) {
            let state = String(rest.prefix { $0 != "," })
            return .enforcement(state: state, errorCode: number(probe.after("ErrorCode: ")).flatMap { Int64($0) }.map { Int32(truncatingIfNeeded: $0) })
        }
        if contains(.reportingStart) { return .reportingStart }
        if contains(.reportingSent) { return .reportingSent }
        return nil
    }

    /// The decisions for today's (V3 processor, 2023–2026) wording: check-ins, subgraphs, GRS, Delivery
    /// Optimization progress and timeouts, reporting and status lines. Asked before the older phrases.
    private static func decideCheckInAndState<P: IMEMessageProbe>(_ probe: P, _ message: String) -> IMEEvent? {
        @inline(__always) func after(_ marker: IMEMarker) -> Substring? { probe.after(marker) }
        @inline(__always) func contains(_ marker: IMEMarker) -> Bool { probe.contains(marker) }
        if contains(.pollerStarts) || contains(.startingCheckIn) {
            return .checkInStart(kind: probe.m.contains("Available") ? "available" : nil)
        }
        if contains(.availableCheckInStart) || contains(.requestingAvailable) { return .checkInStart(kind: "available") }
        if contains(.requestingRequired) { return .checkInStart(kind: "required") }
        if contains(.pollerStopped) || contains(.endCheckIn) || contains(.availableCheckInFinish) { return .checkInEnd }
        if let rest = after(.subgraphApps) {
            var ids: [String] = []
            IMEBytes.withUTF8(rest) { b in forEachGUID(in: b) { i in ids.append(lowercasedGUID(b, i)); return true } }
            return .subgraphApps(ids)
        }
        if let rest = after(.v3Processing), let n = number(rest).flatMap({ Int($0) }) { return .subgraphCount(n) }
        if let rest = after(.v3Done) { return rest.hasPrefix("subgraph.") ? .subgraphDone : .checkInEnd }
        if contains(.filters) { return .filtersNotApplicable }
        if contains(.reevaluationNotDue) { return .reevaluationNotDue }
        if let rest = after(.reevaluationSet) { return .reevaluationSet(String(rest.prefix { $0 != "f" }).trimmingCharacters(in: .whitespaces)) }
        if let rest = after(.checkinReason) {
            let esp = probe.after("espPhase = ").map { String($0.prefix { $0 != "," }) }
            return .checkInInfo(espPhase: esp, reason: String(rest.prefix { $0 != "," && $0 != "\n" && $0 != " " }))
        }
        if let rest = after(.espPhaseAutopilot) { return .checkInInfo(espPhase: String(rest.prefix { $0 != "." && $0 != " " }), reason: nil) }
        if let rest = after(.grsFound) {
            let value = rest.range(of: " at key ").map { String(rest[..<$0.lowerBound]) } ?? String(rest.prefix(19))
            var last: String?
            IMEBytes.withUTF8(rest) { b in forEachGUID(in: b) { i in last = lowercasedGUID(b, i); return true } }
            return .grsFound(value: value, appID: last)
        }
        if let rest = after(.grsAppWithID) {
            let utc = probe.after("GRSTimeUTC = ").map { String($0.prefix { $0 != "\n" }) }
            if rest.contains(" is not expired") { return .grsState(expired: false, none: false, utc: utc) }
            if rest.contains("has no recorded GRS value") { return .grsState(expired: true, none: true, utc: nil) }
            if rest.contains(" is expired") { return .grsState(expired: true, none: false, utc: utc) }
        }
        if contains(.grsCleared) { return .grsCleared }
        if let rest = after(.grsSaved) { return .grsSaved(rest.range(of: " to path").map { String(rest[..<$0.lowerBound]) } ?? String(rest.prefix(19))) }
        if let rest = after(.contentRequest) { return contentRequest(rest) }
        if let rest = after(.statusDownloading) {
            let name = probe.range(of: ", name ", in: rest).map { String(rest[$0.upperBound...].prefix { $0 != ")" }) }
            if let bytes = after(.viaDOBytes) {
                let parts = bytes.prefix { $0 != " " }.split(separator: "/").compactMap { UInt64($0) }
                if parts.count == 2 { return .doProgress(bytes: parts[0], total: parts[1], name: name) }
            }
            if let name { return .named(name) }
        }
        if let rest = after(.doFindExisting), let done = digits(rest), let total = probe.after("bytes total = ").flatMap(digits) {
            return .doProgress(bytes: done, total: total, name: nil)
        }
        if contains(.doJobInProgress), let done = probe.after("bytes transfered:").flatMap(digits), let total = probe.after("bytes total:").flatMap(digits) {
            return .doProgress(bytes: done, total: total, name: nil)
        }
        if let rest = after(.reportedAsApplicable), probe.after("reported as Applicable") != nil {
            return .reportedApplicable(String(rest.prefix { $0 != " " }))
        }
        if contains(.doTimeout) || contains(.doNotFinished) { return .downloadTimeout(firstLine(probe.m)) }
        if let rest = after(.handlerCompleted) {
            let status = String(rest.prefix { $0 != "." && $0 != "," && $0 != " " })
            let tag = probe.m.range(of: "ActionHandler]").map { probe.m[..<$0.lowerBound] } ?? ""
            let handler = tag.split(separator: "[").last.map(String.init) ?? ""
            return .actionStatus(handler: handler, status: status)
        }
        if let rest = after(.executionCompleted) {
            let status = String(rest.prefix { $0 != "," && $0 != "." })
            if probe.after("download running in background: ").map({ $0.hasPrefix("True") }) == true { return .downloadInBackground(status) }
            return .actionStatus(handler: "Execution", status: status)
        }
        if let rest = after(.reportDelta) { return reportDelta(rest) }
        if contains(.statusSendingUpdate) || contains(.statusReturning), let status = probe.after("Status: ") {
            let code = probe.after("ErrorCode: ").flatMap { number($0) }.flatMap { Int64($0) }.map { Int32(truncatingIfNeeded: $0) }
            return .statusUpdate(status: String(status.prefix { $0 != "," && $0 != "." }), errorCode: code)
        }
        if contains(.noActionRequired) { return .noActionRequired }
        if let rest = after(.unexpectedState) {
            let reason = rest.range(of: ". ").map { String(rest[$0.upperBound...]) } ?? String(rest)
            return .unexpectedState(firstLine(reason))
        }
        if let rest = after(.targetedIntent) ?? after(.effectiveIntent) { return .desiredState(intent: String(rest.prefix { $0 != "," })) }
        if let rest = after(.aggregatedResult), let id = firstGUID(in: rest) {
            let inside = rest.prefix { $0 != ")" }
            let name = inside.firstIndex(of: ",").map { String(inside[inside.index(after: $0)...]) }
            let result = probe.range(of: ") is ", in: rest).map { String(rest[$0.upperBound...].prefix { $0 != " " && $0 != "\n" }) } ?? ""
            return .aggregatedResult(id: id, name: name, result: result)
        }
        if let rest = after(.dependencyChain), let id = firstGUID(in: rest) {
            return .dependencyChain(id: id, name: probe.range(of: " with name ", in: rest).map { firstLine(rest[$0.upperBound...]) })
        }
        if let rest = after(.agentVersion) { return .agentVersion(String(rest.prefix { $0.isNumber || $0 == "." })) }
        if contains(.downloadHandlerInvoked) { return .downloadStart }
        return nil
    }

    /// The unsigned number of ASCII digits at the start of `text` (after spaces); nil when none or too large.
    private static func digits(_ text: Substring) -> UInt64? {
        UInt64(String(text.drop { $0 == " " }.prefix { $0.isASCII && $0.isNumber }))
    }

    /// The name, version and intent in a `content info request is {…}` body (read by key: the line may be cut).
    private static func contentRequest(_ body: Substring) -> IMEEvent {
        func value(_ key: String) -> String? {
            guard let r = body.range(of: "\"\(key)\":") else { return nil }
            var rest = body[r.upperBound...]
            guard rest.first == "\"" else { return nil }
            rest = rest.dropFirst()
            var out = ""
            var escaped = false
            for c in rest {
                if escaped { out.append(c == "n" ? "\n" : c); escaped = false; continue }
                if c == "\\" { escaped = true; continue }
                if c == "\"" { return out }
                out.append(c)
            }
            return nil
        }
        return .contentRequest(name: value("ApplicationName"), version: value("ApplicationVersion"), intent: value("Intent").flatMap { Int($0) })
    }

    /// The states and error code in a `Report delta: {…}` body.
    private static func reportDelta(_ body: Substring) -> IMEEvent {
        let json = (try? JSONSerialization.jsonObject(with: Data(firstLine(body).utf8))) as? [String: Any] ?? [:]
        func change(_ key: String) -> (old: Any?, new: Any?)? {
            if let d = json[key] as? [String: Any] { return (d["OldValue"], d["NewValue"]) }
            if let v = json[key], !(v is NSNull) { return (nil, v) }
            return nil
        }
        func text(_ v: Any?) -> String? { (v as? String) ?? (v as? NSNumber).map { $0.stringValue } }
        let enforcement = change("EnforcementState")
        let code = change("EnforcementErrorCode").flatMap { ($0.new as? NSNumber)?.int64Value }.map { Int32(truncatingIfNeeded: $0) }
        return .reportDelta(state: text(enforcement?.new), previous: text(enforcement?.old), errorCode: code, detection: text(change("DetectionState")?.new))
    }

    /// The number at the start of `text` (after spaces), thousands commas removed.
    private static func number(_ text: Substring?) -> String? {
        guard let text else { return nil }
        let s = text.drop { $0 == " " }
        let digits = s.prefix { $0.isNumber || $0 == "-" || $0 == "," || $0 == "." }
        guard !digits.isEmpty else { return nil }
        // ASCII digits: drop the commas directly (Foundation's replace costs microseconds a call).
        if digits.utf8.allSatisfy({ $0 < 0x80 }) { return String(decoding: digits.utf8.filter { $0 != UInt8(ascii: ",") }, as: UTF8.self) }
        return String(digits).replacingOccurrences(of: ",", with: "")
    }

    /// `trimmingCharacters(in: .whitespaces)`, by bytes when the text is ASCII (where that set is space and tab).
    private static func trimmed(_ text: Substring) -> String {
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else { return text.trimmingCharacters(in: .whitespaces) }
        let bytes = text.utf8
        guard let first = bytes.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { return "" }
        let last = bytes.lastIndex(where: { $0 != 0x20 && $0 != 0x09 })!
        return String(decoding: bytes[first...last], as: UTF8.self)
    }

    private static func firstLine<S: StringProtocol>(_ text: S) -> String {
        text.firstIndex(of: "\n").map { String(text[..<$0]) } ?? String(text)
    }

    /// The first GUID (8-4-4-4-12 hex) in `text`, lowercased.
    public static func firstGUID<S: StringProtocol>(in text: S) -> String? {
        IMEBytes.withUTF8(text) { b in
            var id: String?
            forEachGUID(in: b) { at in id = lowercasedGUID(b, at); return false }
            return id
        }
    }

    /// Every GUID in `text` with what follows it (to tell `<id>_1` content paths from other ids).
    static func guids<S: StringProtocol>(in text: S) -> [(id: String, before: Substring, after: Substring)] {
        IMEBytes.withUTF8(text) { b in
            var out: [(String, Substring, Substring)] = []
            forEachGUID(in: b) { i in
                let j = i + 36
                let before = Substring(String(decoding: UnsafeBufferPointer(rebasing: b[max(0, i - 24)..<i]), as: UTF8.self))
                let after = Substring(String(decoding: UnsafeBufferPointer(rebasing: b[j..<min(b.count, j + 40)]), as: UTF8.self))
                out.append((lowercasedGUID(b, i), before, after))
                return true
            }
            return out
        }
    }

    /// Calls `body` with the offset of every GUID (8-4-4-4-12 hex, not inside a longer hex run) in `b`, in
    /// order, until it returns false. Every GUID has a `-` 8 bytes in, so candidates are found with memchr.
    static func forEachGUID(in b: UnsafeBufferPointer<UInt8>, _ body: (Int) -> Bool) {
        guard b.count >= 36, let base = b.baseAddress else { return }
        let n = b.count
        var from = 8
        while from <= n - 28, let hit = memchr(base + from, 0x2D, n - 28 - from + 1) {
            let dash = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            from = dash + 1
            let i = dash - 8
            if isGUID(base, i, n) {
                if !body(i) { return }
                from = i + 36 + 8
            }
        }
    }

    @inline(__always) private static func isHex(_ c: UInt8) -> Bool {
        (c &- 48) < 10 || ((c | 0x20) &- 97) < 6
    }

    /// A GUID starts at `i` (and no hex digit touches it on either side).
    private static func isGUID(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Bool {
        guard i >= 0, i + 36 <= n, p[i + 8] == 0x2D, p[i + 13] == 0x2D, p[i + 18] == 0x2D, p[i + 23] == 0x2D else { return false }
        for k in 0..<36 where k != 8 && k != 13 && k != 18 && k != 23 { if !isHex(p[i + k]) { return false } }
        if i > 0, isHex(p[i - 1]) { return false }
        if i + 36 < n, isHex(p[i + 36]) { return false }
        return true
    }

    /// The GUID at `i`, lower case.
    static func lowercasedGUID(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> String {
        String(unsafeUninitializedCapacity: 36) { out in
            for k in 0..<36 { let c = b[i + k]; out[k] = (c >= 65 && c <= 90) ? c | 0x20 : c }
            return 36
        }
    }
}
