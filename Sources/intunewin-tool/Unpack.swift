import ArgumentParser
import IntuneWin

struct Unpack: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify a package, then extract its files into a folder.",
        discussion: """
        HMAC, digest and size are checked before any file is written; files go to a temporary folder that \
        is renamed to the output only when every entry was written and its CRC-32 matched. Modification \
        times are restored; `\\` in names becomes a folder separator; names that would land outside the \
        folder (`..`, absolute paths, drive letters) are refused.
        """
    )

    @Argument(help: ArgumentHelp("A .intunewin package.", valueName: "file"))
    var file: String

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("Folder to create (an existing empty folder is fine).", valueName: "folder"))
    var output: String

    @Flag(name: .customLong("force"), help: "Replace an existing non-empty output folder.")
    var force = false

    @Flag(name: .customLong("json"), help: "Print the result as JSON.")
    var json = false

    func run() throws {
        let package = try IntuneWinPackage(path: file)
        let progress = ProgressLine("unpacking", total: package.content.ciphertextSize * 2, enabled: !json)
        let result = try Decryptor.unpack(package, to: output, overwrite: force) { progress.advance($0) }
        progress.finish()
        DecryptReport.print(result, json: json)
    }
}

/// Shared output of `unpack` and `decrypt`.
enum DecryptReport {
    static func print(_ result: DecryptResult, json: Bool) {
        if json {
            var object: [String: Any] = ["output": result.outputPath, "plainSize": result.plainSize,
                                         "checked": result.checked, "notChecked": result.notChecked]
            if let x = result.extracted { object["files"] = x.files; object["folders"] = x.folders; object["bytes"] = x.bytes }
            Terminal.json(object)
            return
        }
        if let x = result.extracted {
            Terminal.line("Extracted \(x.files) files, \(x.folders) folders (\(Terminal.bytes(x.bytes))) to \(result.outputPath)")
        } else {
            Terminal.line("Decrypted \(Terminal.bytes(result.plainSize)) to \(result.outputPath)")
        }
        Terminal.line("  Checked: \(result.checked.joined(separator: ", "))")
        for item in result.notChecked { Terminal.warning("integrity not verified: \(item)") }
    }
}
