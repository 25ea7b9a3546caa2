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
    public static func load(_ path: String) throws -> ContentKeys {
        switch try read(path) {
        case .encrypted(let keys): return keys
        case .plain:
            throw IntuneWinError.usage(path, "ProfileIdentifier is \(noEncryptionProfile): the content is not encrypted, there is no key")
        }
    }

    /// Reads key material from a Detection.xml, an `.intunewin`, or JSON (Graph `fileEncryptionInfo`,
    /// top-level or nested under that key, or IME's decrypted DecryptInfo). Errors name the file and
    /// the field, never a key.
    public static func read(_ path: String) throws -> KeyMaterial {
        if try EncryptionInfoFile.isZip(path) { return KeyMaterial(try IntuneWinPackage(path: path).detection) }
        let file = try FileRegion(path: path)
        guard file.size <= sizeLimit else {
            throw IntuneWinError.badInput(path, "\(file.size) bytes: too large for a Detection.xml or key JSON")
        }
        return try parse(try file.readExactly(at: 0, count: Int(file.size)), path: path)
    }

    /// Reads key material from the bytes of a Detection.xml or key JSON; `path` is for messages.
    public static func parse(_ bytes: [UInt8], path: String) throws -> KeyMaterial {
        let text = KeyText.utf8(bytes)
        let first = text.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") { return try KeyMaterialJSON.parse(text, path: path) }
        let sample = String(decoding: text.prefix(1 << 20), as: UTF8.self)
        if sample.contains("EncryptedMessage") {
            throw IntuneWinError.usage(path, "holds IME's encrypted DecryptInfo (<EncryptedMessage>)", remedy: .giveAsDecryptInfo)
        }
        if first == UInt8(ascii: "<") { return KeyMaterial(try DetectionXML.parse(text, path: path)) }
        throw IntuneWinError.badInput(path, "neither a Detection.xml, a package, nor key JSON (fileEncryptionInfo or DecryptInfo)")
    }

    /// Everything a Detection.xml gives (its MAC and size too).
    public init(_ detection: DetectionXML) {
        if detection.encryptionInfo.profileIdentifier.caseInsensitiveCompare(Self.noEncryptionProfile) == .orderedSame {
            self = .plain(PlainContent(fileDigest: detection.encryptionInfo.fileDigest, plainSize: detection.unencryptedContentSize))
        } else {
            self = .encrypted(ContentKeys(detection))
        }
    }

    /// True for `.plain`.
    public var isPlain: Bool {
        if case .plain = self { return true }
        return false
    }

    /// Decrypts (or, for plain content, copies) `input` — an IME `.bin`, a package's content file, or a
    /// whole `.intunewin` whose content entry is used in place — to a zip file or into a folder.
    public func open(_ input: String, output: Decryptor.Output, overwrite: Bool,
                     progress: ((UInt64) -> Void)? = nil) throws -> DecryptResult {
        switch self {
        case .encrypted(let keys):
            let content = try EncryptionInfoFile.isZip(input) ? try IntuneWinPackage(path: input).content
                : try EncryptedContent(source: try FileRegion(path: input))
            return try Decryptor.decrypt(content, keys: keys, output: output, overwrite: overwrite, progress: progress)
        case .plain(let plain):
            return try plain.deliver(try PlainContent.source(of: input), output: output, overwrite: overwrite, progress: progress)
        }
    }
}
