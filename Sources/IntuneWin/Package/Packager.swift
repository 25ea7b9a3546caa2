import Foundation

/// What `pack` made.
public struct PackResult: Sendable {
    /// The `.intunewin` written.
    public var outputPath: String
    /// The package's Detection.xml, keys included.
    public var detection: DetectionXML
    /// Entries of the inner zip.
    public var entryCount: Int
    /// Sum of the source files' sizes.
    public var sourceBytes: UInt64
    /// Size of the `.intunewin` written.
    public var packageSize: UInt64
    /// Size of the encrypted content (what Intune calls sizeEncrypted).
    public var encryptedSize: UInt64
    /// Lint findings about the content (a chained installer, an MSI that needs its source, …).
    public var findings: [LintFinding] = []
    /// The findings as one line each: `rule: path: message`.
    public var warnings: [String] { findings.map { "\($0.rule.rawValue): \($0.path.isEmpty ? "" : $0.path + ": ")\($0.message)" } }
    /// Paths (relative, `/`) left out by `--exclude` and `.intunewinignore`.
    public var excluded: [String] = []
    /// Set in nested-zip mode: what the launcher does and the commands to paste into Intune.
    public var nested: NestedResult? = nil
}

/// What the nested-zip mode produced.
public struct NestedResult: Sendable {
    /// Which launcher the package holds.
    public var kind: LauncherKind
    /// The launcher's file name in the package (`install.exe` or `install.ps1`), the package's SetupFile.
    public var launcherFile: String
    /// SHA-256 of the launcher file in the package, lowercase hex.
    public var launcherSHA256: String
    /// The values the launcher reads (`launcher.ini`, or the script's data block).
    public var launcher: LauncherSettings
    /// The install command to paste into Intune.
    public var installCommand: String
    /// The uninstall command to paste into Intune.
    public var uninstallCommand: String
    /// A detection-rule suggestion for Intune.
    public var detectionHint: String
}

/// Builds a `.intunewin` in one streaming pass: source files → deflate → inner zip → SHA-256 and
/// AES-256-CBC → HMAC → outer zip, written to a temporary file renamed into place only when complete.
public enum Packager {
    /// The ToolVersion we write (Microsoft's IntuneWinAppUtil 1.8.7, whose layout we reproduce).
    public static let toolVersion = "1.8.7.0"

    /// Packs `request`. `progress` receives (source bytes done, total source bytes).
    public static func pack(_ request: PackRequest, progress: ((UInt64, UInt64) -> Void)? = nil) throws -> PackResult {
        let plan = try PackPlan(request)
        if request.strict, !plan.findings.isEmpty {
            throw IntuneWinError.checkFailed(plan.source, "\(plan.findings.count) lint finding\(plan.findings.count == 1 ? "" : "s"), and strict lint allows none: " +
                                             plan.findings.prefix(3).map { "\($0.rule.rawValue) \($0.path)" }.joined(separator: "; "))
        }
        try plan.createOutputFolder()
        var result: PackResult
        if let options = request.nested {
            let staging = try NestedStaging(plan, options: options, request: request, progress: progress)
            defer { staging.remove() }
            result = try write(plan: staging.entries, name: staging.launcherName, setupFile: staging.launcherName,
                               to: plan.outputFile, request: request, progress: nil)
            result.sourceBytes = staging.sourceBytes
            result.nested = staging.result
        } else {
            result = try write(plan: plan.entries, name: plan.msi?.name ?? plan.setupName,
                               setupFile: plan.setupComponents.joined(separator: "\\"),
                               msiInfo: plan.msi?.fields, to: plan.outputFile, request: request, progress: progress)
        }
        result.findings = plan.findings
        result.excluded = plan.excluded
        return result
    }

    /// Writes a package holding `plan` (already in order) to `outFile`. Separate from `pack` so tests can
    /// write packages with entries no real folder produces (hostile names).
    static func write(plan: [SourceEntry], name: String, setupFile: String, msiInfo: [MsiInfoField]? = nil, to outFile: String,
                      request: PackRequest, progress: ((UInt64, UInt64) -> Void)? = nil) throws -> PackResult {
        let totalBytes = plan.reduce(UInt64(0)) { sum, e in
            if case .file(let size) = e.kind { return sum + size } else { return sum }
        }
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
        var done: UInt64 = 0
        let inner = InnerZipBuilder(options: request.compression, packingTime: now,
                                    spoolFolder: (outFile as NSString).deletingLastPathComponent,
                                    progress: { n in done += n; progress?(done, totalBytes) },
                                    sink: { try encryptor.write($0) })
        try inner.add(plan)
        try inner.finish()
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
        try file.commit(replace: request.overwrite)
        committed = true
        return PackResult(outputPath: outFile, detection: detection, entryCount: inner.entryCount,
                          sourceBytes: totalBytes, packageSize: packageSize, encryptedSize: sealed.encryptedSize)
    }
}
