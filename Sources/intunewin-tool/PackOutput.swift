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
        if !result.excluded.isEmpty {
            Terminal.line("  Excluded:   \(result.excluded.count) item\(result.excluded.count == 1 ? "" : "s"): \(result.excluded.prefix(5).joined(separator: ", "))\(result.excluded.count > 5 ? ", …" : "")")
        }
        if let n = result.nested {
            let files = n.kind == .native ? "install.exe + launcher.ini" : n.launcherFile
            Terminal.line("Nested zip: payload.zip + \(files) (expands to \(n.launcher.extractTo), then runs \(n.launcher.setupFile))")
            Terminal.line("  Install command:   \(n.installCommand)")
            Terminal.line("  Uninstall command: \(n.uninstallCommand)")
            Terminal.line("  Detection:         \(n.detectionHint)")
        }
    }
}

/// `pack --format.json`: the package written, its Detection.xml facts, the findings worded in this tool's
/// options, and the nested-zip launcher's commands. `msi` and `nested` are null when absent.
/// `entries` and `msiInfo` are the 0.1 names of `entryCount` and `msi`, written until the next release.
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
    var warnings, excluded: [String]
    var nested: Nested?

    init(_ result: PackResult, warnings: [String]) {
        let d = result.detection
        output = result.outputPath; name = d.name; setupFile = d.setupFile; toolVersion = d.toolVersion
        entries = result.entryCount; sourceBytes = result.sourceBytes; unencryptedContentSize = d.unencryptedContentSize
        encryptedSize = result.encryptedSize; packageSize = result.packageSize
        fileDigest = Terminal.base64(d.encryptionInfo.fileDigest); fileDigestAlgorithm = d.encryptionInfo.fileDigestAlgorithm
        msi = d.msiInfo.map { $0.jsonObject() }
        msiInfo = d.msiInfo.map { $0.jsonObject(elementNames: true) }
        self.warnings = warnings
        excluded = result.excluded
        nested = result.nested.map {
            Nested(launcher: $0.kind.rawValue, launcherFile: $0.launcherFile, launcherSHA256: $0.launcherSHA256,
                   installCommand: $0.installCommand, uninstallCommand: $0.uninstallCommand, extractTo: $0.launcher.extractTo,
                   payloadSHA256: $0.launcher.payloadSHA256, detectionHint: $0.detectionHint)
        }
    }

    enum CodingKeys: String, CodingKey {
        case output, name, setupFile, toolVersion, entryCount, sourceBytes, unencryptedContentSize, encryptedSize, packageSize,
             fileDigest, fileDigestAlgorithm, msi, warnings, excluded, nested
        case entries, msiInfo  // the 0.1 names, until the next release

    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(output, forKey: .output); try c.encode(name, forKey: .name); try c.encode(setupFile, forKey: .setupFile)
        try c.encode(toolVersion, forKey: .toolVersion); try c.encode(entries, forKey: .entryCount)
        try c.encode(sourceBytes, forKey: .sourceBytes); try c.encode(unencryptedContentSize, forKey: .unencryptedContentSize)
        try c.encode(encryptedSize, forKey: .encryptedSize); try c.encode(packageSize, forKey: .packageSize)
        try c.encode(fileDigest, forKey: .fileDigest); try c.encode(fileDigestAlgorithm, forKey: .fileDigestAlgorithm)
        try c.encode(msi, forKey: .msi)          // null without an MSI setup
        try c.encode(warnings, forKey: .warnings); try c.encode(excluded, forKey: .excluded)
        try c.encode(nested, forKey: .nested)    // null unless --nested-zip
        try c.encode(entries, forKey: .entries); try c.encode(msiInfo, forKey: .msiInfo)
    }
}
