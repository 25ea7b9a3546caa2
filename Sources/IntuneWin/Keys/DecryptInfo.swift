import Foundation

/// IME's DecryptInfo for one app download: the content keys as JSON, encrypted (CMS EnvelopedData, RSA
/// key transport, 3DES or AES) to the device's Intune MDM certificate, wrapped in `<EncryptedMessage>`.
/// It is read from the XML, from an IME log holding it (verbatim or JSON-escaped), or from the bare CMS.
///
/// Opening it takes that certificate's private key (`DeviceKey`); without one, `recipients` and
/// `neededKey` say which key it is. The decrypted JSON goes through the same reader as other key
/// JSON, so the result is `KeyMaterial` with every check it allows.
public final class DecryptInfo {
    /// The file it was read from.
    public let path: String
    /// Who can open it (IME: one recipient, by subject key identifier).
    public var recipients: [CMSRecipient] { envelope.recipients }
    /// The content-encryption algorithm ("DES-EDE3-CBC" in 2021 logs, "AES-256-CBC", …).
    public var contentEncryption: String { envelope.contentEncryption }
    /// SHA-1 thumbprints of the recipient certificates as `<RecipientCertThumbprints>` lists them.
    public let recipientThumbprints: [String]
    private let envelope: CMSEnvelope

    /// Files larger than this are not IME logs worth searching.
    static let sizeLimit: UInt64 = 256 << 20

    /// Reads the message from a file (XML, log, text, DER or base64 CMS).
    public convenience init(path: String) throws {
        let file = try FileRegion(path: path)
        guard file.size <= Self.sizeLimit else { throw IntuneWinError.badInput(path, "\(file.size) bytes: too large to search for a DecryptInfo") }
        try self.init(bytes: try file.readExactly(at: 0, count: Int(file.size)), path: path)
    }

    /// Reads the message from bytes; `path` names them in messages.
    public init(bytes: [UInt8], path: String) throws {
        let message = try EncryptedMessage.find(in: bytes, path: path)
        self.path = path
        recipientThumbprints = message.thumbprints
        envelope = try CMSEnvelope(der: message.content, path: path, what: "<EncryptedContent>")
    }

    /// Which private key opens this, in one sentence (for a user who has not given one).
    public var neededKey: String {
        var text = "the private key of the certificate with \(envelope.recipientList)"
        if !recipientThumbprints.isEmpty {
            text += " (SHA-1 thumbprint \(recipientThumbprints.joined(separator: " or ")))"
        }
        return text + "; on the device that is the Intune MDM device certificate (LocalMachine\\My, issuer CN=Microsoft Intune MDM Device CA)"
    }

    /// True when `key` is known to be the recipient's, false when known not to be, nil when it cannot be
    /// told without decrypting (a bare key and an identifier its CA computed some other way).
    public func isRecipient(_ key: DeviceKey) -> Bool? { envelope.keyMatchesRecipient(key) }

    /// Decrypts with the device's private key and reads the key JSON inside. A key that is not the
    /// recipient's fails with `checkFailed` naming the recipient; damaged content fails with `badInput`.
    public func decrypt(with key: DeviceKey) throws -> KeyMaterial {
        let plain = try envelope.decrypt(with: key)
        return try plain.withUnsafeBytes { raw in
            // Temporary copies of the decrypted JSON hold the keys: scrubbed when done.
            var copy = Array(raw.bindMemory(to: UInt8.self))
            var json = KeyText.utf8(copy)
            defer { SecretBytes.scrub(&copy); SecretBytes.scrub(&json) }
            // A wrong key can decrypt to noise that happens to be well padded (RSA implicit rejection):
            // unless the key is known to be the recipient's, noise means the key is wrong.
            let start = json.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
            if start != UInt8(ascii: "{"), envelope.keyMatchesRecipient(key) != true {
                throw envelope.wrongKey(key, reason: "the result is not JSON", undecided: true)
            }
            return try KeyMaterialJSON.parse(json, path: path, what: "decrypted DecryptInfo")
        }
    }
}
