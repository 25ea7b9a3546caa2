import ArgumentParser
import Foundation
import IntuneWin

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
            help: ArgumentHelp("Key material: a Detection.xml, .intunewin, fileEncryptionInfo JSON or decrypted DecryptInfo JSON.", valueName: "file"), completion: .file())
    var encryptionInfo: String?

    @Option(name: .customLong("decrypt-info"),
            help: ArgumentHelp("IME's encrypted DecryptInfo: <EncryptedMessage> XML or the IME log holding it.", valueName: "file"), completion: .file())
    var decryptInfo: String?

    @Option(name: .customLong("device-key"),
            help: ArgumentHelp("The device's Intune MDM certificate private key: PEM or PKCS#12 (.pfx/.p12).", valueName: "key"), completion: .file())
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

    /// The key source these options name; nil when none was given. `--decrypt-info` without
    /// `--device-key` prints the recipients and fails with a usage error.
    func source(json: Bool) throws -> KeySource? {
        if let encryptionInfo { return .file(encryptionInfo) }
        guard let decryptInfo else { return nil }
        guard let deviceKey else {
            let info = try DecryptInfo(path: decryptInfo)
            try Self.showRecipients(info, json: json)
            throw IntuneWinError(.usage, path: decryptInfo, "--device-key is needed: \(info.neededKey)")
        }
        return .decryptInfo(decryptInfo, deviceKey: deviceKey, password: try password())
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
    static func showRecipients(_ info: DecryptInfo, json: Bool) throws {
        if json {
            try Terminal.json(RecipientsJSON(decryptInfo: info.path, recipientThumbprints: info.recipientThumbprints,
                                             contentEncryption: info.contentEncryption, neededKey: info.neededKey,
                                             recipients: info.recipients.map(RecipientsJSON.Recipient.init)))
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

/// `--decrypt-info` without a device key, `--json`: whose key the CMS message is encrypted to.
struct RecipientsJSON: Encodable {
    struct Recipient: Encodable {
        var subjectKeyIdentifier, issuer, serial, type, keyEncryption: String?
        init(_ recipient: CMSRecipient) {
            switch recipient.identifier {
            case .subjectKeyIdentifier(let hex): subjectKeyIdentifier = hex
            case .issuerAndSerial(let issuer, let serial): self.issuer = issuer; self.serial = serial
            case .other(let kind): type = kind
            }
            keyEncryption = recipient.keyEncryption
        }
    }
    var decryptInfo: String
    var recipientThumbprints: [String]
    var contentEncryption, neededKey: String
    var recipients: [Recipient]
}
