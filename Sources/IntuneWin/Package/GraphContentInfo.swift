/// What Microsoft Graph needs to publish a package's content: the `fileEncryptionInfo` of the
/// `mobileAppContentFile` commit call (Graph's field names) and the sizes given when the content file
/// is created. Upload scripts can use `intunewin-tool info --graph` instead of parsing Detection.xml.
/// It holds the keys: whoever has it can decrypt the content.
public struct GraphContentInfo: Encodable, Sendable {
    public struct FileEncryptionInfo: Encodable, Sendable {
        public var encryptionKey: String
        public var macKey: String
        public var initializationVector: String
        public var mac: String
        public var profileIdentifier: String
        public var fileDigest: String
        public var fileDigestAlgorithm: String
    }

    /// The content file's name (`IntunePackage.intunewin`).
    public var name: String
    /// UnencryptedContentSize.
    public var size: UInt64
    /// Size of the encrypted file that is uploaded.
    public var sizeEncrypted: UInt64
    public var fileEncryptionInfo: FileEncryptionInfo

    /// From a Detection.xml; the encrypted size follows from the plain size (MAC + IV + PKCS#7-padded ciphertext).
    public init(_ detection: DetectionXML) {
        let e = detection.encryptionInfo
        func b64(_ bytes: [UInt8]) -> String { SecretBytes(bytes).revealedBase64() }
        name = detection.fileName
        size = detection.unencryptedContentSize
        sizeEncrypted = EncryptedContent.headerSize + (detection.unencryptedContentSize / 16 + 1) * 16
        fileEncryptionInfo = FileEncryptionInfo(
            encryptionKey: e.encryptionKey.revealedBase64(), macKey: e.macKey.revealedBase64(),
            initializationVector: b64(e.initializationVector), mac: b64(e.mac), profileIdentifier: e.profileIdentifier,
            fileDigest: b64(e.fileDigest), fileDigestAlgorithm: e.fileDigestAlgorithm)
    }
}
