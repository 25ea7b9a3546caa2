import Foundation

/// Builds a `.intunewin` in one streaming pass: source files → deflate → inner zip → SHA-256 and
/// AES-256-CBC → HMAC → outer zip, written to a temporary file renamed into place only when complete.
public enum Packager {
    /// The ToolVersion we write (Microsoft's IntuneWinAppUtil 1.8.7, whose layout we reproduce).
    public static let toolVersion = "1.8.7.0"

    /// Packs `request`. `progress` follows the source bytes through one pass ("packing"), or in nested-zip
    /// mode two: the source into payload.zip, then the staged launcher and payload into the package.
    public static func pack(_ request: PackRequest, progress: ProgressHandler? = nil) throws -> PackResult {
        let plan = try PackPlan(request)
        let unsafe = Linter.errors(in: plan.findings)
        if !unsafe.isEmpty, !request.allowsUnsafeNames {
            throw IntuneWinError.badInput(plan.source, "\(unsafe.count) name\(unsafe.count == 1 ? "" : "s") no Windows device can unpack, so the package would fail on every device: "
                                          + unsafe.map(unsafeNameSummary).joined(separator: "; ") + "; rename \(unsafe.count == 1 ? "it" : "them")",
                                          remedy: .allowUnsafeNames)
        }
        if request.strict, !plan.findings.isEmpty {
            throw IntuneWinError.checkFailed(plan.source, "\(plan.findings.count) lint finding\(plan.findings.count == 1 ? "" : "s"), and strict lint allows none: " +
                                             plan.findings.prefix(3).map { "\($0.rule.rawValue) \($0.path)" }.joined(separator: "; "))
        }
        if request.checksFreeSpace { try plan.checkFreeSpace(nested: request.nested != nil) }
        let createdFolders = try plan.createOutputFolder()
        var packed = false
        defer {
            for folder in createdFolders { CleanupRegistry.unregister(folder) }
            if !packed { CleanupRegistry.removeCreatedFolders(createdFolders) }  // a failed pack leaves no empty folder behind
        }
        var result: PackResult
        let meter = ProgressMeter(steps: request.nested == nil ? 1 : 2, handler: progress)
        if let options = request.nested {
            meter.begin("packing payload.zip", total: plan.sourceBytes)
            let staging = try NestedStaging(plan, options: options, request: request, progress: meter.counter)
            defer { staging.remove() }
            meter.begin("packing", total: staging.entries.fileBytes)
            result = try write(plan: staging.entries, name: staging.launcherName, setupFile: staging.launcherName,
                               to: plan.outputFile, request: request, progress: meter.counter, finishing: meter.finisher)
            result.sourceBytes = staging.sourceBytes
            result.nested = staging.result
        } else {
            meter.begin("packing", total: plan.sourceBytes)
            result = try write(plan: plan.entries, name: plan.msi?.name ?? plan.setupName,
                               setupFile: plan.setupComponents.joined(separator: "\\"),
                               msiInfo: plan.msi?.fields, to: plan.outputFile, request: request, progress: meter.counter,
                               finishing: meter.finisher)
        }
        result.findings = plan.findings
        result.excluded = plan.excluded
        result.outputFolderLeftOut = plan.outputFolderLeftOut
        result.setupMsi = plan.msi
        packed = true
        return result
    }

    /// `path (what is wrong)` for a finding pack refuses: its message's first clause, without the name it repeats.
    private static func unsafeNameSummary(_ finding: LintFinding) -> String {
        var reason = finding.message.components(separatedBy: "; ")[0]
        if let name = finding.path.split(separator: "/").last, reason.hasPrefix("'\(name)': ") { reason.removeFirst(name.count + 4) }
        return "\(finding.path) (\(reason))"
    }

    /// Writes a package holding `plan` (already in order) to `outFile`. Separate from `pack` so tests can
    /// write packages with entries no real folder produces (hostile names).
    static func write(plan: [SourceEntry], name: String, setupFile: String, msiInfo: [MsiInfoField]? = nil, to outFile: String,
                      request: PackRequest, progress: ((UInt64) -> Void)? = nil, finishing: ((String) -> Void)? = nil) throws -> PackResult {
        let totalBytes = plan.fileBytes
        let keys = request.keys ?? .random()
        let now = DOSDateTime(unixTime: Int64(Date().timeIntervalSince1970))

        let file = try AtomicOutputFile(finalPath: outFile)
        // Removed as soon as anything fails, not when the pipeline's threads let go of the file.
        var committed = false
        defer { if !committed { file.discard() } }
        var outer = OuterZipWriter()
        try outer.beginEntry(name: PackagePaths.contentFolder + PackagePaths.contentFileName, time: now, to: file)
        let contentStart = file.offset
        let encryptor = try ContentEncryptor(keys: keys, output: file)
        let inner = InnerZipBuilder(options: request.compression, packingTime: now,
                                    spoolFolder: (outFile as NSString).deletingLastPathComponent,
                                    progress: { n in progress?(n) },
                                    sink: { try encryptor.write($0) })
        try inner.add(plan)
        // Every source byte is read by now; what is left can take seconds on a large package: say what.
        finishing?("compressing and encrypting the last files")
        try inner.finish()
        finishing?("hashing and authenticating the content")
        let sealed = try encryptor.finish()
        precondition(file.offset - contentStart == sealed.encryptedSize)
        try outer.endEntry(size: sealed.encryptedSize, crc: sealed.crc32, in: file)

        let detection = DetectionXML(
            toolVersion: request.toolVersion,
            name: name,
            unencryptedContentSize: sealed.plainSize,
            fileName: PackagePaths.contentFileName,
            setupFile: setupFile,
            encryptionInfo: EncryptionInfo(
                encryptionKey: keys.encryptionKey, macKey: keys.macKey, initializationVector: keys.initializationVector,
                mac: sealed.mac, profileIdentifier: "ProfileVersion1", fileDigest: sealed.fileDigest,
                fileDigestAlgorithm: "SHA256"),
            msiInfo: msiInfo)
        try outer.addEntry(name: PackagePaths.detectionEntry, time: now, bytes: detection.serialized(), to: file)
        try outer.finish(to: file)
        let packageSize = file.offset
        finishing?("flushing to disk and renaming into place")
        try file.commit(replace: request.overwrite)
        committed = true
        return PackResult(outputPath: outFile, detection: detection, entryCount: inner.entryCount,
                          sourceBytes: totalBytes, packageSize: packageSize, encryptedSize: sealed.encryptedSize)
    }
}

extension Array where Element == SourceEntry {
    /// The sum of the files' sizes.
    var fileBytes: UInt64 {
        reduce(0) { sum, e in
            if case .file(let size) = e.kind { return sum + size } else { return sum }
        }
    }
}
