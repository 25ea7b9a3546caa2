/// What Microsoft Graph needs to publish a package's content: the `fileEncryptionInfo` of the
/// `mobileAppContentFile` commit call (Graph's field names) and the sizes given when the content file
/// is created. Upload scripts can use `intunewin-tool info --graph` instead of parsing Detection.xml.
/// It holds the keys: whoever has it can decrypt the content.
public struct GraphContentInfo: Encodable, Sendable {
    /// Graph's `fileEncryptionInfo` object: Detection.xml's `<EncryptionInfo>` under Graph's names, binary values in base64.
    public struct FileEncryptionInfo: Encodable, Sendable {
        /// The AES-256 key, base64.
        public var encryptionKey: String
        /// The HMAC-SHA256 key, base64.
        public var macKey: String
        /// The AES-CBC IV, base64.
        public var initializationVector: String
        /// HMAC-SHA256 over IV and ciphertext, base64.
        public var mac: String
        /// `ProfileVersion1`.
        public var profileIdentifier: String
        /// SHA-256 of the unencrypted inner zip, base64.
        public var fileDigest: String
        /// `SHA256`.
        public var fileDigestAlgorithm: String
    }

    /// The content file's name (`IntunePackage.intunewin`).
    public var name: String
    /// UnencryptedContentSize.
    public var size: UInt64
    /// Size of the encrypted file that is uploaded.
    public var sizeEncrypted: UInt64
    /// The keys and checks for the commit call.
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
