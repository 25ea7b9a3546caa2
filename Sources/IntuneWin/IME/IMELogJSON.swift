import Foundation

// The IME log report as JSON (`ime-log --json`, docs/schemas/ime-log.schema.json): what a script needs
// from each app's attempts and the findings, with evidence lines. Absent values are left out.

/// A report in its JSON shape; each app's GetContentInfo replies only when asked for.
public struct IMELogJSON: Encodable {
    public let report: IMELogReport
    public let includeContentInfo: Bool
    /// Lines not understood, quoted under `coverage.examples` (the tool's --verbose).
    public let includeExamples: Bool

    public init(_ report: IMELogReport, includeContentInfo: Bool, includeExamples: Bool = false) {
        self.report = report
        self.includeContentInfo = includeContentInfo
        self.includeExamples = includeExamples
    }

    enum CodingKeys: String, CodingKey {
        case recordCount, fragmentCount, timeZone, utcOffsetMinutes, agentVersions, coverage, files, readFailures, diagnostics, checkIns, apps, findings
        case records, fragments  // the 0.1 names of recordCount and fragmentCount, until the next release
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(report.recordCount, forKey: .recordCount)
        try c.encode(report.fragmentCount, forKey: .fragmentCount)
        try c.encode(report.timeZoneNote, forKey: .timeZone)
        try c.encodeIfPresent(report.utcOffset.map { $0.seconds / 60 }, forKey: .utcOffsetMinutes)
        try c.encode(report.coverage.agentVersions, forKey: .agentVersions)
        try c.encode(IMECoverageJSON(coverage: report.coverage, includeExamples: includeExamples), forKey: .coverage)
        try c.encode(report.files, forKey: .files)
        try c.encode(report.readFailures, forKey: .readFailures)
        try c.encode(report.diagnostics, forKey: .diagnostics)
        try c.encode(report.sessions, forKey: .checkIns)
        let registry = report.registry
        try c.encode(report.apps.map { IMEAppJSON(app: $0, includeContentInfo: includeContentInfo, registry: registry) }, forKey: .apps)
        try c.encode(report.findings, forKey: .findings)
        try c.encode(report.recordCount, forKey: .records)
        try c.encode(report.fragmentCount, forKey: .fragments)
    }
}

extension IMELogReport {
    /// How to read the times: IME writes the device's local time without an offset.
    public var timeZoneNote: String {
        if let offset = utcOffset {
            return "device local time as IME writes it, \(offset.description) (inferred from IME's UTC stamps, \(IMEFindings.fileName(offset.evidence.source)):\(offset.evidence.line))"
        }
        if let bias = files.compactMap({ $0.first?.biasMinutes }).first {
            return "times as written, with the writer's bias (UTC = local + \(bias) min)"
        }
        return "device local time as IME writes it; the logs carry no UTC offset"
    }
}

private struct IMECoverageJSON: Encodable {
    let coverage: IMECoverage
    let includeExamples: Bool
    enum CodingKeys: String, CodingKey { case win32RecordCount, understoodCount, notUnderstoodCount, unknownWordingCount, examples }
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(coverage.win32RecordCount, forKey: .win32RecordCount)
        try c.encode(coverage.understoodCount, forKey: .understoodCount)
        try c.encode(coverage.notUnderstoodCount, forKey: .notUnderstoodCount)
        try c.encode(coverage.unknownWordingCount, forKey: .unknownWordingCount)
        if includeExamples { try c.encode(coverage.examples, forKey: .examples) }
    }
}

extension IMELogFileSpan: Encodable {
    enum CodingKeys: String, CodingKey { case source, recordCount, first, last }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(source, forKey: .source)
        try c.encode(recordCount, forKey: .recordCount)
        try c.encodeIfPresent(first?.description, forKey: .first)
        try c.encodeIfPresent(last?.description, forKey: .last)
    }
}

extension IMECheckInSession: Encodable {
    enum CodingKeys: String, CodingKey { case number, thread, kind, reason, espPhase, subgraphCount, start, end, durationMs, startSeen, endSeen, appCount, source, line }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(number, forKey: .number)
        try c.encodeIfPresent(thread, forKey: .thread)
        try c.encodeIfPresent(kind, forKey: .kind)
        try c.encodeIfPresent(reason, forKey: .reason)
        try c.encodeIfPresent(espPhase, forKey: .espPhase)
        try c.encodeIfPresent(subgraphCount, forKey: .subgraphCount)
        try c.encodeIfPresent(start?.description, forKey: .start)
        try c.encodeIfPresent(end?.description, forKey: .end)
        if let a = start?.localSeconds, let b = end?.localSeconds, b >= a { try c.encode(Int(((b - a) * 1000).rounded()), forKey: .durationMs) }
        try c.encode(startSeen, forKey: .startSeen)
        try c.encode(endSeen, forKey: .endSeen)
        try c.encode(appIDs.count, forKey: .appCount)
        try c.encode(evidence.source, forKey: .source)
        try c.encode(evidence.line, forKey: .line)
    }
}

extension IMELogReport {
    /// Only the apps `selector` names (an id, an id prefix, or part of a name, case-insensitive) and their
    /// findings. Throws a nothing-found error naming the apps that are in the logs when none matches.
    public func only(app selector: String) throws -> IMELogReport {
        let key = selector.lowercased()
        var report = self
        report.apps = apps.filter { $0.id == key }
        if report.apps.isEmpty { report.apps = apps.filter { $0.id.hasPrefix(key) } }
        if report.apps.isEmpty, !key.isEmpty { report.apps = apps.filter { $0.name?.lowercased().contains(key) == true } }
        let ids = Set(report.apps.map(\.id))
        report.findings = findings.filter { $0.appID.map(ids.contains) ?? false }
        let sessionNumbers = Set(report.apps.flatMap { $0.checkIns.compactMap(\.session) })
        report.sessions = sessions.filter { sessionNumbers.contains($0.number) }
        guard !report.apps.isEmpty else {
            let known = apps.prefix(5).map(\.label).joined(separator: ", ") + (apps.count > 5 ? ", …" : "")
            throw IntuneWinError(.nothingFound, path: "", "no app matches '\(selector)' (an id, an id prefix or part of a name)" + (apps.isEmpty ? " (no app found)" : " (apps: \(known))"))
        }
        return report
    }
}

extension IMEApp {
    /// IME's targeting intent by name: 0 not targeted, 1 available, 3 required, 4 uninstall.
    /// IME's intent as a word: `required`, `available`, `uninstall`, `not targeted`.
    public static func intentWord(_ intent: Int) -> String {
        switch intent {
        case 0: return "not targeted"
        case 1: return "available"
        case 3: return "required"
        case 4: return "uninstall"
        default: return "intent \(intent)"
        }
    }

    /// IME's targeting intent by name: 0 not targeted, 1 available, 3 required, 4 uninstall.
    public static func intentName(_ intent: Int) -> String {
        switch intent {
        case 0: return "0 (not targeted)"
        case 1: return "1 (available)"
        case 3: return "3 (required)"
        case 4: return "4 (uninstall)"
        default: return "\(intent)"
        }
    }
}

extension IMEContentInfo {
    /// The size of the encrypted `.bin` IME downloads for this plaintext size: 48 header bytes (HMAC and
    /// IV) plus the AES-CBC ciphertext, padded (PKCS#7) to the next whole 16-byte block.
    public var encryptedSize: UInt64? { originalSize.map { ($0 / 16 + 1) * 16 + 48 } }
}

private struct IMEAppJSON: Encodable {
    let app: IMEApp
    let includeContentInfo: Bool
    let registry: IMERegistryFacts

    enum CodingKeys: String, CodingKey {
        case id, name, version, intent, intentName, installCommand, uninstallCommand, installContext, detectionTypes, maxRetries,
             retryIntervalMinutes, maxRunTimeMinutes, dependencies, supersedes, lastResult, lastCheckInStart, registry, checkIns, contentInfo
        case attempts  // the 0.1 name of checkIns, until the next release
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(app.id, forKey: .id)
        try c.encodeIfPresent(app.name, forKey: .name)
        try c.encodeIfPresent(app.version, forKey: .version)
        try c.encodeIfPresent(app.intent, forKey: .intent)
        try c.encodeIfPresent(app.intent.map(IMEApp.intentWord), forKey: .intentName)
        try c.encodeIfPresent(app.installCommand, forKey: .installCommand)
        try c.encodeIfPresent(app.uninstallCommand, forKey: .uninstallCommand)
        try c.encodeIfPresent(app.installContext, forKey: .installContext)
        try c.encode(app.detectionTypes, forKey: .detectionTypes)
        try c.encodeIfPresent(app.maxRetries, forKey: .maxRetries)
        try c.encodeIfPresent(app.retryIntervalMinutes, forKey: .retryIntervalMinutes)
        try c.encodeIfPresent(app.maxRunTimeMinutes, forKey: .maxRunTimeMinutes)
        try c.encode(app.dependencies, forKey: .dependencies)
        try c.encode(app.supersedes, forKey: .supersedes)
        if let last = app.lastCheckIn {
            try c.encode(last.outcome, forKey: .lastResult)
            try c.encodeIfPresent(last.start?.description, forKey: .lastCheckInStart)
        }
        let states = registry.apps.filter { $0.appId.lowercased() == app.id }
        let grs = registry.grs.filter { $0.appId.lowercased() == app.id }
        let installed = DiagnosticsText.installed(app, registry: registry)
        if !states.isEmpty || !grs.isEmpty || !installed.isEmpty {
            try c.encode(IMEAppRegistryJSON(states: states, grs: grs, installed: installed), forKey: .registry)
        }
        try c.encode(app.checkIns, forKey: .checkIns)
        try c.encode(app.checkIns, forKey: .attempts)
        if includeContentInfo { try c.encode(app.contentInfo.compactMap(IMEContentInfo.init), forKey: .contentInfo) }
    }
}

/// What a diagnostics collection's registry exports say about one app.
private struct IMEAppRegistryJSON: Encodable {
    let states: [IMERegistryFacts.AppState]
    let grs: [IMERegistryFacts.GRSValue]
    let installed: [IMERegistryFacts.InstalledProduct]
}

extension IMERegistryFacts.AppState: Encodable {
    enum CodingKeys: String, CodingKey { case userId, revision, enforcementState, enforcementStateName, errorCode, exitCode, complianceState, desiredState }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(userId, forKey: .userId)
        try c.encodeIfPresent(revision, forKey: .revision)
        try c.encodeIfPresent(enforcementState, forKey: .enforcementState)
        try c.encodeIfPresent(enforcementState.map(IMERegistryFacts.enforcementStateName), forKey: .enforcementStateName)
        try c.encodeIfPresent(enforcementErrorCode.map { IMEFindings.hex(Int32(truncatingIfNeeded: $0)) }, forKey: .errorCode)
        try c.encodeIfPresent(exitCode, forKey: .exitCode)
        try c.encodeIfPresent(complianceState, forKey: .complianceState)
        try c.encodeIfPresent(desiredState, forKey: .desiredState)
    }
}

extension IMERegistryFacts.GRSValue: Encodable {
    enum CodingKeys: String, CodingKey { case userId, time }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(userId, forKey: .userId)
        try c.encode(time, forKey: .time)
    }
}

extension IMERegistryFacts.InstalledProduct: Encodable {
    enum CodingKeys: String, CodingKey { case key, wow6432, displayName, displayVersion, publisher }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key, forKey: .key)
        try c.encode(wow6432, forKey: .wow6432)
        try c.encodeIfPresent(displayName, forKey: .displayName)
        try c.encodeIfPresent(displayVersion, forKey: .displayVersion)
        try c.encodeIfPresent(publisher, forKey: .publisher)
    }
}

extension DiagnosticsCollection: Encodable {
    enum CodingKeys: String, CodingKey { case path, deviceName, collectedAtUtc, layout, hasResults, collectionHresult, evidence, items, logFolders, problems, registryAppCount, registryGrsCount, installedProductCount }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encodeIfPresent(deviceName, forKey: .deviceName)
        try c.encodeIfPresent(collectedAt.map(IMEFindings.utcText), forKey: .collectedAtUtc)
        try c.encode(layout.rawValue, forKey: .layout)
        try c.encode(hasResults, forKey: .hasResults)
        try c.encodeIfPresent(collectionHRESULT.map(DiagnosticsCollection.hex), forKey: .collectionHresult)
        try c.encode(evidence, forKey: .evidence)
        try c.encode(items, forKey: .items)
        try c.encode(logFolders, forKey: .logFolders)
        try c.encode(problems, forKey: .problems)
        try c.encode(registry.apps.count, forKey: .registryAppCount)
        try c.encode(registry.grs.count, forKey: .registryGrsCount)
        try c.encode(registry.installed.count, forKey: .installedProductCount)
    }
}

extension DiagnosticsEvidence: Encodable {
    enum CodingKeys: String, CodingKey { case kind, present, failures }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind.rawValue, forKey: .kind)
        try c.encode(present, forKey: .present)
        try c.encode(failures.map(DiagnosticsCollection.hex), forKey: .failures)
    }
}

extension DiagnosticsItem: Encodable {
    enum CodingKeys: String, CodingKey { case number, kind, target, hresult, noResultsError, collected, fileCount }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(number, forKey: .number)
        try c.encode(kind, forKey: .kind)
        try c.encode(target, forKey: .target)
        try c.encodeIfPresent(hresult.map(DiagnosticsCollection.hex), forKey: .hresult)
        try c.encodeIfPresent(noResultsError.map(DiagnosticsCollection.hex), forKey: .noResultsError)
        try c.encode(collected, forKey: .collected)
        try c.encode(files.count, forKey: .fileCount)
    }
}

extension IMEOutcome: Encodable {
    enum CodingKeys: String, CodingKey { case kind, text, errorCode, failure }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind.rawValue, forKey: .kind)
        try c.encode(text, forKey: .text)
        try c.encodeIfPresent(errorCode.map(IMEFindings.hex), forKey: .errorCode)
        try c.encode(isFailure, forKey: .failure)
    }
}

extension IMECheckIn: Encodable {
    enum CodingKeys: String, CodingKey {
        case checkIn, thread, reason, espPhase, start, end, durationMs, result, phases, retries, timedOut, exitCode, hresult, exitCodeMeaning,
             exitCodeMapping, processId, detectedBefore, detectedAfter, applicability, notApplicable, grs, download, installContext,
             installCommand, reported, noActionRequired, aborted, aggregatedResult, dependencyOf
        case downloadMode, downloadBytes, downloadMilliseconds  // the 0.1 names, until the next release
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(session, forKey: .checkIn)
        try c.encodeIfPresent(thread, forKey: .thread)
        try c.encodeIfPresent(reason, forKey: .reason)
        try c.encodeIfPresent(espPhase, forKey: .espPhase)
        try c.encodeIfPresent(start?.description, forKey: .start)
        try c.encodeIfPresent(end?.description, forKey: .end)
        try c.encodeIfPresent(durationSeconds.map { Int(($0 * 1000).rounded()) }, forKey: .durationMs)
        try c.encode(outcome, forKey: .result)
        try c.encode(phases, forKey: .phases)
        try c.encode(retries, forKey: .retries)
        try c.encode(timedOut, forKey: .timedOut)
        try c.encodeIfPresent(exitCode, forKey: .exitCode)
        try c.encodeIfPresent(hresult.map(IMEFindings.hex), forKey: .hresult)
        try c.encodeIfPresent(exitCode.map { ExitCodeMeaning($0).description }, forKey: .exitCodeMeaning)
        try c.encodeIfPresent(exitCodeMapping, forKey: .exitCodeMapping)
        try c.encodeIfPresent(processID, forKey: .processId)
        try c.encodeIfPresent(detectedBefore, forKey: .detectedBefore)
        try c.encodeIfPresent(detectedAfter, forKey: .detectedAfter)
        try c.encodeIfPresent(applicability, forKey: .applicability)
        try c.encodeIfPresent(notApplicable, forKey: .notApplicable)
        try c.encodeIfPresent(grs, forKey: .grs)
        try c.encodeIfPresent(download, forKey: .download)
        try c.encodeIfPresent(installContext, forKey: .installContext)
        try c.encodeIfPresent(installCommand, forKey: .installCommand)
        try c.encodeIfPresent(reported, forKey: .reported)
        try c.encode(noActionRequired, forKey: .noActionRequired)
        try c.encodeIfPresent(aborted, forKey: .aborted)
        try c.encodeIfPresent(aggregatedResult, forKey: .aggregatedResult)
        try c.encodeIfPresent(dependencyOf, forKey: .dependencyOf)
        try c.encodeIfPresent(download?.mode, forKey: .downloadMode)
        try c.encodeIfPresent(download?.finishedBytes ?? download?.totalBytes, forKey: .downloadBytes)
        try c.encodeIfPresent(download?.milliseconds, forKey: .downloadMilliseconds)
    }
}

extension IMEGRS: Encodable {
    enum CodingKeys: String, CodingKey { case value, expired, noValue, cleared, saved, nextReevaluation, earliestRetryUtc }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(value, forKey: .value)
        try c.encodeIfPresent(expired, forKey: .expired)
        try c.encode(none, forKey: .noValue)
        try c.encode(cleared, forKey: .cleared)
        try c.encodeIfPresent(saved, forKey: .saved)
        try c.encodeIfPresent(nextReevaluation, forKey: .nextReevaluation)
        try c.encodeIfPresent(earliestRetryUTC.map { IMEFindings.utcText($0) }, forKey: .earliestRetryUtc)
    }
}

extension IMEDownload: Encodable {
    enum CodingKeys: String, CodingKey {
        case mode, url, contentSize, transferredSize, completed, bytesPerSecond, durationMs, cacheFound, failed, timedOut, inBackground, actionStatus, samples, stall
    }
    private struct SampleJSON: Encodable { let time: String?; let transferredSize: UInt64 }
    private struct StallJSON: Encodable { let from: String; let to: String; let durationMs: Int; let transferredSize: UInt64 }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(mode, forKey: .mode)
        try c.encodeIfPresent(url, forKey: .url)
        try c.encodeIfPresent(totalBytes, forKey: .contentSize)
        try c.encodeIfPresent(bytesDone, forKey: .transferredSize)
        try c.encode(completed, forKey: .completed)
        try c.encodeIfPresent(bytesPerSecond.map { $0.rounded() }, forKey: .bytesPerSecond)
        try c.encodeIfPresent(milliseconds.map { Int($0.rounded()) }, forKey: .durationMs)
        try c.encode(cacheFound, forKey: .cacheFound)
        try c.encode(failed, forKey: .failed)
        try c.encode(timedOut, forKey: .timedOut)
        try c.encode(inBackground, forKey: .inBackground)
        try c.encodeIfPresent(actionStatus, forKey: .actionStatus)
        try c.encode(samples.map { SampleJSON(time: $0.time?.description, transferredSize: $0.bytes) }, forKey: .samples)
        if let s = longestStall(minimumSeconds: IMEFindings.stallSeconds) {
            try c.encode(StallJSON(from: s.from.description, to: s.to.description, durationMs: Int(((s.to.localSeconds - s.from.localSeconds) * 1000).rounded()), transferredSize: s.bytes), forKey: .stall)
        }
    }
}

extension IMEReportedState: Encodable {
    enum CodingKeys: String, CodingKey { case previousState, state, errorCode, errorMeaning, status, detectionState }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(previousState, forKey: .previousState)
        try c.encodeIfPresent(state, forKey: .state)
        try c.encodeIfPresent(errorCode.map(IMEFindings.hex), forKey: .errorCode)
        try c.encodeIfPresent(errorCode.map { ExitCodeMeaning(UInt32(bitPattern: $0)).description }, forKey: .errorMeaning)
        try c.encodeIfPresent(status, forKey: .status)
        try c.encodeIfPresent(detectionState, forKey: .detectionState)
    }
}

extension IMEPhase: Encodable {
    enum CodingKeys: String, CodingKey { case kind, detail, time, source, line }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind.rawValue, forKey: .kind)
        try c.encode(detail, forKey: .detail)
        try c.encode(time?.description ?? "", forKey: .time)
        try c.encode(evidence.source, forKey: .source)
        try c.encode(evidence.line, forKey: .line)
    }
}

extension IMEEvidence: Encodable {
    enum CodingKeys: String, CodingKey { case source, line, time, text }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(source, forKey: .source)
        try c.encode(line, forKey: .line)
        try c.encode(time?.description ?? "", forKey: .time)
        try c.encode(text, forKey: .text)
    }
}

extension IMEFinding: Encodable {
    enum CodingKeys: String, CodingKey { case kind, summary, evidence, app, suggestion }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind.rawValue, forKey: .kind)
        try c.encode(summary, forKey: .summary)
        try c.encode(evidence, forKey: .evidence)
        try c.encodeIfPresent(appID, forKey: .app)
        try c.encodeIfPresent(suggestion, forKey: .suggestion)
    }
}

extension IMEContentInfo: Encodable {
    enum CodingKeys: String, CodingKey {
        case source, line, applicationId, uploadLocation, originalSize, doFileId, decryptInfo, recipients, neededKey, contentEncryption
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(evidence.source, forKey: .source)
        try c.encode(evidence.line, forKey: .line)
        try c.encodeIfPresent(applicationID, forKey: .applicationId)
        try c.encodeIfPresent(uploadLocation, forKey: .uploadLocation)
        try c.encodeIfPresent(originalSize, forKey: .originalSize)
        try c.encodeIfPresent(doFileID, forKey: .doFileId)
        try c.encodeIfPresent(decryptInfoXML, forKey: .decryptInfo)
        if let d = try? decryptInfo() {
            try c.encode(d.recipientThumbprints, forKey: .recipients)
            try c.encode(d.neededKey, forKey: .neededKey)
            try c.encode(d.contentEncryption, forKey: .contentEncryption)
        }
    }
}
