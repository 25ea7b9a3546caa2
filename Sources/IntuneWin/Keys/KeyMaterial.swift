import Foundation

/// Key material for content that arrives without its package (an IME `.bin`), from whichever source
/// the user has: a Detection.xml, the `.intunewin` holding one, Graph's `fileEncryptionInfo` JSON, or
/// IME's decrypted DecryptInfo JSON (see `DecryptInfo` for the encrypted form).
///
/// Content is normally encrypted (`ProfileIdentifier` `ProfileVersion1`). `NoEncryption` means the
/// `.bin` is the plain zip itself: that is the `.plain` case, so callers copy or extract it instead of
/// decrypting, and say so. Each case carries every check the source allows; what it lacks shows up
/// in `DecryptResult.notChecked`.
public enum KeyMaterial: Sendable {
    /// Encrypted content and the keys (and checks) to decrypt it.
    case encrypted(ContentKeys)
    /// Content that is not encrypted (`ProfileIdentifier` `NoEncryption`), and what can still be checked.
    case plain(PlainContent)

    /// `ProfileIdentifier` value for content that is not encrypted.
    public static let noEncryptionProfile = "NoEncryption"

    /// Files larger than this are neither key JSON nor a Detection.xml (packages are read in place).
    static let sizeLimit: UInt64 = 16 << 20

    /// The keys in `path` (any format `read` accepts). Plain (`NoEncryption`) material is a usage error
    /// here, as there is nothing to decrypt with: use `read` to handle both.
    public static func load(_ path: String) throws -> ContentKeys { try KeySource.file(path).contentKeys() }

    /// Reads key material from a Detection.xml, an `.intunewin`, or JSON (Graph `fileEncryptionInfo`,
    /// top-level or nested under that key, or IME's decrypted DecryptInfo). Errors name the file and
    /// the field, never a key.
    public static func read(_ path: String) throws -> KeyMaterial {
        if try IntuneWinPackage.isZip(path) { return try KeyMaterial(try IntuneWinPackage(path: path).detection, source: path) }
        let file = try FileRegion(path: path)
        guard file.size <= sizeLimit else {
            throw IntuneWinError.badInput(path, "\(file.size) bytes: too large for a Detection.xml or key JSON")
        }
        var bytes = try file.readExactly(at: 0, count: Int(file.size))
        defer { SecretBytes.scrub(&bytes) }  // the file's text holds the keys
        return try parse(bytes, path: path)
    }

    /// Reads key material from the bytes of a Detection.xml or key JSON; `path` is for messages.
    public static func parse(_ bytes: [UInt8], path: String) throws -> KeyMaterial {
        var text = KeyText.utf8(bytes)
        defer { SecretBytes.scrub(&text) }  // a converted copy (UTF-16 input) holds the keys too
        let first = text.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") { return try KeyMaterialJSON.parse(text, path: path) }
        let sample = String(decoding: text.prefix(1 << 20), as: UTF8.self)
        if sample.contains("EncryptedMessage") {
            throw IntuneWinError.usage(path, "holds IME's encrypted DecryptInfo (<EncryptedMessage>)", remedy: .giveAsDecryptInfo)
        }
        if first == UInt8(ascii: "<") { return try KeyMaterial(try DetectionXML.parse(text, path: path), source: path) }
        throw IntuneWinError.badInput(path, "neither a Detection.xml, a package, nor key JSON (fileEncryptionInfo or DecryptInfo)")
    }

    /// Everything a Detection.xml gives (its size and digest too); `source` names it in errors (a
    /// hand-built block with wrong key sizes is refused).
    public init(_ detection: DetectionXML, source: String = "Detection.xml") throws {
        if detection.encryptionInfo.profileIdentifier.caseInsensitiveCompare(Self.noEncryptionProfile) == .orderedSame {
            self = .plain(PlainContent(fileDigest: detection.encryptionInfo.fileDigest, plainSize: detection.unencryptedContentSize))
        } else {
            self = .encrypted(try ContentKeys(detection, source: source))
        }
    }

    /// What packing with this material needs (key, MAC key, IV). Throws `usage` naming `source` for
    /// plain (`NoEncryption`) material or material without a MAC key or IV.
    public func encryptionKeys(source: String) throws -> EncryptionKeys {
        switch self {
        case .encrypted(let keys): return try keys.encryptionKeys(source: source)
        case .plain:
            throw IntuneWinError.usage(source, "ProfileIdentifier is \(Self.noEncryptionProfile): there are no keys to encrypt with")
        }
    }

    /// True for `.plain`.
    public var isPlain: Bool {
        if case .plain = self { return true }
        return false
    }

    /// Decrypts (or, for plain content, copies) `input` — an IME `.bin`, a package's content file, or a
    /// whole `.intunewin` whose content entry is used in place — to a zip file or into a folder.
    public func open(_ input: String, output: Decryptor.Output, overwrite: Bool, limits: SizeLimits = .default,
                     progress: ProgressHandler? = nil) throws -> DecryptResult {
        switch self {
        case .encrypted(let keys):
            let content: EncryptedContent
            if try IntuneWinPackage.isZip(input) {
                content = try IntuneWinPackage(path: input).content
            } else {
                // What the file is, then whether it is whole, before it is taken for encrypted content.
                let file = try FileRegion(path: input)
                try FileSignature.requireEncryptedContent(file)
                try keys.checkNotTruncated(file)
                content = try EncryptedContent(source: file)
            }
            return try Decryptor.decrypt(content, keys: keys, output: output, overwrite: overwrite, limits: limits, progress: progress)
        case .plain(let plain):
            return try plain.deliver(try PlainContent.source(of: input), output: output, overwrite: overwrite, limits: limits, progress: progress)
        }
    }
}
