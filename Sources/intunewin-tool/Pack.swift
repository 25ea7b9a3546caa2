import ArgumentParser
import IntuneWin

struct Pack: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pack an app folder into a .intunewin (IntuneWinAppUtil.exe compatible).",
        discussion: """
        Every file under the source folder goes into the package, in the order and format Microsoft's tool \
        writes. Source bytes are read, compressed, hashed and encrypted in one pass, into a temporary file \
        beside the output that is renamed into place only when complete.

        Examples:
          intunewin-tool pack -c ./app -s setup.exe -o ./out
          intunewin-tool -c ./app -s setup.exe -o ./out -q        (Microsoft's spelling)
          intunewin-tool pack -c ./app -s install.ps1 -o ./out/MyApp-1.2.intunewin --json
        """
    )

    @Option(name: [.customShort("c"), .customLong("content")], help: ArgumentHelp("Source folder: all of its files are packed.", valueName: "folder"))
    var content: String

    @Option(name: [.customShort("s"), .customLong("setup")], help: ArgumentHelp("Setup file: a name in the source folder or a path inside it.", valueName: "file"))
    var setup: String

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("Output folder (file named <setup>.intunewin, folder created if missing), or a path ending in .intunewin.", valueName: "path"))
    var output: String

    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "Quiet mode as in Microsoft's tool: overwrite an existing output, no progress.")
    var quiet = false

    @Flag(name: .customLong("silent"), help: "Print nothing (Microsoft's -qq); implies --quiet.")
    var silent = false

    @Flag(name: .customLong("force"), help: "Overwrite an existing output file.")
    var force = false

    @Option(name: .customLong("encryption-info"), help: ArgumentHelp("Reuse EncryptionKey, MacKey and IV from this Detection.xml or .intunewin. FOR TESTING ONLY: whoever has that file can decrypt this package.", valueName: "file"))
    var encryptionInfo: String?

    @Flag(name: .customLong("json"), help: "Print the result as JSON.")
    var json = false

    func run() throws {
        var request = PackRequest(sourceFolder: content, setupFile: setup, output: output)
        request.overwrite = quiet || silent || force
        if let encryptionInfo {
            request.keys = EncryptionKeys(try EncryptionInfoFile.load(encryptionInfo).encryptionInfo)
            if !silent && !json { Terminal.warning("reusing keys from \(encryptionInfo): for testing only") }
        }
        let bar = ProgressLine("packing", total: 1, enabled: false)
        var progress: ProgressLine? = nil
        let result = try Packager.pack(request) { done, total in
            if progress == nil { progress = ProgressLine("packing", total: total, enabled: !(quiet || silent || json)) }
            progress?.update(done)
        }
        (progress ?? bar).finish()
        if silent { return }
        if !json { for warning in result.warnings { Terminal.warning(warning) } }
        let d = result.detection
        if json {
            Terminal.json([
                "output": result.outputPath,
                "name": d.name,
                "setupFile": d.setupFile,
                "toolVersion": d.toolVersion,
                "entries": result.entryCount,
                "sourceBytes": result.sourceBytes,
                "unencryptedContentSize": d.unencryptedContentSize,
                "encryptedSize": result.encryptedSize,
                "packageSize": result.packageSize,
                "fileDigest": Terminal.base64(d.encryptionInfo.fileDigest),
                "fileDigestAlgorithm": d.encryptionInfo.fileDigestAlgorithm,
                "msiInfo": d.msiInfo.map { Dictionary(uniqueKeysWithValues: $0.map { ($0.name, $0.value) }) } as Any,
                "warnings": result.warnings,
            ] as [String: Any])
            return
        }
        Terminal.line("Packed \(result.entryCount) entries (\(Terminal.bytes(result.sourceBytes))) from \(content)")
        Terminal.line("  Output:     \(result.outputPath) (\(Terminal.bytes(result.packageSize)))")
        Terminal.line("  Name:       \(d.name)")
        Terminal.line("  SetupFile:  \(d.setupFile)")
        Terminal.line("  Content:    \(Terminal.bytes(d.unencryptedContentSize)) zipped, \(Terminal.bytes(result.encryptedSize)) encrypted")
        Terminal.line("  FileDigest: \(Terminal.base64(d.encryptionInfo.fileDigest)) (SHA-256)")
    }
}
