import Foundation

// The IME log report as JSON (`ime-log --json`, docs/schemas/ime-log.schema.json): what a script needs
// from each app's attempts and the findings, with evidence lines. Absent values are left out.

/// A report in its JSON shape; each app's GetContentInfo replies only when asked for.
public struct IMELogJSON: Encodable {
    public let report: IMELogReport
    public let includeContentInfo: Bool

    public init(_ report: IMELogReport, includeContentInfo: Bool) {
        self.report = report
        self.includeContentInfo = includeContentInfo
    }

    enum CodingKeys: String, CodingKey {
        case recordCount, fragmentCount, apps, findings
        case records, fragments  // the 0.1 names of recordCount and fragmentCount, until the next release
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(report.recordCount, forKey: .recordCount)
        try c.encode(report.fragmentCount, forKey: .fragmentCount)
        try c.encode(report.apps.map { IMEAppJSON(app: $0, includeContentInfo: includeContentInfo) }, forKey: .apps)
        try c.encode(report.findings, forKey: .findings)
        try c.encode(report.recordCount, forKey: .records)
        try c.encode(report.fragmentCount, forKey: .fragments)
    }
}

extension IMELogReport {
    /// Only the app with `id` (case-insensitive) and its findings. Throws a nothing-found error naming
    /// the apps that are in the logs when it is not among them.
    public func only(app id: String) throws -> IMELogReport {
        let id = id.lowercased()
        var report = self
        report.apps = apps.filter { $0.id == id }
        report.findings = findings.filter { $0.appID == id }
        guard !report.apps.isEmpty else {
            let known = apps.prefix(5).map(\.id).joined(separator: ", ") + (apps.count > 5 ? ", …" : "")
            throw IntuneWinError(.nothingFound, path: "", "app \(id) is not in the logs" + (apps.isEmpty ? " (no app found)" : " (apps: \(known))"))
        }
        return report
    }
}

extension IMEApp {
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

    enum CodingKeys: String, CodingKey {
        case id, attempts, detectionTypes, name, version, intent, installCommand, installContext, contentInfo
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(app.id, forKey: .id)
        try c.encode(app.attempts, forKey: .attempts)
        try c.encode(app.detectionTypes, forKey: .detectionTypes)
        try c.encodeIfPresent(app.name, forKey: .name)
        try c.encodeIfPresent(app.version, forKey: .version)
        try c.encodeIfPresent(app.intent, forKey: .intent)
        try c.encodeIfPresent(app.installCommand, forKey: .installCommand)
        try c.encodeIfPresent(app.installContext, forKey: .installContext)
        if includeContentInfo { try c.encode(app.contentInfo.compactMap(IMEContentInfo.init), forKey: .contentInfo) }
    }
}

extension IMEAttempt: Encodable {
    enum CodingKeys: String, CodingKey {
        case phases, retries, timedOut, thread, exitCode, hresult, exitCodeMapping, processId, detectedBefore, detectedAfter,
             downloadMode, downloadBytes, downloadMilliseconds, installContext, installCommand
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(phases, forKey: .phases)
        try c.encode(retries, forKey: .retries)
        try c.encode(timedOut, forKey: .timedOut)
        try c.encodeIfPresent(thread, forKey: .thread)
        try c.encodeIfPresent(exitCode, forKey: .exitCode)
        try c.encodeIfPresent(hresult.map(IMEFindings.hex), forKey: .hresult)
        try c.encodeIfPresent(exitCodeMapping, forKey: .exitCodeMapping)
        try c.encodeIfPresent(processID, forKey: .processId)
        try c.encodeIfPresent(detectedBefore, forKey: .detectedBefore)
        try c.encodeIfPresent(detectedAfter, forKey: .detectedAfter)
        try c.encodeIfPresent(downloadMode, forKey: .downloadMode)
        try c.encodeIfPresent(downloadBytes, forKey: .downloadBytes)
        try c.encodeIfPresent(downloadMilliseconds, forKey: .downloadMilliseconds)
        try c.encodeIfPresent(installContext, forKey: .installContext)
        try c.encodeIfPresent(installCommand, forKey: .installCommand)
    }
}

extension IMEPhase: Encodable {
    enum CodingKeys: String, CodingKey { case kind, detail, time, line }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind.rawValue, forKey: .kind)
        try c.encode(detail, forKey: .detail)
        try c.encode(time?.description ?? "", forKey: .time)
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
