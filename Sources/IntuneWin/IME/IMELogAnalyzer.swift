import Foundation

/// Builds per-app histories from records read in time order: the poller's check-ins (a start line on a
/// thread, or a thread's first app line after a long silence), and in each the apps it named. An app is
/// recognised by its id in a message (a known app's id first, else an id written as an app's: after "app",
/// "id =", or as `<id>_<version>`), by the subgraph being processed on its thread, or as the app last named
/// on its thread. Each app gets one `IMECheckIn` per check-in that names it.
public final class IMELogAnalyzer {
    /// Apps in the order they were first named; `appIndex` finds them by id. Kept in an array and changed in
    /// place, so a new phase does not copy the app's check-ins.
    private var apps: [IMEApp] = []
    private var appIndex: [String: Int] = [:]
    private var threadApp: [Int: (id: String, last: Double?)] = [:]
    /// The `Get policies` line that last named each app, with the check-in it was in.
    private var policyRecords: [String: (evidence: IMEEvidence, session: Int?)] = [:]
    private var orphans: [Int: [(CMTraceRecord, IMEEvent)]] = [:]
    private var unattributed: [IMEPhase] = []
    private var lastPhaseWasInstallBehavior: [Int: Bool] = [:]
    /// Check-ins in the order they started, and the one each thread is in (index into `sessions`).
    private var sessions: [IMECheckInSession] = []
    private var threadSession: [Int: Int] = [:]
    /// The apps of the subgraph each thread is processing (`Processing subgraph with app ids: …`).
    private var threadSubgraph: [Int: [String]] = [:]
    /// The app whose dependency chain each thread is processing.
    private var threadChain: [Int: String] = [:]
    private var coverage = IMECoverage()
    private var unknownWordings: Set<Int> = []
    private var files: [String: Int] = [:]
    private var fileSpans: [IMELogFileSpan] = []
    private var lastFile: Int?
    private var utcOffset: IMEUTCOffset?
    /// Records added so far.
    public private(set) var recordCount = 0
    /// Damaged records among them.
    public private(set) var fragmentCount = 0
    /// Whether a record so far is IME's: logged by one of its components, tagged the way it tags lines
    /// (`[Win32App] …`), or recognised as an event. Never means the files are not IME logs at all.
    /// (Checked only until the first one: one is enough, and the test costs on every record.)
    public private(set) var sawIMERecord = false

    /// A thread silent this long (longer than IME's 60-minute default install limit and its hourly
    /// check-in) starts a new check-in when it next names an app without a start line.
    static let sessionGap = 90.0 * 60
    /// How many lines not understood are kept as examples.
    public static let coverageExampleLimit = 20

    /// An analyzer with nothing read; feed it records in time order.
    public init() {}

    /// Reads what `paths` name (`IMELogInput`: log files, Logs folders, diagnostics zips read in place,
    /// `-`), all logs merged in time order, and analyses them. Throws `nothingFound` when not one record is
    /// IME's and no diagnostics collection was read (an empty file, another program's log, a text file), so
    /// a wrong path is never reported as a device where nothing happened; a log that fails part-way is
    /// reported with what was read before it (`readFailures`).
    public static func analyze(paths: [String]) throws -> IMELogReport {
        let analyzer = IMELogAnalyzer()
        let input = try IMELogInput.resolve(paths)
        // Read on a thread of their own while the records before are analysed (see CMTraceBatchReader),
        // the logs merged by time.
        let failures = try CMTraceBatchReader.forEach(merging: CMTraceMerge.streams(input.logs, name: \.name)) { batch in
            for record in batch { analyzer.add(record) }
        }
        // Nothing read and a file failed: that failure is the answer (exit 3), not "nothing found".
        if let first = failures.first, analyzer.recordCount == 0 { throw first }
        // A diagnostics collection is reported even when its logs are missing: what is missing is the answer.
        guard analyzer.sawIMERecord || !input.diagnostics.isEmpty else {
            let names = input.logs.prefix(3).map { ($0.name as NSString).lastPathComponent }.joined(separator: ", ") + (input.logs.count > 3 ? ", …" : "")
            throw IntuneWinError(.nothingFound, path: input.logs.count == 1 ? input.logs[0].name : "\(input.logs.count) files (\(names))",
                                 "no IME log records (\(analyzer.recordCount) lines or records read, none written by the Intune Management Extension)")
        }
        var report = analyzer.report(diagnostics: input.diagnostics)
        report.readFailures = failures.map { "\($0)" }
        report.findings += IMEFindings.readFailureFindings(report.readFailures)
        return report
    }

    /// Feeds one record, in time order.
    public func add(_ record: CMTraceRecord) {
        recordCount += 1
        noteFile(record)
        if record.kind == .fragment { fragmentCount += 1; return }
        let thread = record.thread ?? -1
        var installBehavior = false
        let event = IMEEvent.classify(record.message, installBehavior: &installBehavior)
        if !sawIMERecord, event != nil || installBehavior || Self.looksLikeIME(record) { sawIMERecord = true }
        noteCoverage(record, understood: event != nil || installBehavior)
        if case .policies(let list)? = event {
            let s = currentSession(thread, record)
            for policy in list { mergePolicy(policy); policyRecords[policy.id] = (IMEEvidence(record), s) }
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
        guard let event else { return }
        if handleCheckIn(event, record: record, thread: thread) { return }
        // IME lists every GRS value it stores under a key, also of apps no longer assigned: only the apps the
        // logs name otherwise get one.
        if case .grsFound(_, let named?) = event, appIndex[named] == nil { return }
        let seconds = record.time?.localSeconds
        var id = explicitApp(event) ?? appID(in: record.message, event: event)
        if let found = id { threadApp[thread] = (found, seconds) }
        if id == nil, let current = threadApp[thread] {
            if let a = current.last, let b = seconds, abs(b - a) > 3 * 3600 { threadApp[thread] = nil } else { id = current.id; threadApp[thread] = (current.id, seconds ?? current.last) }
        }
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

    /// The app an event names itself (a GRS key ends with the app's id after the user's).
    private func explicitApp(_ event: IMEEvent) -> String? {
        switch event {
        case .grsFound(_, let id): return id
        case .aggregatedResult(let id, _, _), .dependencyChain(let id, _): return id
        default: return nil
        }
    }

    // MARK: check-ins

    /// Handles the events that concern the check-in rather than one app; true when the event is used up.
    private func handleCheckIn(_ event: IMEEvent, record: CMTraceRecord, thread: Int) -> Bool {
        switch event {
        case .checkInStart(let kind):
            if let i = currentSession(thread, record), !sessions[i].endSeen, sessions[i].appIDs.isEmpty {
                if sessions[i].kind == nil { sessions[i].kind = kind }
            } else {
                openSession(thread, record, kind: kind, startSeen: true)
            }
            return true
        case .checkInEnd:
            if let i = currentSession(thread, record) { sessions[i].endSeen = true; sessions[i].end = record.time ?? sessions[i].end }
            threadSubgraph[thread] = nil
            return true
        case .subgraphCount(let n):
            let i = currentSession(thread, record).flatMap { sessions[$0].endSeen ? nil : $0 } ?? openSession(thread, record, kind: nil, startSeen: false)
            sessions[i].subgraphCount = n
            return true
        case .subgraphApps(let ids):
            threadSubgraph[thread] = ids
            threadChain[thread] = nil
            for id in ids { apply(.subgraphApps(ids), record: record, app: id) }
            if let first = ids.first { threadApp[thread] = (first, record.time?.localSeconds) }
            return true
        case .subgraphDone:
            threadSubgraph[thread] = nil
            return true
        case .filtersNotApplicable, .reevaluationNotDue, .reevaluationSet:
            if case .reevaluationSet(let value) = event, utcOffset == nil, let local = record.time,
               let offset = IMEUTCOffset.infer(utcStamp: value, loggedAt: local) {
                utcOffset = IMEUTCOffset(seconds: offset, evidence: IMEEvidence(record))
            }
            guard let ids = threadSubgraph[thread], !ids.isEmpty else { return false }
            for id in ids { apply(event, record: record, app: id) }
            return true
        case .checkInInfo(let esp, let reason):
            if let i = currentSession(thread, record) {
                if let esp { sessions[i].espPhase = esp }
                if let reason { sessions[i].reason = reason }
            }
            return false
        case .agentVersion(let version):
            if !version.isEmpty, !coverage.agentVersions.contains(version) { coverage.agentVersions.append(version) }
            return true
        default:
            return false
        }
    }

    /// The check-in `thread` is in, unless the thread was silent for `sessionGap` (then none).
    private func currentSession(_ thread: Int, _ record: CMTraceRecord) -> Int? {
        guard let i = threadSession[thread] else { return nil }
        if let now = record.time?.localSeconds, let last = (sessions[i].end ?? sessions[i].start)?.localSeconds, now - last > Self.sessionGap { return nil }
        return i
    }

    @discardableResult
    private func openSession(_ thread: Int, _ record: CMTraceRecord, kind: String?, startSeen: Bool) -> Int {
        sessions.append(IMECheckInSession(number: sessions.count + 1, thread: record.thread, kind: kind, evidence: IMEEvidence(record),
                                          end: record.time, startSeen: startSeen))
        threadSession[thread] = sessions.count - 1
        return sessions.count - 1
    }

    /// The check-in for a record naming an app: the thread's, or a new one when the thread has none.
    private func session(for record: CMTraceRecord) -> Int {
        let thread = record.thread ?? -1
        let i = currentSession(thread, record) ?? openSession(thread, record, kind: nil, startSeen: false)
        if let t = record.time, (sessions[i].end.map { t > $0 } ?? true) { sessions[i].end = t }
        return i
    }

    // MARK: coverage

    private func noteFile(_ record: CMTraceRecord) {
        let index: Int
        if let last = lastFile, fileSpans[last].source == record.source { index = last }
        else if let i = files[record.source] { index = i } else {
            fileSpans.append(IMELogFileSpan(source: record.source, recordCount: 0))
            index = fileSpans.count - 1
            files[record.source] = index
        }
        lastFile = index
        fileSpans[index].recordCount += 1
        if let t = record.time {
            if fileSpans[index].first.map({ t < $0 }) ?? true { fileSpans[index].first = t }
            if fileSpans[index].last.map({ t > $0 }) ?? true { fileSpans[index].last = t }
        }
    }

    private func noteCoverage(_ record: CMTraceRecord, understood: Bool) {
        if record.message.utf8.count > 200, IMEBytes.withUTF8(record.message, { b in b.baseAddress.map { memchr($0, 0x0A, b.count) != nil } ?? false }),
           let version = IMEAgentVersion.fromTelemetry(record.message),
           !coverage.agentVersions.contains(version) {
            coverage.agentVersions.append(version)
        }
        guard IMEKnownLines.isWin32(record) else { return }
        coverage.win32RecordCount += 1
        if understood || IMEKnownLines.isKnown(record.message) { coverage.understoodCount += 1; return }
        if unknownWordings.insert(IMEKnownLines.wordingHash(record.firstLine)).inserted {
            coverage.unknownWordingCount += 1
            if coverage.examples.count < Self.coverageExampleLimit { coverage.examples.append(IMEEvidence(record)) }
        }
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

    // MARK: report

    /// The apps in the order they first appeared, their check-ins, and the findings.
    public func report(diagnostics: [DiagnosticsCollection] = []) -> IMELogReport {
        for (_, list) in orphans.sorted(by: { $0.key < $1.key }) { for (r, e) in list { unattributed.append(Self.loosePhase(e, r)) } }
        orphans = [:]
        unattributed.sort { ($0.evidence.source, $0.evidence.line) < ($1.evidence.source, $1.evidence.line) }
        // Check-ins that named no app are left out; the rest numbered again from 1.
        var renumber: [Int: Int] = [:]
        var kept: [IMECheckInSession] = []
        for s in sessions where !s.appIDs.isEmpty {
            var copy = s
            copy.number = kept.count + 1
            renumber[s.number] = copy.number
            kept.append(copy)
        }
        var list = apps
        // Apps IME's registry export knows and the logs do not name (their lines rotated away).
        var known = Set(list.map(\.id))
        for state in IMERegistryFacts.combined(diagnostics).apps where IMEEvent.firstGUID(in: state.appId) != nil {
            let id = state.appId.lowercased()
            if known.insert(id).inserted { list.append(IMEApp(id: id)) }
        }
        for a in list.indices { list[a].checkIns.removeAll { $0.phases.isEmpty } }
        for a in list.indices {
            for c in list[a].checkIns.indices { list[a].checkIns[c].session = list[a].checkIns[c].session.flatMap { renumber[$0] } }
        }
        var report = IMELogReport(apps: list, findings: [], recordCount: recordCount, fragmentCount: fragmentCount,
                                  unattributed: unattributed, sessions: kept, coverage: coverage, files: fileSpans)
        report.utcOffset = utcOffset
        report.diagnostics = diagnostics
        report.findings = IMEFindings.find(in: report)
        return report
    }

    /// A phase for an event no app could be tied to.
    static func loosePhase(_ event: IMEEvent, _ record: CMTraceRecord) -> IMEPhase {
        let kind: IMEPhase.Kind
        switch event {
        case .installTimeout, .skipCleanupTimeout: kind = .timeout
        case .doFailure, .decryptFailed: kind = .downloadFailure
        case .downloadTimeout: kind = .downloadTimeout
        case .exitCode, .unmappedExitCode: kind = .exitCode
        case .removeIncoming: kind = .cleanupIncoming
        case .cleanupIMECache: kind = .cleanupIMECache
        case .detected: kind = .detectionAfter
        default: kind = .processing
        }
        return IMEPhase(kind: kind, detail: record.firstLine, evidence: IMEEvidence(record))
    }

    /// The app a message names: the first GUID that is a known app, else the first GUID written as an app's
    /// (after "app", "id =" …, or as an `<id>_<version>` content path) and not a user's or a subgraph's.
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
        // A user's id ("for user X") or a subgraph's ("subgraph with id: X") is never an app's.
        for word in [[UInt8]("user".utf8), [UInt8]("graph".utf8)] where before.count >= word.count {
            for k in 0...(before.count - word.count) where lower(before[k]) == word[0] {
                if (1..<word.count).allSatisfy({ lower(before[k + $0]) == word[$0] }) { return false }
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
        if window.lowercased().contains("user") || window.lowercased().contains("graph") { return false }
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
        var app = apps[index]
        app.name = policy.name.isEmpty ? app.name : policy.name
        app.version = policy.version ?? app.version
        app.intent = policy.intent ?? app.intent
        app.installCommand = policy.installCommand ?? app.installCommand
        app.uninstallCommand = policy.uninstallCommand ?? app.uninstallCommand
        app.installContext = policy.installContext ?? app.installContext
        app.maxRetries = policy.maxRetries ?? app.maxRetries
        app.retryIntervalMinutes = policy.retryIntervalMinutes ?? app.retryIntervalMinutes
        app.maxRunTimeMinutes = policy.maxRunTimeMinutes ?? app.maxRunTimeMinutes
        if !policy.detectionTypes.isEmpty { app.detectionTypes = policy.detectionTypes }
        for d in policy.dependencies where !app.dependencies.contains(d) { app.dependencies.append(d) }
        for d in policy.supersedes where !app.supersedes.contains(d) { app.supersedes.append(d) }
        apps[index] = app
    }

    private func apply(_ event: IMEEvent, record: CMTraceRecord, app id: String) {
        let index = slot(id)
        let s = session(for: record)
        if sessions[s].appIDs.last != id, !sessions[s].appIDs.contains(id) { sessions[s].appIDs.append(id) }
        // One check-in per app per poller check-in.
        if apps[index].checkIns.last?.session != s + 1 {
            var checkIn = IMECheckIn(session: s + 1, thread: record.thread)
            checkIn.reason = sessions[s].reason
            checkIn.espPhase = sessions[s].espPhase
            checkIn.intent = apps[index].intent
            if let policy = policyRecords.removeValue(forKey: id), policy.session == nil || policy.session == s {
                checkIn.phases.append(IMEPhase(kind: .policyReceived, detail: "", evidence: policy.evidence))
            }
            if let chain = threadChain[record.thread ?? -1], chain != id { checkIn.dependencyOf = chain }
            apps[index].checkIns.append(checkIn)
        }
        apply(event, record: record, id: id, to: &apps[index])
        // A dependency's result within a chain: the chain's app depends on it.
        if case .aggregatedResult = event, let parent = threadChain[record.thread ?? -1], parent != id, let p = appIndex[parent],
           !apps[p].dependencies.contains(id) {
            apps[p].dependencies.append(id)
        }
    }

    private func apply(_ event: IMEEvent, record: CMTraceRecord, id: String, to app: inout IMEApp) {
        let evidence = IMEEvidence(record)
        let last = app.checkIns.count - 1
        func phase(_ kind: IMEPhase.Kind, _ detail: String = "") {
            let new = IMEPhase(kind: kind, detail: detail, evidence: evidence)
            if let previous = app.checkIns[last].phases.last, previous.kind == kind, previous.detail == detail, kind != .processing { return }
            app.checkIns[last].phases.append(new)
        }
        func update(_ body: (inout IMECheckIn) -> Void) { body(&app.checkIns[last]) }
        func download(_ body: (inout IMEDownload) -> Void) {
            var d = app.checkIns[last].download ?? IMEDownload()
            body(&d)
            app.checkIns[last].download = d
        }
        func grs(_ body: (inout IMEGRS) -> Void) {
            var g = app.checkIns[last].grs ?? IMEGRS()
            body(&g)
            app.checkIns[last].grs = g
        }
        func name(_ text: String?) {
            if let text, !text.isEmpty, app.name == nil { app.name = text }
        }
        let current = app.checkIns[last]
        switch event {
        case .policies, .checkInStart, .checkInEnd, .subgraphCount, .subgraphDone, .agentVersion: break
        case .subgraphApps(let ids):
            phase(.processing, ids.count > 1 ? "evaluated with \(ids.count - 1) related app\(ids.count == 2 ? "" : "s") (dependencies or supersedence)" : "evaluated")
        case .checkInInfo(let esp, let reason):
            update { c in c.espPhase = esp ?? c.espPhase; c.reason = reason ?? c.reason }
        case .filtersNotApplicable:
            update { $0.notApplicable = "assignment filters" }; phase(.notApplicable, "not applicable: assignment filters")
        case .reevaluationNotDue:
            update { $0.reevaluationNotDue = true }; phase(.reevaluation, "re-evaluation interval not expired: skipped")
        case .reevaluationSet(let value):
            grs { $0.nextReevaluation = value }; phase(.reevaluation, "next re-evaluation \(value)")
        case .grsFound(let value, _):
            grs { g in g.value = value; g.valueUTC = IMEGRS.parseUTC(value) ?? g.valueUTC }
            phase(.grs, IMEGRS.parseUTC(value) == nil ? "no GRS time recorded (\(value))" : "GRS time \(value) UTC")
        case .grsState(let expired, let none, let utc):
            grs { g in
                g.expired = expired; g.none = none
                if let utc, let date = IMEGRS.parseUTC(utc) { g.valueUTC = date; g.value = g.value ?? utc }
            }
            phase(.grs, none ? "no GRS value (treated as expired)" : expired ? "GRS expired" : "GRS not expired: not enforced")
        case .grsCleared: grs { $0.cleared = true }; phase(.grs, "GRS cleared")
        case .grsSaved(let value): grs { $0.saved = value }
        case .contentRequest(let n, let version, let intent):
            name(n); if app.version == nil { app.version = version }; if let intent, app.intent == nil { app.intent = intent }
            phase(.contentInfo, "content info requested")
        case .named(let n): name(n)
        case .processingApp(_, let n, let intent):
            name(n)
            if let intent { app.intent = intent; update { $0.intent = intent } }
            phase(.processing, record.firstLine)
        case .dependencyChain(let parent, let n):
            name(n)
            threadChain[record.thread ?? -1] = parent
            phase(.dependency, "dependency chain starts")
        case .aggregatedResult(_, let n, let result):
            name(n)
            update { $0.aggregatedResult = result }; phase(.dependency, "aggregated result \(result)")
        case .desiredState(let intent):
            if let n = IMEApp.intent(named: intent) { update { $0.intent = n }; if app.intent == nil { app.intent = n } }
        case .detectionRuleType(let n): update { $0.detectionTypes.append(n) }
        case .detected(let value):
            if current.first(.detectionAfter) != nil || current.phases.last?.kind == .install || current.exitCode != nil {
                update { $0.detectedAfter = value }; phase(.detectionAfter, value ? "detected" : "not detected")
            } else {
                update { $0.detectedBefore = value }; phase(.detectionBefore, value ? "detected" : "not detected")
            }
        case .alreadyDetected: update { $0.detectedBefore = true }; phase(.detectionBefore, "detected, skip applicability")
        case .applicability(let state):
            update { $0.applicability = state }
            phase(.applicability, state)
            if state != "Applicable", !state.hasPrefix("Applicable"), !state.isEmpty, current.notApplicable == nil {
                update { $0.notApplicable = "requirement rules not met (\(state))" }
                phase(.notApplicable, "not applicable: \(state)")
            }
        case .reportedApplicable(let state):
            update { c in c.notApplicable = nil; c.applicability = "\(state), reported as Applicable (detected, or not wanted on the device)" }
            phase(.applicability, "\(state): reported as Applicable (detected, or not wanted on the device)")
        case .grsExpired: grs { $0.expired = true }; phase(.grs, "GRS expired")
        case .grsSkip: app.grsSkips.append(evidence); grs { $0.expired = false }; phase(.grsSkip, record.firstLine)
        case .downloadStart:
            if current.download == nil { download { _ in } }
            if current.last(.download) == nil { phase(.download, "start") }
        case .contentInfo: app.contentInfo.append(record); phase(.contentInfo, "content info received")
        case .downloadURL(let url): download { $0.url = url }; phase(.download, url)
        case .cacheMiss(let n): name(n); phase(.download, "content cache miss")
        case .cacheFound: download { $0.cacheFound = true }; phase(.download, "content cache found, skip downloading")
        case .doJobStart: download { $0.mode = "DO" }; phase(.download, "DO job")
        case .doProgress(let bytes, let total, let n):
            name(n)
            download { d in
                d.mode = d.mode ?? "DO"
                if total > 0 { d.totalBytes = total }
                if d.samples.last?.bytes != bytes || d.samples.last?.time == nil || record.time == nil || d.samples.count < 2 {
                    d.samples.append(IMEDownload.Sample(time: record.time, bytes: bytes))
                } else {
                    // Same bytes again: keep the first and the latest of the run (a stall's start and end).
                    if d.samples.count >= 2, d.samples[d.samples.count - 2].bytes == bytes { d.samples[d.samples.count - 1].time = record.time }
                    else { d.samples.append(IMEDownload.Sample(time: record.time, bytes: bytes)) }
                }
            }
            phase(.downloadProgress, "\(IMEBytes.size(bytes)) of \(IMEBytes.size(total))")
        case .doFailure(let text): download { $0.failed = true }; phase(.downloadFailure, text)
        case .downloadTimeout(let text): download { $0.timedOut = true }; phase(.downloadTimeout, text)
        case .actionStatus(let handler, let status):
            if handler == "Download" || current.download != nil && handler == "Execution" {
                download { d in d.actionStatus = status; if status == "Timeout" { d.timedOut = true } else if status == "Failed" { d.failed = true } }
                phase(status == "Timeout" ? .downloadTimeout : .download, "download handler: \(status)")
            } else {
                phase(.processing, "\(handler) handler: \(status)")
            }
        case .downloadInBackground(let status):
            download { d in d.inBackground = true; d.actionStatus = d.actionStatus ?? status; if status == "Timeout" { d.timedOut = true } }
            phase(.download, "download continues in the background (\(status))")
        case .cdn(let url):
            let fallback = current.download?.failed == true || current.download?.timedOut == true
            download { $0.mode = "CDN"; $0.url = url }; phase(fallback ? .cdnFallback : .download, "CDN " + url)
        case .cdnComplete: download { $0.finishedBytes = $0.finishedBytes ?? $0.totalBytes }; phase(.download, "CDN download complete")
        case .hashVerifyStart: phase(.hashValidation, "start")
        case .hmacPass: phase(.hashValidation, "hmac pass")
        case .decrypted: phase(.decryption, "done")
        case .decryptFailed: download { $0.failed = true }; phase(.decryption, "failed")
        case .downloadedSize(let n): download { $0.finishedBytes = n }
        case .downloadMilliseconds(let ms): download { $0.milliseconds = ms }
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
            if let code, code == imeInstallTimedOut { update { $0.timedOut = true }; phase(.timeout, record.firstLine) }
            update { c in var r = c.reported ?? IMEReportedState(); r.state = state; r.errorCode = code ?? r.errorCode; c.reported = r }
            phase(.reporting, "enforcement \(state)" + (code.map { ", error \(IMEFindings.hex($0))" } ?? ""))
        case .reportDelta(let state, let previous, let code, let detection):
            update { c in
                var r = c.reported ?? IMEReportedState()
                if let state { r.previousState = previous ?? r.state; r.state = state }
                if let code { r.errorCode = code }
                if let detection { r.detectionState = detection }
                c.reported = r
            }
            var parts: [String] = []
            if let state { parts.append("enforcement \(previous ?? "?") → \(state)") }
            if let code { parts.append("error \(IMEFindings.hex(code))" + (code == imeInstalledButNotDetected ? " (installed but not detected)" : "")) }
            if let detection { parts.append("detection \(detection)") }
            phase(.reporting, "report: " + (parts.isEmpty ? "changed" : parts.joined(separator: ", ")))
        case .statusUpdate(let status, let code):
            update { c in var r = c.reported ?? IMEReportedState(); r.status = status; if let code, code != 0 { r.errorCode = code }; c.reported = r }
            phase(.reporting, "status \(status)" + (code.flatMap { $0 == 0 ? nil : ", error \(IMEFindings.hex($0))" } ?? ""))
        case .noActionRequired: update { $0.noActionRequired = true }; phase(.processing, "no action required")
        case .unexpectedState(let reason): update { $0.aborted = reason }; phase(.aborted, reason)
        case .reportingStart: phase(.reporting, "start")
        case .reportingSent: phase(.reporting, "sent")
        }
    }
}

extension IMEApp {
    /// IME's intent number for the action processor's name of it (`RequiredInstall` → 3).
    static func intent(named name: String) -> Int? {
        switch name {
        case "RequiredInstall": return 3
        case "AvailableInstall": return 1
        case "RequiredUninstall": return 4
        case "NotTargeted", "None": return 0
        default: return nil
        }
    }
}
