import ArgumentParser
import Foundation
import IntuneWin

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show a package's Detection.xml fields, sizes and entry count.",
        discussion: """
        FILE is a .intunewin or a Detection.xml. EncryptionKey and MacKey are hidden unless --show-keys \
        is given: whoever has them can decrypt the content.
        """
    )

    @Argument(help: ArgumentHelp("A .intunewin package or a Detection.xml.", valueName: "file"), completion: .file())
    var file: String

    @OptionGroup var format: OutputFormatOptions

    @Flag(name: .customLong("show-keys"), help: "Show EncryptionKey and MacKey (secrets).")
    var showKeys = false

    @Flag(name: .customLong("graph"), help: "Print the JSON Microsoft Graph needs to commit this content (fileEncryptionInfo with Graph's field names, size, sizeEncrypted). Contains the keys.")
    var graph = false

    func run() throws {
        var package: IntuneWinPackage? = nil
        let detection: DetectionXML
        if try IntuneWinPackage.isZip(file) {
            package = try IntuneWinPackage(path: file)
            detection = package!.detection
        } else {
            try IntuneWinPackage.refuseLookalike(try FileRegion(path: file))
            detection = try DetectionXML.read(file)
        }
        if graph {
            var info = GraphContentInfo(detection)
            if let package { info.sizeEncrypted = package.contentEntry.uncompressedSize }
            try Terminal.json(info)
            Terminal.hint("note: this output holds the package's keys")
            return
        }
        let e = detection.encryptionInfo
        let hidden = "(hidden: use --show-keys)"
        var fields: [(String, String, Any)] = [
            ("Tool version", "toolVersion", detection.toolVersion),
            ("Name", "name", detection.name),
            ("Setup file", "setupFile", detection.setupFile),
            ("Content file", "fileName", detection.fileName),
            ("Unencrypted size", "unencryptedContentSize", detection.unencryptedContentSize),
        ]
        if let package {
            fields.append(("Encrypted size", "encryptedSize", package.contentEntry.uncompressedSize))
            fields.append(("Package size", "packageSize", package.file.size))
            fields.append(("Entries", "entryCount", try package.innerZip().entries.count))
        }
        let launcher = try package.flatMap { try LauncherInspection.inspect($0) }
        let encryption: [(String, String, String)] = [
            ("Encryption key", "encryptionKey", showKeys ? e.encryptionKey.revealedBase64() : hidden),
            ("MAC key", "macKey", showKeys ? e.macKey.revealedBase64() : hidden),
            ("IV", "initializationVector", Terminal.base64(e.initializationVector)),
            ("MAC", "mac", Terminal.base64(e.mac)),
            ("Profile", "profileIdentifier", e.profileIdentifier),
            ("File digest", "fileDigest", Terminal.base64(e.fileDigest)),
            ("Digest algorithm", "fileDigestAlgorithm", e.fileDigestAlgorithm),
        ]
        if format.json {
            var info = InfoJSON(file: file, toolVersion: detection.toolVersion, name: detection.name, setupFile: detection.setupFile,
                                fileName: detection.fileName, unencryptedContentSize: detection.unencryptedContentSize)
            if let package {
                info.encryptedSize = package.contentEntry.uncompressedSize
                info.packageSize = package.file.size
                info.entryCount = try package.innerZip().entries.count
            }
            info.encryptionInfo = Dictionary(uniqueKeysWithValues: encryption.filter { showKeys || ($0.1 != "encryptionKey" && $0.1 != "macKey") }.map { ($0.1, $0.2) })
            info.launcher = launcher.map(InfoJSON.Launcher.init)
            info.msi = detection.msiInfo.map { $0.jsonObject() }
            info.msiInfo = detection.msiInfo.map { $0.jsonObject(elementNames: true) }
            try Terminal.json(info)
            return
        }
        Terminal.line(pad("File") + file)
        for (label, _, value) in fields { Terminal.line(pad(label) + "\(value)") }
        if let launcher {
            let origin = launcher.kind == .powershell ? "generated script"
                : launcher.isThisToolsLauncher ? "this tool's launcher" : "not this tool's launcher"
            Terminal.line(pad("Launcher") + "\(launcher.file) sha256 \(launcher.sha256) (\(origin))")
            if let settings = launcher.settings {
                Terminal.line("Launcher settings:")
                for (label, value) in Self.launcherLines(settings) { Terminal.line("  " + pad(label, 19) + value) }
            } else {
                Terminal.line("  " + pad("Settings", 19) + "unreadable: " + (launcher.settingsProblem ?? "unknown"))
            }
        }
        Terminal.line("EncryptionInfo:")
        for (label, _, value) in encryption { Terminal.line("  " + pad(label, 19) + value) }
        if let msi = detection.msiInfo {
            Terminal.line("MsiInfo:")
            for field in msi { Terminal.line("  " + pad(field.name, 32) + field.value) }
        }
    }

    /// The launcher's settings as `info` shows them (Terminal.line escapes what the package holds).
    static func launcherLines(_ settings: LauncherSettings) -> [(String, String)] {
        [
            ("Setup", settings.setupFile),
            ("Setup arguments", settings.setupArguments.isEmpty ? "(none)" : settings.setupArguments),
            ("Uninstall command", settings.uninstallCommand ?? "(none)"),
            ("Uninstall args", settings.uninstallArguments ?? "(none)"),
            ("Name", settings.appName),
            ("Timeout", "\(settings.timeoutMinutes) minutes (maximum run time in Intune: at least \(LauncherSettings.maximumRunTime(forTimeout: settings.timeoutMinutes)))"),
            ("Extract to", settings.extractTo),
            ("Payload", settings.payloadFileName),
            ("Payload SHA-256", settings.payloadSHA256),
        ]
    }

    private func pad(_ s: String, _ width: Int = 21) -> String {
        let label = s + ":"
        return label + String(repeating: " ", count: max(1, width - label.count))
    }
}

/// `info --json`: Detection.xml's facts, the package's sizes (for a package), EncryptionInfo (keys only
/// with --show-keys), the nested-zip launcher found and MsiInfo, each present only when there is one.
struct InfoJSON: Encodable {
    struct Launcher: Encodable {
        var kind, file, sha256: String
        var isThisToolsLauncher: Bool
        var settings: Settings? = nil
        var settingsProblem: String? = nil

        init(_ launcher: LauncherInspection) {
            kind = launcher.kind.rawValue
            file = launcher.file
            sha256 = launcher.sha256
            isThisToolsLauncher = launcher.isThisToolsLauncher
            settings = launcher.settings.map(Settings.init)
            settingsProblem = launcher.settingsProblem
        }
    }
    /// The settings the launcher reads (launcher.ini, or install.ps1's data block).
    struct Settings: Encodable {
        var name, setupFile, setupArguments: String
        var uninstallCommand, uninstallArguments: String?
        var timeoutMinutes, maximumRunTimeMinutes: Int
        var extractTo, payloadFileName, payloadSHA256: String

        init(_ s: LauncherSettings) {
            name = s.appName
            setupFile = s.setupFile
            setupArguments = s.setupArguments
            uninstallCommand = s.uninstallCommand
            uninstallArguments = s.uninstallArguments
            timeoutMinutes = s.timeoutMinutes
            maximumRunTimeMinutes = LauncherSettings.maximumRunTime(forTimeout: s.timeoutMinutes)
            extractTo = s.extractTo
            payloadFileName = s.payloadFileName
            payloadSHA256 = s.payloadSHA256
        }

        func encode(to encoder: Encoder) throws {
            enum Keys: String, CodingKey {
                case name, setupFile, setupArguments, uninstallCommand, uninstallArguments, timeoutMinutes
                case maximumRunTimeMinutes, extractTo, payloadFileName, payloadSHA256
            }
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(name, forKey: .name)
            try c.encode(setupFile, forKey: .setupFile)
            try c.encode(setupArguments, forKey: .setupArguments)
            try c.encode(uninstallCommand, forKey: .uninstallCommand)  // null when not given
            try c.encode(uninstallArguments, forKey: .uninstallArguments)
            try c.encode(timeoutMinutes, forKey: .timeoutMinutes)
            try c.encode(maximumRunTimeMinutes, forKey: .maximumRunTimeMinutes)
            try c.encode(extractTo, forKey: .extractTo)
            try c.encode(payloadFileName, forKey: .payloadFileName)
            try c.encode(payloadSHA256, forKey: .payloadSHA256)
        }
    }
    var file, toolVersion, name, setupFile, fileName: String
    var unencryptedContentSize: UInt64
    var encryptedSize: UInt64? = nil
    var packageSize: UInt64? = nil
    var entryCount: Int? = nil
    var encryptionInfo: [String: String] = [:]
    var launcher: Launcher? = nil
    var msi: [String: MsiInfoJSONValue]? = nil
    /// The 0.1 name of `msi` (Detection.xml's element names as keys), written until the next release.
    var msiInfo: [String: String]? = nil
}
