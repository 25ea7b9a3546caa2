import Foundation

/// Builds per-app timelines from records: an app is recognised by its id in a message (next to
/// "app", "id =", or as `<id>_<version>` in a content path) and the thread that named it; lines
/// without an id belong to the app last named on their thread.
public final class IMELogAnalyzer {
    /// Apps in the order they were first named; `appIndex` finds them by id. Kept in an array and changed in
    /// place, so a new phase does not copy the app's attempts.
    private var apps: [IMEApp] = []
    private var appIndex: [String: Int] = [:]
    private var threadApp: [Int: (id: String, last: Double?)] = [:]
    private var policyRecords: [String: IMEEvidence] = [:]
    private var orphans: [Int: [(CMTraceRecord, IMEEvent)]] = [:]
    private var unattributed: [IMEPhase] = []
    private var lastPhaseWasInstallBehavior: [Int: Bool] = [:]
    /// Records added so far.
    public private(set) var recordCount = 0
    /// Damaged records among them.
    public private(set) var fragmentCount = 0
    /// Whether a record so far is IME's: logged by one of its components, tagged the way it tags lines
    /// (`[Win32App] …`), or recognised as an event. Never means the files are not IME logs at all.
    /// (Checked only until the first one: one is enough, and the test costs on every record.)
    public private(set) var sawIMERecord = false

    /// An analyzer with nothing read; feed it records in log order.
    public init() {}

    /// Reads files (folders expanded by `IMELogFiles`) and analyses them. Throws `nothingFound` when not
    /// one record is IME's (an empty file, another program's log, a text file), so a wrong path is never
    /// reported as a device where nothing happened.
    public static func analyze(paths: [String]) throws -> IMELogReport {
        let analyzer = IMELogAnalyzer()
        let files = try IMELogFiles.expand(paths)
        // Read on a thread of their own while the records before are analysed (see CMTraceBatchReader).
        try CMTraceBatchReader.forEach(paths: files) { batch in
            for record in batch { analyzer.add(record) }
        }
        guard analyzer.sawIMERecord else {
            // One file is named as the path; several are counted, the first three named.
            let names = files.prefix(3).map { ($0 as NSString).lastPathComponent }.joined(separator: ", ") + (files.count > 3 ? ", …" : "")
            throw IntuneWinError(.nothingFound, path: files.count == 1 ? files[0] : "\(files.count) files (\(names))",
                                 "no IME log records (\(analyzer.recordCount) lines or records read, none written by the Intune Management Extension)")
        }
        return analyzer.report()
    }

    /// Feeds one record, in file order.
    public func add(_ record: CMTraceRecord) {
        recordCount += 1
        if record.kind == .fragment { fragmentCount += 1; return }
        let thread = record.thread ?? -1
        var installBehavior = false
        let event = IMEEvent.classify(record.message, installBehavior: &installBehavior)
        if !sawIMERecord, event != nil || installBehavior || Self.looksLikeIME(record) { sawIMERecord = true }
        if case .policies(let list)? = event {
            for policy in list { mergePolicy(policy); policyRecords[policy.id] = IMEEvidence(record) }
            return
        }
        // Install command: the bare line after "===Step=== InstallBehavior".
        if installBehavior { lastPhaseWasInstallBehavior[thread] = true; return }
        if lastPhaseWasInstallBehavior[thread] == true {
            lastPhaseWasInstallBehavior[thread] = false
            if event == nil, !record.message.hasPrefix("[") {
                if let id = threadApp[thread]?.id { apply(.installCommand(record.firstLine), record: record, app: id) }
                else { orphans[thread, default: []].append((record, .installCommand(record.firstLine))) }
                return
            }
        }
        let seconds = record.time?.localSeconds
        var id = appID(in: record.message, event: event)
        if let found = id { threadApp[thread] = (found, seconds) }
        if id == nil, let current = threadApp[thread] {
            // Three hours of silence (longer than IME's 60-minute install limit) ends the association.
            if let a = current.last, let b = seconds, abs(b - a) > 3 * 3600 { threadApp[thread] = nil } else { id = current.id; threadApp[thread] = (current.id, seconds ?? current.last) }
        }
        guard let event else { return }
        guard let id else {
            orphans[thread, default: []].append((record, event))
            return
        }
        if let waiting = orphans.removeValue(forKey: thread) {
            for (r, e) in waiting {
                if r.time == nil || seconds == nil || abs(r.time!.localSeconds - seconds!) < 120 { apply(e, record: r, app: id) } else { unattributed.append(Self.loosePhase(e, r)) }
            }
        }
        apply(event, record: record, app: id)
    }

    /// IME's own components, as CMTrace records name them (`component="AppWorkload"`).
    private static let components: [[UInt8]] = IMELogFiles.stems.map { Array($0.lowercased().utf8) }

    /// A record IME wrote: its component is one of IME's, or its message starts with a bracketed tag
    /// (`[Win32App]`, `[Location Service]`) as IME's messages do. Byte tests only: runs on every record.
    static func looksLikeIME(_ record: CMTraceRecord) -> Bool {
        var message = record.message
        let tagged = message.withUTF8 { bytes -> Bool in
            guard bytes.count > 2, bytes[0] == UInt8(ascii: "[") else { return false }
            let limit = min(bytes.count, 48)
            guard let close = bytes[1..<limit].firstIndex(of: UInt8(ascii: "]")), close > 1 else { return false }
            let first = bytes[1]
            return (first >= 0x41 && first <= 0x5A) || (first >= 0x61 && first <= 0x7A)
        }
        if tagged { return true }
        guard !record.component.isEmpty else { return false }
        let component = Array(record.component.lowercased().utf8)
        return components.contains { component.starts(with: $0) }
    }

    /// The apps in the order they first appeared, and the findings.
    public func report() -> IMELogReport {
        for (_, list) in orphans.sorted(by: { $0.key < $1.key }) { for (r, e) in list { unattributed.append(Self.loosePhase(e, r)) } }
        orphans = [:]
        unattributed.sort { ($0.evidence.source, $0.evidence.line) < ($1.evidence.source, $1.evidence.line) }
        let list = apps
        return IMELogReport(apps: list, findings: IMEFindings.find(in: list, unattributed: unattributed), recordCount: recordCount,
                            fragmentCount: fragmentCount, unattributed: unattributed)
    }

    /// A phase for an event no app could be tied to.
    static func loosePhase(_ event: IMEEvent, _ record: CMTraceRecord) -> IMEPhase {
        let kind: IMEPhase.Kind
        switch event {
        case .installTimeout, .skipCleanupTimeout: kind = .timeout
        case .doFailure, .decryptFailed: kind = .downloadFailure
        case .exitCode, .unmappedExitCode: kind = .exitCode
        case .removeIncoming: kind = .cleanupIncoming
        case .cleanupIMECache: kind = .cleanupIMECache
        case .detected: kind = .detectionAfter
        default: kind = .processing
        }
        return IMEPhase(kind: kind, detail: record.firstLine, evidence: IMEEvidence(record))
    }

    /// The app a message names: the first GUID that is a known app, else the first GUID written as an app's
    /// (after "app", "id =" …, or as an `<id>_<version>` content path) and not a user's.
    private func appID(in message: String, event: IMEEvent?) -> String? {
        if case .processingApp(let id, _, _)? = event { return id }
        return IMEBytes.withUTF8(message) { b in
            var found: String?
            IMEEvent.forEachGUID(in: b) { i in
                let id = IMEEvent.lowercasedGUID(b, i)
                if appIndex[id] != nil { found = id; return false }
                return true
            }
            if found != nil { return found }
            IMEEvent.forEachGUID(in: b) { i in
                if Self.namesApp(b, guidAt: i) { found = IMEEvent.lowercasedGUID(b, i); return false }
                return true
            }
            return found
        }
    }

    /// Whether the GUID at `i` in `b` is written as an app's id, from the 24 bytes before and 40 after it.
    static func namesApp(_ b: UnsafeBufferPointer<UInt8>, guidAt i: Int) -> Bool {
        let before = UnsafeBufferPointer(rebasing: b[max(0, i - 24)..<i])
        let after = UnsafeBufferPointer(rebasing: b[(i + 36)..<min(b.count, i + 76)])
        guard IMEBytes.isPlainASCII(before), IMEBytes.isPlainASCII(after) else {
            // Not plain ASCII: String rules (characters, Unicode case and spaces), as they were written first.
            return namesApp(before: Substring(String(decoding: before, as: UTF8.self)), after: Substring(String(decoding: after, as: UTF8.self)))
        }
        func lower(_ c: UInt8) -> UInt8 { c >= 65 && c <= 90 ? c | 0x20 : c }
        let user: [UInt8] = [0x75, 0x73, 0x65, 0x72]
        if before.count >= 4 {
            for k in 0...(before.count - 4) where lower(before[k]) == 0x75 {
                if (1..<4).allSatisfy({ lower(before[k + $0]) == user[$0] }) { return false }
            }
        }
        var digits = 0
        if after.first == UInt8(ascii: "_") { while 1 + digits < after.count, after[1 + digits] >= 48, after[1 + digits] <= 57 { digits += 1 } }
        if digits > 0 {
            guard 1 + digits < after.count else { return true }
            let next = after[1 + digits]
            let letter = (lower(next) >= 97 && lower(next) <= 122)
            if !(letter || next == UInt8(ascii: "-")) { return true }
        }
        var lo = 0, hi = before.count
        while lo < hi, before[lo] == 0x20 || before[lo] == 0x09 { lo += 1 }
        while hi > lo, before[hi - 1] == 0x20 || before[hi - 1] == 0x09 { hi -= 1 }
        func hasSuffix(_ suffix: StaticString) -> Bool {
            let n = suffix.utf8CodeUnitCount
            guard hi - lo >= n else { return false }
            let s = suffix.utf8Start
            for k in 0..<n where lower(before[hi - n + k]) != s[k] { return false }
            return true
        }
        return hasSuffix("app") || hasSuffix("app:") || hasSuffix("app id") || hasSuffix("app id:")
            || hasSuffix(" id =") || hasSuffix("(id =") || hasSuffix("(id=") || hasSuffix(" id:")
    }

    /// `namesApp` with String rules (the first implementation; for text that is not plain ASCII, and tests).
    static func namesApp(before window: Substring, after: Substring) -> Bool {
        if window.lowercased().contains("user") { return false }
        let before = window.lowercased().trimmingCharacters(in: .whitespaces)
        let digits = after.dropFirst().prefix { $0.isNumber }
        let next = after.dropFirst(1 + digits.count).first
        let contentPath = after.hasPrefix("_") && !digits.isEmpty && (next == nil || !(next!.isLetter || next!.isNumber || next == "-"))
        return contentPath || before.hasSuffix("app") || before.hasSuffix("app:") || before.hasSuffix("app id") || before.hasSuffix("app id:")
            || before.hasSuffix(" id =") || before.hasSuffix("(id =") || before.hasSuffix("(id=") || before.hasSuffix(" id:") || before.hasSuffix("app:")
    }

    /// The index of app `id` in `apps`, adding it when new.
    private func slot(_ id: String) -> Int {
        if let i = appIndex[id] { return i }
        apps.append(IMEApp(id: id))
        appIndex[id] = apps.count - 1
        return apps.count - 1
    }

    private func mergePolicy(_ policy: IMEPolicy) {
        let index = slot(policy.id)
        merge(policy, into: &apps[index])
    }

    private func merge(_ policy: IMEPolicy, into app: inout IMEApp) {
        app.name = policy.name.isEmpty ? app.name : policy.name
        app.version = policy.version ?? app.version
        app.intent = policy.intent ?? app.intent
        app.installCommand = policy.installCommand ?? app.installCommand
        app.uninstallCommand = policy.uninstallCommand ?? app.uninstallCommand
        app.installContext = policy.installContext ?? app.installContext
        if !policy.detectionTypes.isEmpty { app.detectionTypes = policy.detectionTypes }
    }

    private func apply(_ event: IMEEvent, record: CMTraceRecord, app id: String) {
        let index = slot(id)
        apply(event, record: record, id: id, to: &apps[index])
    }

    private func apply(_ event: IMEEvent, record: CMTraceRecord, id: String, to app: inout IMEApp) {
        let evidence = IMEEvidence(record)
        func phase(_ kind: IMEPhase.Kind, _ detail: String = "") {
            if app.attempts.isEmpty { app.attempts.append(IMEAttempt(thread: record.thread)) }
            let new = IMEPhase(kind: kind, detail: detail, evidence: evidence)
            if let last = app.attempts[app.attempts.count - 1].phases.last, last.kind == kind, last.detail == detail, kind != .processing { return }
            app.attempts[app.attempts.count - 1].phases.append(new)
        }
        func update(_ body: (inout IMEAttempt) -> Void) {
            if app.attempts.isEmpty { app.attempts.append(IMEAttempt(thread: record.thread)) }
            body(&app.attempts[app.attempts.count - 1])
        }
        var current: IMEAttempt? { app.attempts.last }
        switch event {
        case .policies: break
        case .processingApp(_, let name, let intent):
            if let name, app.name == nil { app.name = name }
            if let intent { app.intent = intent }
            // A new attempt unless this one has only just started.
            if current == nil || current!.phases.contains(where: { $0.kind != .processing && $0.kind != .policyReceived }) {
                var attempt = IMEAttempt(thread: record.thread)
                if let policy = policyRecords.removeValue(forKey: id) {
                    attempt.phases.append(IMEPhase(kind: .policyReceived, detail: "", evidence: policy))
                }
                app.attempts.append(attempt)
            }
            phase(.processing, record.firstLine)
        case .detectionRuleType(let n): update { $0.detectionTypes.append(n) }
        case .detected(let value):
            if current?.first(.detectionAfter) != nil || current?.phases.last?.kind == .install || current?.exitCode != nil {
                update { $0.detectedAfter = value }; phase(.detectionAfter, value ? "detected" : "not detected")
            } else {
                update { $0.detectedBefore = value }; phase(.detectionBefore, value ? "detected" : "not detected")
            }
        case .alreadyDetected: update { $0.detectedBefore = true }; phase(.detectionBefore, "detected, skip applicability")
        case .applicability(let state): update { $0.applicability = state }; phase(.applicability, state)
        case .grsExpired: phase(.grs, "expired")
        case .grsSkip: app.grsSkips.append(evidence); phase(.grsSkip, record.firstLine)
        case .downloadStart: if current?.last(.download) == nil { phase(.download, "start") }
        case .contentInfo: app.contentInfo.append(record); phase(.contentInfo)
        case .downloadURL(let url): phase(.download, url)
        case .cacheMiss: phase(.download, "content cache miss")
        case .cacheFound: update { $0.cacheFound = true }; phase(.download, "content cache found, skip downloading")
        case .doJobStart: update { $0.downloadMode = "DO" }; phase(.download, "DO job")
        case .doProgress(let bytes, let total): update { $0.downloadMode = $0.downloadMode ?? "DO"; if total > 0 { $0.downloadBytes = total } }
            if bytes == total, total > 0 { phase(.download, "DO \(bytes)/\(total) bytes") }
        case .doFailure(let text): update { $0.downloadFailed = true }; phase(.downloadFailure, text)
        case .cdn(let url):
            let fallback = current?.downloadFailed == true
            update { $0.downloadMode = "CDN" }; phase(fallback ? .cdnFallback : .download, "CDN " + url)
        case .cdnComplete: phase(.download, "CDN download complete")
        case .hashVerifyStart: phase(.hashValidation, "start")
        case .hmacPass: phase(.hashValidation, "hmac pass")
        case .decrypted: phase(.decryption, "done")
        case .decryptFailed: update { $0.downloadFailed = true }; phase(.decryption, "failed")
        case .downloadedSize(let n): update { $0.downloadBytes = n }
        case .downloadMilliseconds(let ms): update { $0.downloadMilliseconds = ms }
        case .unzip(let to): phase(.unzip, to)
        case .executeRetry(let n): if n > 0 { update { $0.retries = n }; phase(.retry, "retry \(n)") }
        case .installCommand(let command): update { $0.installCommand = command }; if app.installCommand == nil { app.installCommand = command }
        case .launch(let context): update { $0.installContext = context }; phase(.install, "launch in \(context) session")
        case .processID(let pid): update { $0.processID = pid }; phase(.install, "process id \(pid)")
        case .installDone: phase(.install, "done")
        case .installTimeout: update { $0.timedOut = true }; phase(.timeout, record.firstLine)
        case .exitCode(let code): update { $0.exitCode = code }; phase(.exitCode, "\(code)")
        case .hresult(let h): update { $0.hresult = h }
        case .exitCodeMapping(let mapping): update { $0.exitCodeMapping = mapping }
        case .unmappedExitCode(let code): update { $0.exitCodeMapping = "unmapped"; if $0.exitCode == nil { $0.exitCode = code } }
        case .skipCleanupTimeout: update { $0.timedOut = true }; phase(.timeout, record.firstLine)
        case .detectionAfterStart: phase(.detectionAfter, "start")
        case .removeIncoming(let path): phase(.cleanupIncoming, path)
        case .cleanupIMECache(let path): phase(.cleanupIMECache, path)
        case .enforcement(let state, let code):
            if let code, code == Int32(bitPattern: 0x87D3_00C9) { update { $0.timedOut = true }; phase(.timeout, record.firstLine) }
            phase(.reporting, "enforcement \(state)" + (code.map { ", error \(IMEFindings.hex($0))" } ?? ""))
        case .reportingStart: phase(.reporting, "start")
        case .reportingSent: phase(.reporting, "sent")
        }
    }
}
