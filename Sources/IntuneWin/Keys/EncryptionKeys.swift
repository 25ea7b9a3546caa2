/// The secrets that encrypt one package: AES key, HMAC key and IV — what packing needs.
///
/// Like swift-crypto's typed keys, a value of this type always has the right sizes: the initialisers
/// check them and throw, so the cipher never sees a key it cannot use.
public struct EncryptionKeys: Sendable {
    /// The AES-256 key, 32 bytes.
    public let encryptionKey: SecretBytes
    /// The HMAC-SHA256 key, 32 bytes.
    public let macKey: SecretBytes
    /// The AES-CBC IV, 16 bytes.
    public let initializationVector: [UInt8]

    /// Keys from their values. Throws `usage` naming `source` when a size is wrong (32, 32, 16 bytes).
    public init(encryptionKey: SecretBytes, macKey: SecretBytes, initializationVector: [UInt8], source: String = "") throws {
        try KeyField.encryptionKey.check(encryptionKey.count, source: source)
        try KeyField.macKey.check(macKey.count, source: source)
        try KeyField.initializationVector.check(initializationVector.count, source: source)
        self.init(checked: encryptionKey, macKey: macKey, initializationVector: initializationVector)
    }

    /// Values whose sizes the caller has checked.
    init(checked encryptionKey: SecretBytes, macKey: SecretBytes, initializationVector: [UInt8]) {
        self.encryptionKey = encryptionKey
        self.macKey = macKey
        self.initializationVector = initializationVector
    }

    /// Fresh keys from OpenSSL's RAND_bytes: 32-byte key, 32-byte MAC key, 16-byte IV.
    public static func random() -> EncryptionKeys {
        var key = secureRandomBytes(32), macKey = secureRandomBytes(32)
        return EncryptionKeys(checked: SecretBytes(scrubbing: &key), macKey: SecretBytes(scrubbing: &macKey),
                              initializationVector: secureRandomBytes(16))
    }

    /// The keys of an existing package (for reproducible builds and identity tests); throws when the
    /// block was built with wrong sizes (a parsed Detection.xml always has the right ones).
    public init(_ info: EncryptionInfo, source: String = "Detection.xml") throws {
        try self.init(encryptionKey: info.encryptionKey, macKey: info.macKey, initializationVector: info.initializationVector,
                      source: source)
    }
}
