import ArgumentParser
import IntuneWin

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

        Paths may be spelled as on Windows: `\\` separates folders in -c, -s, -o, -a and --exclude \
        (-c .\\MyApp\\ -o ..\\out); a drive path (C:\\out) is refused. An output folder inside the source \
        (-o .\\Output) is left out of the package, as Microsoft's tool does; the source folder itself is refused.
        Names no Windows device can unpack (CON.txt, <>:"|?*, names differing only in case) fail the pack \
        with exit 3 unless --allow-unsafe-names; other findings (long paths, leftovers) are warnings.
        """
    )

    @OptionGroup var source: SourceOptions

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("Output folder (file named <setup>.intunewin, folder created if missing), or a path ending in .intunewin.", valueName: "path"), completion: .directory)
    var output: String

    @Option(name: [.customShort("a"), .customLong("catalog")], help: ArgumentHelp("Windows 10 S mode catalog folder: its files go into the package as Microsoft's tool lays them out.", valueName: "folder"), completion: .directory)
    var catalog: String?

    @Flag(name: .customLong("strict"), help: "Fail (exit 1) on lint findings instead of warning.")
    var strict = false

    @Flag(name: .customLong("allow-unsafe-names"), help: "Pack names no Windows device can unpack (CON.txt, a name with \" or |, Readme.txt beside README.txt) with a warning; otherwise they fail the pack (exit 3).")
    var allowUnsafeNames = false

    @OptionGroup var nested: NestedPackOptions

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
        if let threads, threads < 1 || threads > 256 { throw ValidationError("--threads must be 1 to 256") }
        if !(0...9).contains(compressionLevel) { throw ValidationError("--compression-level must be 0 to 9") }
    }

    func run() throws {
        var request = PackRequest(sourceFolder: source.content, setupFile: source.setup, output: output)
        request.overwrite = quiet || silent || overwrite.force
        request.catalogFolder = catalog
        request.excludes = source.exclude
        request.followsLinksOutside = source.followLinks
        request.strict = strict
        request.allowsUnsafeNames = allowUnsafeNames
        request.checksFreeSpace = !noSizeLimits
        if let threads { request.compression.threads = threads }
        request.compression.exact = exact
        request.compression.level = compressionLevel
        request.compression.storeIncompressible = storeIncompressible
        request.nested = nested.options
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
        try PackOutput(result: result, source: source.content, json: format.json).print()
    }
}
