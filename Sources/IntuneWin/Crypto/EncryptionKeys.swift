/// The secrets that encrypt one package: AES key, HMAC key and IV.
public struct EncryptionKeys: Sendable {
    public let encryptionKey: SecretBytes
    public let macKey: SecretBytes
    public let initializationVector: [UInt8]

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
