import ArgumentParser
import IntuneWin

struct Unpack: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unpack",
        abstract: "Verify a package, then extract its files into a folder.",
        discussion: """
        HMAC, digest and size are checked before any file is written; files go to a temporary folder that \
        is renamed to the output only when every entry was written and its CRC-32 matched. Modification \
        times are restored; `\\` in names becomes a folder separator; names that would land outside the \
        folder (`..`, absolute paths, drive letters) are refused, and so are names that clash on Windows \
        (a file and a folder of one name, or two files differing only in letter case). Before anything is \
        written, the sizes the entries declare must fit the size limits (64 GiB in all; at most 1000 times \
        the package beyond 1 GiB; the free space): --no-size-limits lifts them.

        With key material from elsewhere, FILE may also be the .bin IME downloads (or a package whose \
        Detection.xml is not to be used):

        \(KeySourceOptions.help)
        """
    )

    @Argument(help: ArgumentHelp("A .intunewin package (or, with a key source, an IME .bin).", valueName: "file"), completion: .file())
    var file: String

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("Folder to create (an existing empty folder is fine).", valueName: "folder"), completion: .directory)
    var output: String

    @OptionGroup var keySource: KeySourceOptions

    @OptionGroup var overwrite: OverwriteOptions

    @OptionGroup var format: OutputFormatOptions
    @OptionGroup var quietness: QuietOptions

    @OptionGroup var sizeLimits: SizeLimitOptions

    func validate() throws { try keySource.validate() }

    func run() throws {
        let limits = sizeLimits.limits
        if let source = try keySource.source(json: format.json) {
            let material = try source.resolve()
            let progress = ProgressLine(waiting: "opening \(file)", enabled: !(format.json || quietness.quiet))
            defer { progress.finish() }  // also on an error: the message starts on a clean line
            let result = try material.open(file, output: .folder(output), overwrite: overwrite.force, limits: limits, progress: progress.update)
            progress.finish()
            try DecryptReport.print(result, json: format.json, plain: material.isPlain, keySource: source.origin)
            return
        }
        let package = try IntuneWinPackage(path: file)
        let progress = ProgressLine(waiting: "opening \(file)", enabled: !(format.json || quietness.quiet))
        defer { progress.finish() }  // also on an error: the message starts on a clean line
        let result = try Decryptor.unpack(package, to: output, overwrite: overwrite.force, limits: limits, progress: progress.update)
        progress.finish()
        try DecryptReport.print(result, json: format.json)
    }
}
