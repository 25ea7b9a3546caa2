import Foundation

/// One field of key material, by the name Detection.xml gives it, with the size the format fixes.
///
/// Sizes are checked once, where key material is made (`ContentKeys`, `EncryptionKeys`), by throwing
/// initialisers: a key of the wrong size is an error naming its source, never a crash in the cipher.
public enum KeyField: String, Sendable, CaseIterable {
    /// The AES-256 key.
    case encryptionKey = "EncryptionKey"
    /// The HMAC-SHA256 key.
    case macKey = "MacKey"
    /// The AES-CBC initialization vector.
    case initializationVector = "InitializationVector"
    /// The HMAC-SHA256 of IV and ciphertext.
    case mac = "Mac"
    /// SHA-256 of the plain inner zip.
    case fileDigest = "FileDigest"

    /// The size in bytes: 16 for the IV, 32 for everything else.
    public var size: Int { self == .initializationVector ? 16 : 32 }

    /// Throws `usage` naming `source` when `count` is not this field's size (sizes are not secret).
    func check(_ count: Int, source: String) throws {
        guard count == size else {
            throw IntuneWinError.usage(source, "\(rawValue) is \(count) bytes, expected \(size)")
        }
    }

    /// Decodes base64 text given for this field (whitespace ignored) and checks its size. `source` names
    /// the text in errors (a front end passes its option's name); the text itself is never shown.
    public func decode(base64 text: String, source: String) throws -> SecretBytes {
        guard let bytes = SecretBytes(base64: text.filter { !$0.isWhitespace }) else {
            throw IntuneWinError.usage(source, "\(rawValue) is not valid base64")
        }
        try check(bytes.count, source: source)
        return bytes
    }

    /// `decode(base64:source:)` for the fields that are not secret (IV, MAC, digest).
    func decodePublic(base64 text: String, source: String) throws -> [UInt8] {
        try decode(base64: text, source: source).withUnsafeBytes { Array($0) }
    }
}
