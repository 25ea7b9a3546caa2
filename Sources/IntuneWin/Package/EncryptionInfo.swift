import Foundation

/// The `<EncryptionInfo>` block of Detection.xml: everything a device needs to check and decrypt the
/// inner content (AES-256-CBC with `encryptionKey` and `initializationVector`, HMAC-SHA256 with `macKey`
/// giving `mac`, SHA-256 of the plaintext giving `fileDigest`).
public struct EncryptionInfo: Sendable, Equatable {
    /// AES-256 key, 32 bytes.
    public var encryptionKey: SecretBytes
    /// HMAC-SHA256 key, 32 bytes.
    public var macKey: SecretBytes
    /// AES-CBC initialization vector, 16 bytes (also the first 16 bytes after the MAC in the content).
    public var initializationVector: [UInt8]
    /// HMAC-SHA256 over IV + ciphertext, 32 bytes.
    public var mac: [UInt8]
    /// Always `ProfileVersion1` in Microsoft's output.
    public var profileIdentifier: String
    /// SHA-256 of the unencrypted inner zip, 32 bytes.
    public var fileDigest: [UInt8]
    /// Always `SHA256` in Microsoft's output.
    public var fileDigestAlgorithm: String

    /// The block from its values; the profile and digest algorithm default to what Microsoft writes.
    public init(encryptionKey: SecretBytes, macKey: SecretBytes, initializationVector: [UInt8], mac: [UInt8],
                profileIdentifier: String = "ProfileVersion1", fileDigest: [UInt8],
                fileDigestAlgorithm: String = "SHA256") {
        self.encryptionKey = encryptionKey
        self.macKey = macKey
        self.initializationVector = initializationVector
        self.mac = mac
        self.profileIdentifier = profileIdentifier
        self.fileDigest = fileDigest
        self.fileDigestAlgorithm = fileDigestAlgorithm
    }
}
