/// The secrets that encrypt one package: AES key, HMAC key and IV.
public struct EncryptionKeys: Sendable {
    /// The AES-256 key, 32 bytes.
    public let encryptionKey: SecretBytes
    /// The HMAC-SHA256 key, 32 bytes.
    public let macKey: SecretBytes
    /// The AES-CBC IV, 16 bytes.
    public let initializationVector: [UInt8]

    /// Keys from their values (sizes are checked where they are used).
    public init(encryptionKey: SecretBytes, macKey: SecretBytes, initializationVector: [UInt8]) {
        self.encryptionKey = encryptionKey
        self.macKey = macKey
        self.initializationVector = initializationVector
    }

    /// Fresh keys from OpenSSL's RAND_bytes: 32-byte key, 32-byte MAC key, 16-byte IV.
    public static func random() -> EncryptionKeys {
        EncryptionKeys(encryptionKey: SecretBytes(secureRandomBytes(32)), macKey: SecretBytes(secureRandomBytes(32)),
                       initializationVector: secureRandomBytes(16))
    }

    /// The keys of an existing package (for reproducible builds and identity tests).
    public init(_ info: EncryptionInfo) {
        self.init(encryptionKey: info.encryptionKey, macKey: info.macKey, initializationVector: info.initializationVector)
    }
}
