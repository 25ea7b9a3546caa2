/// The encrypted content file (`IntunePackage.intunewin` inside a package, or the `.bin` IME downloads):
/// `HMAC-SHA256(MacKey, IV ‖ ciphertext)` (32) ‖ IV (16) ‖ AES-256-CBC/PKCS#7(inner zip). FORMAT.md §2.2.
public struct EncryptedContent {
    /// MAC (32 bytes) plus IV (16 bytes), before the ciphertext.
    public static let headerSize: UInt64 = 48

    /// The bytes of the content file (or of the package entry holding it).
    public let source: RandomAccessSource
    /// The 32-byte MAC stored at the start.
    public let storedMac: [UInt8]
    /// The 16-byte IV stored after the MAC.
    public let storedIV: [UInt8]

    /// Reads the MAC and IV; throws `badInput` unless the size fits a header and whole AES blocks.
    public init(source: RandomAccessSource) throws {
        let size = source.size
        guard size >= Self.headerSize + 16 else {
            throw IntuneWinError.badInput(source.path, "encrypted content is \(size) bytes: too short for MAC, IV and one AES block")
        }
        guard (size - Self.headerSize) % 16 == 0 else {
            throw IntuneWinError.badInput(source.path, "ciphertext length \(size - Self.headerSize) is not a multiple of 16")
        }
        self.source = source
        let header = try source.readExactly(at: 0, count: 48)
        storedMac = Array(header[0..<32])
        storedIV = Array(header[32..<48])
    }

    /// The size of the encrypted content for `plainSize` bytes of plaintext: the header, then the
    /// plaintext padded (PKCS#7) to whole AES blocks, always at least one byte of padding.
    public static func encryptedSize(plainSize: UInt64) -> UInt64 { headerSize + (plainSize / 16 + 1) * 16 }

    /// Ciphertext length (everything after the 48-byte header).
    public var ciphertextSize: UInt64 { source.size - Self.headerSize }

    /// Recomputes HMAC-SHA256(MacKey, IV ‖ ciphertext) and compares it in constant time with the stored MAC.
    public func hmacMatches(macKey: SecretBytes, progress: ((UInt64) -> Void)? = nil) throws -> Bool {
        let hmac = HMACSHA256(key: macKey)
        try source.stream(from: 32, length: source.size - 32) { chunk in
            hmac.update(chunk)
            progress?(UInt64(chunk.count))
        }
        return HMACSHA256.equal(hmac.finalize(), storedMac)
    }

    /// A random-access view of the plaintext (the inner zip); checks the PKCS#7 padding. A key that is not
    /// 32 bytes is a `usage` error (never the cipher's precondition).
    public func decrypted(key: SecretBytes) throws -> DecryptedContent {
        try KeyField.encryptionKey.check(key.count, source: source.path)
        return try DecryptedContent(content: self, key: key)
    }
}
