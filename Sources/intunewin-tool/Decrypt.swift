import ArgumentParser
import Foundation
import IntuneWin

struct Decrypt: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decrypt an IME-downloaded .bin (or a package's IntunePackage.intunewin) to a zip or a folder.",
        discussion: """
        BIN may also be a whole .intunewin. The .bin IME downloads to ...\\Content\\Incoming is \
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

    @Argument(help: ArgumentHelp("The encrypted file (not needed to only show whose key a --decrypt-info needs).", valueName: "bin"))
    var bin: String?

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("A .zip file, or a folder to extract into.", valueName: "out"))
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

    @Flag(name: .customLong("force"), help: "Overwrite an existing output.")
    var force = false

    @Flag(name: .customLong("json"), help: "Print the result as JSON.")
    var json = false

    @Flag(name: .customLong("no-size-limits"), help: "Extract into a folder even when the entries declare more than 64 GiB, more than 1000 times the input beyond 1 GiB, or more than the free space.")
    var noSizeLimits = false

    func validate() throws {
        try keySource.validate()
        let sources = [key != nil, keySource.encryptionInfo != nil, keySource.decryptInfo != nil].filter { $0 }.count
        if sources == 0 {
            throw ValidationError("give --key (and --iv), --encryption-info, or --decrypt-info with --device-key")
        }
        if sources > 1 {
            throw ValidationError("--key, --encryption-info and --decrypt-info are alternatives; give one")
        }
        if key == nil && (iv != nil || macKey != nil || mac != nil || digest != nil) {
            throw ValidationError("--iv, --mac-key, --mac and --digest go with --key")
        }
        if !keySource.onlyShowsRecipient {
            if bin == nil { throw ValidationError("missing the encrypted file (bin)") }
            if output == nil { throw ValidationError("missing -o/--output") }
        }
    }

    private func bytes(_ text: String?, _ name: String, _ size: Int) throws -> [UInt8]? {
        guard let text else { return nil }
        guard let data = Data(base64Encoded: text) else { throw ValidationError("\(name) is not valid base64") }
        guard data.count == size else { throw ValidationError("\(name) is \(data.count) bytes, expected \(size)") }
        return [UInt8](data)
    }

    func run() throws {
        let material: KeyMaterial
        var origin: String?
        if let resolved = try keySource.resolve(json: json) {
            (material, origin) = (resolved.material, resolved.origin)
        } else {
            material = .encrypted(ContentKeys(encryptionKey: SecretBytes(try bytes(key, "--key", 32)!),
                                              initializationVector: try bytes(iv, "--iv", 16),
                                              macKey: try bytes(macKey, "--mac-key", 32).map(SecretBytes.init),
                                              mac: try bytes(mac, "--mac", 32), fileDigest: try bytes(digest, "--digest", 32)))
        }
        guard let bin, let output else { return }  // validate() insists on both unless only the recipient is shown
        let size = (try? FileRegion(path: bin).size) ?? 0
        let progress = ProgressLine(material.isPlain ? "copying" : "decrypting", total: size * 2, enabled: !json)
        // KeyMaterial.open takes no limits: they reach the extraction as the current ones.
        let result = try SizeLimits.$current.withValue(noSizeLimits ? .none : .default) {
            try material.open(bin, output: .init(path: output), overwrite: force) { progress.advance($0) }
        }
        progress.finish()
        DecryptReport.print(result, json: json, plain: material.isPlain, keySource: origin)
    }
}

// MARK: - Key sources shared by decrypt and unpack

/// Key material from a file rather than the package: `--encryption-info` (Detection.xml, package,
/// Graph fileEncryptionInfo JSON, decrypted DecryptInfo JSON) or `--decrypt-info` with the device key.
struct KeySourceOptions: ParsableArguments {
    static let help = """
        --encryption-info FILE: a Detection.xml; an .intunewin (its Detection.xml); Graph's \
        fileEncryptionInfo JSON (a mobileAppContentFile, top-level or nested under "fileEncryptionInfo"); \
        or IME's DecryptInfo once decrypted ({"EncryptionKey", "IV", "MacKey", "Mac", "FileDigest", ...}; \
        any letter case, UTF-8 or UTF-16).

        --decrypt-info FILE --device-key KEY [--device-key-password PW]: IME's encrypted DecryptInfo, \
        the <EncryptedMessage> XML or the IME log holding it (as logged, JSON-escaped). It is CMS-encrypted \
        to the device's Intune MDM certificate; KEY is that certificate's private key as PEM (PKCS#1 or \
        PKCS#8, encrypted or not) or PKCS#12 (.pfx/.p12). PW may be env:NAME or file:PATH to keep it off \
        the command line (pass:TEXT for a literal). Without --device-key, the recipient (subject key \
        identifier, or issuer and serial) is printed and the exit code is 2.

        ProfileIdentifier NoEncryption means the .bin is the plain zip: it is copied or extracted, and that is said.
        """

    @Option(name: .customLong("encryption-info"),
            help: ArgumentHelp("Key material: a Detection.xml, .intunewin, fileEncryptionInfo JSON or decrypted DecryptInfo JSON.", valueName: "file"))
    var encryptionInfo: String?

    @Option(name: .customLong("decrypt-info"),
            help: ArgumentHelp("IME's encrypted DecryptInfo: <EncryptedMessage> XML or the IME log holding it.", valueName: "file"))
    var decryptInfo: String?

    @Option(name: .customLong("device-key"),
            help: ArgumentHelp("The device's Intune MDM certificate private key: PEM or PKCS#12 (.pfx/.p12).", valueName: "key"))
    var deviceKey: String?

    @Option(name: .customLong("device-key-password"),
            help: ArgumentHelp("Password of --device-key: the text, env:NAME or file:PATH.", valueName: "pw"))
    var deviceKeyPassword: String?

    func validate() throws {
        if encryptionInfo != nil && decryptInfo != nil {
            throw ValidationError("--encryption-info and --decrypt-info are alternatives; give one")
        }
        if deviceKey != nil && decryptInfo == nil {
            throw ValidationError("--device-key opens a --decrypt-info; give that too")
        }
        if deviceKeyPassword != nil && deviceKey == nil {
            throw ValidationError("--device-key-password goes with --device-key")
        }
    }

    var isGiven: Bool { encryptionInfo != nil || decryptInfo != nil }

    /// `--decrypt-info` without `--device-key`: show whose key is needed, decrypt nothing.
    var onlyShowsRecipient: Bool { decryptInfo != nil && deviceKey == nil }

    /// The key material, and a line saying where it came from; nil when no source option was given.
    /// `--decrypt-info` without `--device-key` prints the recipient and fails with a usage error.
    func resolve(json: Bool) throws -> (material: KeyMaterial, origin: String)? {
        if let encryptionInfo {
            return (try KeyMaterial.read(encryptionInfo), encryptionInfo)
        }
        guard let decryptInfo else { return nil }
        let info = try DecryptInfo(path: decryptInfo)
        guard let deviceKey else {
            Self.showRecipients(info, json: json)
            throw IntuneWinError(.usage, path: decryptInfo, "--device-key is needed: \(info.neededKey)")
        }
        let key = try DeviceKey(path: deviceKey, password: try password())
        return (try info.decrypt(with: key), "\(decryptInfo), opened with \(deviceKey)")
    }

    /// The password: literal, `env:NAME`, `file:PATH` (first line) or `pass:TEXT`. Never echoed.
    private func password() throws -> String? {
        guard let spec = deviceKeyPassword else { return nil }
        if spec.hasPrefix("env:") {
            let name = String(spec.dropFirst(4))
            guard let value = ProcessInfo.processInfo.environment[name] else {
                throw IntuneWinError(.usage, path: "", "--device-key-password env:\(name): the variable is not set")
            }
            return value
        }
        if spec.hasPrefix("file:") {
            let path = String(spec.dropFirst(5))
            guard let data = FileManager.default.contents(atPath: path) else {
                throw IntuneWinError(.badInput, path: path, "cannot read the --device-key-password file")
            }
            let text = String(decoding: data, as: UTF8.self)
            return String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
                .trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
        }
        if spec.hasPrefix("pass:") { return String(spec.dropFirst(5)) }
        return spec
    }

    /// Prints whom a DecryptInfo is encrypted to.
    static func showRecipients(_ info: DecryptInfo, json: Bool) {
        if json {
            let recipients: [[String: Any]] = info.recipients.map { recipient in
                var object: [String: Any] = [:]
                switch recipient.identifier {
                case .subjectKeyIdentifier(let hex): object["subjectKeyIdentifier"] = hex
                case .issuerAndSerial(let issuer, let serial): object["issuer"] = issuer; object["serial"] = serial
                case .other(let kind): object["type"] = kind
                }
                if let algorithm = recipient.keyEncryption { object["keyEncryption"] = algorithm }
                return object
            }
            Terminal.json(["decryptInfo": info.path, "recipients": recipients, "recipientThumbprints": info.recipientThumbprints,
                           "contentEncryption": info.contentEncryption, "neededKey": info.neededKey])
            return
        }
        Terminal.line("DecryptInfo \(info.path)")
        for recipient in info.recipients {
            let algorithm = recipient.keyEncryption.map { " (key transport \($0))" } ?? ""
            Terminal.line("  Encrypted to: \(recipient)\(algorithm)")
        }
        for thumbprint in info.recipientThumbprints { Terminal.line("  Recipient certificate SHA-1 thumbprint: \(thumbprint)") }
        Terminal.line("  Content encryption: \(info.contentEncryption)")
    }
}
