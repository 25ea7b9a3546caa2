import IntuneWin

/// What `pack` prints: the summary lines (warnings on stderr first), or `--json`.
struct PackOutput {
    var result: PackResult
    /// The source folder as the user typed it.
    var source: String
    var json: Bool

    func print() throws {
        let warnings = result.findings.map { "\($0.rule.rawValue): \($0.path.isEmpty ? "" : $0.path + ": ")\($0.fullMessage)" }
        if !json { for warning in warnings { Terminal.warning(warning) } }
        let d = result.detection
        if json {
            try Terminal.json(PackJSON(result, warnings: warnings))
            return
        }
        Terminal.line("Packed \(result.entryCount) \(result.entryCount == 1 ? "entry" : "entries") (\(Terminal.bytes(result.sourceBytes))) from \(source)")
        Terminal.line("  Output:     \(result.outputPath) (\(Terminal.bytes(result.packageSize)))")
        Terminal.line("  Name:       \(d.name)")
        Terminal.line("  SetupFile:  \(d.setupFile)")
        Terminal.line("  Content:    \(Terminal.bytes(d.unencryptedContentSize)) zipped, \(Terminal.bytes(result.encryptedSize)) encrypted")
        Terminal.line("  FileDigest: \(Terminal.base64(d.encryptionInfo.fileDigest)) (SHA-256)")
        if let folder = result.outputFolderLeftOut { Terminal.line("  Left out:   the output folder \(folder), inside the source") }
        if !result.excluded.isEmpty {
            Terminal.line("  Excluded:   \(result.excluded.count) item\(result.excluded.count == 1 ? "" : "s"): \(result.excluded.prefix(5).joined(separator: ", "))\(result.excluded.count > 5 ? ", …" : "")")
        }
        if let n = result.nested {
            let files = n.kind == .native ? "install.exe + launcher.ini" : n.launcherFile
            Terminal.line("Nested zip: payload.zip + \(files) (expands to \(n.launcher.extractTo), then runs \(n.launcher.setupFile))")
        }
        printIntune(result.intune)
    }

    /// The "In Intune:" block: what the portal asks after the upload.
    private func printIntune(_ intune: IntuneAppSettings) {
        Terminal.line("In Intune:")
        Terminal.line("  Install command:   \(intune.installCommandLine)")
        Terminal.line("  Uninstall command: \(intune.uninstallCommandLine ?? "(not known from the package: see the note below)")")
        Terminal.line("  Install behavior:  \(intune.installExperience.runAsAccount == .user ? "User" : "System")")
        Terminal.line("  Detection rule:    \(intune.rulesAreTemplates ? "suggested: " : "")\(intune.detectionHint)")
        Terminal.line("  Return codes:      " + intune.returnCodes.map { "\($0.returnCode) \(Self.words($0.type))" }.joined(separator: ", "))
        Terminal.line("  Max run time:      \(intune.maximumRunTimeMinutes) minutes")
        for note in intune.notes { Terminal.line("  Note:              \(note)") }
    }

    /// A return code's kind as the portal words it.
    private static func words(_ kind: IntuneReturnCode.Kind) -> String {
        switch kind {
        case .failed: return "failed"
        case .success: return "success"
        case .softReboot: return "soft reboot"
        case .hardReboot: return "hard reboot"
        case .retry: return "retry"
        }
    }
}

/// `pack --format.json`: the package written, its Detection.xml facts, the findings worded in this tool's
/// options (as lint's JSON has them), the nested-zip launcher's commands, the real setup's MSI facts and
/// what to enter in Intune. `msi`, `setupMsi` and `nested` are null when absent.
/// `entries`, `msiInfo` and `warnings` are the 0.1 names of `entryCount`, `msi` and `findings` (one string a
/// finding), written until the next release.
struct PackJSON: Encodable {
    struct Nested: Encodable {
        var launcher, launcherFile, launcherSHA256, installCommand, uninstallCommand, extractTo, payloadSHA256, detectionHint: String
    }
    var output, name, setupFile, toolVersion: String
    var entries: Int
    var sourceBytes, unencryptedContentSize, encryptedSize, packageSize: UInt64
    var fileDigest, fileDigestAlgorithm: String
    var msi: [String: MsiInfoJSONValue]?
    var msiInfo: [String: String]?
    var setupMsi: [String: MsiInfoJSONValue]?
    var findings: [LintJSON.Finding]
    var warnings, excluded: [String]
    var nested: Nested?
    var intune: IntuneAppSettings

    init(_ result: PackResult, warnings: [String]) {
        let d = result.detection
        output = result.outputPath; name = d.name; setupFile = d.setupFile; toolVersion = d.toolVersion
        entries = result.entryCount; sourceBytes = result.sourceBytes; unencryptedContentSize = d.unencryptedContentSize
        encryptedSize = result.encryptedSize; packageSize = result.packageSize
        fileDigest = Terminal.base64(d.encryptionInfo.fileDigest); fileDigestAlgorithm = d.encryptionInfo.fileDigestAlgorithm
        msi = d.msiInfo.map { $0.jsonObject() }
        msiInfo = d.msiInfo.map { $0.jsonObject(elementNames: true) }
        setupMsi = result.setupMsi.map { $0.fields.jsonObject() }
        findings = result.findings.map { .init(rule: $0.rule.rawValue, severity: $0.severity.rawValue, path: $0.path, message: $0.fullMessage) }
        self.warnings = warnings
        intune = result.intune
        excluded = result.excluded
        nested = result.nested.map {
            Nested(launcher: $0.kind.rawValue, launcherFile: $0.launcherFile, launcherSHA256: $0.launcherSHA256,
                   installCommand: $0.installCommand, uninstallCommand: $0.uninstallCommand, extractTo: $0.launcher.extractTo,
                   payloadSHA256: $0.launcher.payloadSHA256, detectionHint: $0.detectionHint)
        }
    }

    enum CodingKeys: String, CodingKey {
        case output, name, setupFile, toolVersion, entryCount, sourceBytes, unencryptedContentSize, encryptedSize, packageSize,
             fileDigest, fileDigestAlgorithm, msi, setupMsi, findings, excluded, nested, intune
        case entries, msiInfo, warnings  // the 0.1 names, until the next release

    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(output, forKey: .output); try c.encode(name, forKey: .name); try c.encode(setupFile, forKey: .setupFile)
        try c.encode(toolVersion, forKey: .toolVersion); try c.encode(entries, forKey: .entryCount)
        try c.encode(sourceBytes, forKey: .sourceBytes); try c.encode(unencryptedContentSize, forKey: .unencryptedContentSize)
        try c.encode(encryptedSize, forKey: .encryptedSize); try c.encode(packageSize, forKey: .packageSize)
        try c.encode(fileDigest, forKey: .fileDigest); try c.encode(fileDigestAlgorithm, forKey: .fileDigestAlgorithm)
        try c.encode(msi, forKey: .msi)          // null without an MSI setup
        try c.encode(setupMsi, forKey: .setupMsi) // null unless the real setup (nested or not) is an .msi
        try c.encode(findings, forKey: .findings); try c.encode(excluded, forKey: .excluded)
        try c.encode(nested, forKey: .nested)    // null unless --nested-zip
        try c.encode(intune, forKey: .intune)
        try c.encode(entries, forKey: .entries); try c.encode(msiInfo, forKey: .msiInfo); try c.encode(warnings, forKey: .warnings)
    }
}
