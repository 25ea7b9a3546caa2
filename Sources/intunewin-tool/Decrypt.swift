import ArgumentParser
import Foundation
import IntuneWin

struct Decrypt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decrypt",
        abstract: "Decrypt an IME-downloaded .bin (or a package's IntunePackage.intunewin) to a zip or a folder.",
        discussion: """
        BIN may also be a whole .intunewin: without key options its own Detection.xml is used. The .bin IME downloads to ...\\Content\\Incoming is \
        MAC(32) | IV(16) | AES-256-CBC(zip). OUT ending in .zip receives the plain inner zip; anything else \
        is a folder to extract into.

        Key material comes from one of:

        --key B64 [--iv B64] [--mac-key B64] [--mac B64] [--digest B64]: the values themselves \
        (EncryptionKey, InitializationVector, MacKey, Mac, FileDigest).

        \(KeySourceOptions.help)

        Everything the key material allows is checked before the output appears (IV, MAC, HMAC, \
        SHA-256 digest, size). Without a MAC key or digest the result is decrypted but its integrity is \
        not verified, and that is said on stderr. Exit codes: 1 wrong key or a failed check, 2 usage \
        (also --decrypt-info without --device-key), 3 unreadable input.
        """
    )

    @Argument(help: ArgumentHelp("The encrypted file (not needed to only show whose key a --decrypt-info needs).", valueName: "bin"), completion: .file())
    var bin: String?

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("A .zip file, or a folder to extract into.", valueName: "out"), completion: .file())
    var output: String?

    @Option(name: .customLong("key"), help: ArgumentHelp("EncryptionKey, base64 (32 bytes).", valueName: "b64"))
    var key: String?

    @Option(name: .customLong("iv"), help: ArgumentHelp("InitializationVector, base64 (16 bytes); checked against the file.", valueName: "b64"))
    var iv: String?

    @Option(name: .customLong("mac-key"), help: ArgumentHelp("MacKey, base64 (32 bytes): checks the HMAC before writing.", valueName: "b64"))
    var macKey: String?

    @Option(name: .customLong("mac"), help: ArgumentHelp("Mac, base64 (32 bytes): checked against the file's header.", valueName: "b64"))
    var mac: String?

    @Option(name: .customLong("digest"), help: ArgumentHelp("FileDigest, base64 SHA-256 of the plain zip.", valueName: "b64"))
    var digest: String?

    @OptionGroup var keySource: KeySourceOptions

    @OptionGroup var overwrite: OverwriteOptions

    @OptionGroup var format: OutputFormatOptions
    @OptionGroup var quietness: QuietOptions

    @OptionGroup var sizeLimits: SizeLimitOptions

    func validate() throws {
        try keySource.validate()
        let sources = [key != nil, keySource.encryptionInfo != nil, keySource.decryptInfo != nil].filter { $0 }.count
        if sources > 1 {
            throw ValidationError("--key, --encryption-info and --decrypt-info are alternatives; give one")
        }
        if key == nil && (iv != nil || macKey != nil || mac != nil || digest != nil) {
            throw ValidationError("--iv, --mac-key, --mac and --digest go with --key")
        }
        if !keySource.onlyShowsRecipient {
            if bin == nil { throw ValidationError(sources == 0 ? "give the encrypted file (bin) and its keys: --key (and --iv), --encryption-info, or --decrypt-info with --device-key"
                                                  : "missing the encrypted file (bin)") }
            if output == nil { throw ValidationError("missing -o/--output") }
        }
    }

    /// The option each key value comes from, for errors about it.
    static let optionNames: [KeyField: String] = [.encryptionKey: "--key", .initializationVector: "--iv", .macKey: "--mac-key",
                                                  .mac: "--mac", .fileDigest: "--digest"]

    /// The key source: a source option, the values given, or, for a whole package and nothing else, its own Detection.xml.
    private func source() throws -> KeySource {
        if let given = try keySource.source(json: format.json) { return given }
        if let key {
            return .keys(try ContentKeys(base64: key, initializationVector: iv, macKey: macKey, mac: mac, fileDigest: digest,
                                         source: { Self.optionNames[$0]! }))
        }
        guard let bin, try IntuneWinPackage.isZip(bin) else {
            throw IntuneWinError(.usage, path: bin ?? "", "not a package, so it carries no keys: give --key (and --iv), --encryption-info, or --decrypt-info with --device-key")
        }
        return .file(bin)
    }

    func run() throws {
        let source = try source()
        let material = try source.resolve()
        guard let bin, let output else { return }  // validate() insists on both unless only the recipient is shown
        let progress = ProgressLine(waiting: "opening \(bin)", enabled: !(format.json || quietness.quiet))
        defer { progress.finish() }  // also on an error: the message starts on a clean line
        let result = try material.open(bin, output: .init(path: output), overwrite: overwrite.force, limits: sizeLimits.limits,
                                       progress: progress.update)
        progress.finish()
        try DecryptReport.print(result, json: format.json, plain: material.isPlain, keySource: source.origin)
    }
}
