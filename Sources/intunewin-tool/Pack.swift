import ArgumentParser
import IntuneWin

extension LauncherKind: ExpressibleByArgument {}

struct Pack: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack",
        abstract: "Pack an app folder into a .intunewin (IntuneWinAppUtil.exe compatible).",
        discussion: """
        Every file under the source folder goes into the package, in the order and format Microsoft's tool \
        writes. Source bytes are read, compressed, hashed and encrypted in one pass, into a temporary file \
        beside the output that is renamed into place only when complete.

        Examples:
          intunewin-tool pack -c ./app -s setup.exe -o ./out
          intunewin-tool -c ./app -s setup.exe -o ./out -q        (Microsoft's spelling)
          intunewin-tool pack -c ./app -s install.ps1 -o ./out/MyApp-1.2.intunewin --json
          intunewin-tool pack -c ./app -s setup.exe -o ./out --nested-zip --setup-args "/S"

        --nested-zip ships the content as payload.zip beside a launcher, install.exe (a native Windows \
        program, the same bytes in every package, unsigned; its settings are in launcher.ini beside it). \
        IME runs install.exe from C:\\Windows\\IMECache\\<app>; it checks payload.zip's SHA-256, expands \
        it to a persistent folder, runs the setup from there, waits for the setup and every process it \
        started, and exits with the setup's exit code. Paste "install.exe" as the install command and \
        "install.exe /uninstall" as the uninstall command. The launcher's own exit codes: \
        \(NativeLauncher.exitCodes.map { "\($0.code) \($0.meaning)" }.joined(separator: "; ")).
        --launcher powershell writes install.ps1 (Windows PowerShell 5.1) instead.
        """
    )

    @OptionGroup var source: SourceOptions

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("Output folder (file named <setup>.intunewin, folder created if missing), or a path ending in .intunewin.", valueName: "path"), completion: .directory)
    var output: String

    @Option(name: [.customShort("a"), .customLong("catalog")], help: ArgumentHelp("Windows 10 S mode catalog folder: its files go into the package as Microsoft's tool lays them out.", valueName: "folder"), completion: .directory)
    var catalog: String?

    @Flag(name: .customLong("strict"), help: "Fail (exit 1) on lint findings instead of warning.")
    var strict = false

    @Flag(name: .customLong("nested-zip"), help: "Ship the content as payload.zip plus a launcher (install.exe) that expands it to a persistent folder, so chained installers and MSI repair survive IME's cache cleanup.")
    var nestedZip = false

    @Option(name: .customLong("launcher"), help: ArgumentHelp("With --nested-zip: native (install.exe + launcher.ini, default) or powershell (install.ps1).", valueName: "kind"))
    var launcher: LauncherKind?

    @Option(name: .customLong("extract-to"), help: ArgumentHelp("With --nested-zip: persistent folder on the device (default %ProgramData%\\IntuneWin\\<name>\\<payload digest prefix>).", valueName: "path"))
    var extractTo: String?

    @Option(name: .customLong("setup-args"), help: ArgumentHelp("With --nested-zip: arguments for the setup (MSI setups get msiexec /i <msi> /qn).", valueName: "args"))
    var setupArgs: String?

    @Option(name: .customLong("uninstall-cmd"), help: ArgumentHelp("With --nested-zip: command line that install.ps1 -Uninstall runs from the persistent folder.", valueName: "cmd"))
    var uninstallCmd: String?

    @Option(name: .customLong("uninstall-args"), help: ArgumentHelp("With --nested-zip: arguments for the setup on uninstall (MSI: msiexec /x is used).", valueName: "args"))
    var uninstallArgs: String?

    @Option(name: .customLong("launcher-timeout"), parsing: .unconditional, help: ArgumentHelp("With --nested-zip: minutes the launcher waits for the setup and its child processes.", valueName: "minutes"))
    var launcherTimeout: Int = 50

    @Option(name: .customLong("threads"), help: ArgumentHelp("Compression threads (default: all cores).", valueName: "n"))
    var threads: Int?

    @Flag(name: .customLong("exact"), help: "Deflate each file whole, as Microsoft's tool does: byte-identical output, but one large file uses one core.")
    var exact = false

    @Option(name: .customLong("compression-level"), help: ArgumentHelp("Deflate level 0-9 (Microsoft uses 1).", valueName: "0-9"))
    var compressionLevel: Int32 = 1

    @Flag(name: .customLong("store-incompressible"), help: "Store files whose first MiB does not shrink instead of deflating them.")
    var storeIncompressible = false

    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "Quiet mode as in Microsoft's tool: overwrite an existing output, no progress.")
    var quiet = false

    @Flag(name: .customLong("silent"), help: "Print nothing (Microsoft's -qq); implies --quiet.")
    var silent = false

    @Option(name: .customLong("encryption-info"), help: ArgumentHelp("Reuse EncryptionKey, MacKey and IV from this Detection.xml, .intunewin, fileEncryptionInfo JSON or decrypted DecryptInfo JSON. FOR TESTING ONLY: whoever has that file can decrypt this package.", valueName: "file"), completion: .file())
    var encryptionInfo: String?

    @OptionGroup var overwrite: OverwriteOptions
    @OptionGroup var format: OutputFormatOptions

    @Flag(name: .customLong("no-size-limits"), help: "Pack even when the output disk has less free space than the package may need (the source's size: a compressible source needs less).")
    var noSizeLimits = false

    func validate() throws {
        if output.isEmpty { throw ValidationError("-o needs an output folder or a path ending in .intunewin, not an empty string") }
        if output.lowercased().hasSuffix(".zip") {
            throw ValidationError("-o \(output) ends in .zip, but pack writes a .intunewin: give a folder, or a path ending in .intunewin")
        }
        if silent && format.json { throw ValidationError("--silent prints nothing: leave it out to get --json") }
        if !nestedZip && (extractTo != nil || setupArgs != nil || uninstallCmd != nil || uninstallArgs != nil) {
            throw ValidationError("--extract-to, --setup-args, --uninstall-cmd and --uninstall-args go with --nested-zip")
        }
        if !nestedZip && launcher != nil {
            throw ValidationError("--launcher goes with --nested-zip")
        }
        if let threads, threads < 1 || threads > 256 { throw ValidationError("--threads must be 1 to 256") }
        if !(0...9).contains(compressionLevel) { throw ValidationError("--compression-level must be 0 to 9") }
        if launcherTimeout < 1 || launcherTimeout > 59 {
            throw ValidationError("--launcher-timeout must be 1 to 59 minutes (IME stops waiting at 60)")
        }
    }

    func run() throws {
        var request = PackRequest(sourceFolder: source.content, setupFile: source.setup, output: output)
        request.overwrite = quiet || silent || overwrite.force
        request.catalogFolder = catalog
        request.excludes = source.exclude
        request.followsLinksOutside = source.followLinks
        request.strict = strict
        request.checksFreeSpace = !noSizeLimits
        if let threads { request.compression.threads = threads }
        request.compression.exact = exact
        request.compression.level = compressionLevel
        request.compression.storeIncompressible = storeIncompressible
        if nestedZip {
            var options = NestedOptions()
            options.extractTo = extractTo
            options.setupArguments = setupArgs ?? ""
            options.uninstallCommand = uninstallCmd
            options.uninstallArguments = uninstallArgs
            options.timeoutMinutes = launcherTimeout
            options.launcher = launcher ?? .native
            request.nested = options
        }
        if let encryptionInfo {
            // The resolver decrypt uses: every format it accepts works here too.
            request.keys = try KeySource.file(encryptionInfo).encryptionKeys()
            if !silent && !format.json { Terminal.warning("reusing keys from \(encryptionInfo): for testing only") }
        }
        let progress = ProgressLine(waiting: "reading \(source.content)", enabled: !(quiet || silent || format.json))
        defer { progress.finish() }  // also on an error: the message starts on a clean line
        let result = try Packager.pack(request, progress: progress.update)
        progress.finish()
        if silent { return }
        let warnings = result.findings.map { "\($0.rule.rawValue): \($0.path.isEmpty ? "" : $0.path + ": ")\($0.fullMessage)" }
        if !format.json { for warning in warnings { Terminal.warning(warning) } }
        let d = result.detection
        if format.json {
            try Terminal.json(PackJSON(result, warnings: warnings))
            return
        }
        Terminal.line("Packed \(result.entryCount) \(result.entryCount == 1 ? "entry" : "entries") (\(Terminal.bytes(result.sourceBytes))) from \(source.content)")
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
    var msi: [String: String]?
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
