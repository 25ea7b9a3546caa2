import ArgumentParser
import Foundation
import IntuneWin

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a package's Detection.xml fields, sizes and entry count.",
        discussion: """
        FILE is a .intunewin or a Detection.xml. EncryptionKey and MacKey are hidden unless --show-keys \
        is given: whoever has them can decrypt the content.
        """
    )

    @Argument(help: ArgumentHelp("A .intunewin package or a Detection.xml.", valueName: "file"))
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
            detection = try DetectionXML.read(file)
        }
        if graph {
            var info = GraphContentInfo(detection)
            if let package { info.sizeEncrypted = package.contentEntry.uncompressedSize }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            Terminal.line(String(decoding: try encoder.encode(info), as: UTF8.self))
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
            var object: [String: Any] = ["file": file]
            for (_, key, value) in fields { object[key] = value }
            var enc: [String: Any] = [:]
            for (_, key, value) in encryption where showKeys || (key != "encryptionKey" && key != "macKey") { enc[key] = value }
            object["encryptionInfo"] = enc
            if let launcher {
                object["launcher"] = ["kind": launcher.kind.rawValue, "file": launcher.file, "sha256": launcher.sha256,
                                      "isThisToolsLauncher": launcher.isThisToolsLauncher] as [String: Any]
            }
            if let msi = detection.msiInfo {
                object["msiInfo"] = Dictionary(msi.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
            }
            Terminal.json(object)
            return
        }
        Terminal.line(pad("File") + file)
        for (label, _, value) in fields { Terminal.line(pad(label) + "\(value)") }
        if let launcher {
            let origin = launcher.kind == .powershell ? "generated script"
                : launcher.isThisToolsLauncher ? "this tool's launcher" : "not this tool's launcher"
            Terminal.line(pad("Launcher") + "\(launcher.file) sha256 \(launcher.sha256) (\(origin))")
        }
        Terminal.line("EncryptionInfo:")
        for (label, _, value) in encryption { Terminal.line("  " + pad(label, 19) + value) }
        if let msi = detection.msiInfo {
            Terminal.line("MsiInfo:")
            for field in msi { Terminal.line("  " + pad(field.name, 32) + field.value) }
        }
    }

    private func pad(_ s: String, _ width: Int = 21) -> String {
        let label = s + ":"
        return label + String(repeating: " ", count: max(1, width - label.count))
    }
}
