import Foundation

/// Key material for decrypting content: the key, and whatever else the source gives, each adding a
/// check. Only the key is required (an IME `.bin` with nothing but the key still decrypts).
///
/// Sizes are checked by the throwing initialisers (as swift-crypto's typed keys refuse a key of the
/// wrong size with an error), so a value of this type never hands the cipher a key it cannot use.
public struct ContentKeys: Sendable {
    /// The AES-256 key (32 bytes): the one thing decryption cannot do without.
    public let encryptionKey: SecretBytes
    /// Checked against the IV stored in the content (16 bytes).
    public let initializationVector: [UInt8]?
    /// Enables the HMAC check, run before any plaintext is written (32 bytes).
    public let macKey: SecretBytes?
    /// Checked against the MAC stored in the content (32 bytes).
    public let mac: [UInt8]?
    /// SHA-256 of the plaintext (FileDigest); checked before the output is renamed into place.
    public let fileDigest: [UInt8]?
    /// Plaintext size (UnencryptedContentSize).
    public var plainSize: UInt64?
    /// Size of the encrypted content (Graph's `sizeEncrypted`), when the material says it.
    public var encryptedSize: UInt64?

    /// The size the encrypted content must have: `encryptedSize`, else the one `plainSize` gives.
    public var expectedEncryptedSize: UInt64? {
        encryptedSize ?? plainSize.map { EncryptedContent.encryptedSize(plainSize: $0) }
    }

    /// Throws `badInput` naming `file` when it is shorter than the material says the content is: a cut
    /// download is "truncated", not a content that fails its HMAC.
    public func checkNotTruncated(_ file: RandomAccessSource) throws {
        if let expected = expectedEncryptedSize, file.size < expected {
            throw IntuneWinError.badInput(file.path, "truncated (\(file.size) of \(expected) bytes): download or copy it again")
        }
    }

    /// Keys with as many checks as are given; only `encryptionKey` is required. Throws `usage` naming
    /// `source` when a value has the wrong size.
    public init(encryptionKey: SecretBytes, initializationVector: [UInt8]? = nil, macKey: SecretBytes? = nil,
                mac: [UInt8]? = nil, fileDigest: [UInt8]? = nil, plainSize: UInt64? = nil, source: String = "") throws {
        try KeyField.encryptionKey.check(encryptionKey.count, source: source)
        if let initializationVector { try KeyField.initializationVector.check(initializationVector.count, source: source) }
        if let macKey { try KeyField.macKey.check(macKey.count, source: source) }
        if let mac { try KeyField.mac.check(mac.count, source: source) }
        if let fileDigest { try KeyField.fileDigest.check(fileDigest.count, source: source) }
        self.init(checked: encryptionKey, initializationVector: initializationVector, macKey: macKey, mac: mac,
                  fileDigest: fileDigest, plainSize: plainSize)
    }

    /// Values whose sizes the caller has checked (the file readers, which name the element in their errors).
    init(checked encryptionKey: SecretBytes, initializationVector: [UInt8]? = nil, macKey: SecretBytes? = nil,
         mac: [UInt8]? = nil, fileDigest: [UInt8]? = nil, plainSize: UInt64? = nil) {
        self.encryptionKey = encryptionKey
        self.initializationVector = initializationVector
        self.macKey = macKey
        self.mac = mac
        self.fileDigest = fileDigest
        self.plainSize = plainSize
    }

    /// Keys given as base64 text (as a user copies them from Graph or a log). Each value is decoded
    /// straight into scrubbed storage and checked for size; errors are `usage`, naming the value by
    /// `source(field)` (a front end passes its option's name) and never showing the text.
    public init(base64 encryptionKey: String, initializationVector: String? = nil, macKey: String? = nil,
                mac: String? = nil, fileDigest: String? = nil, source: (KeyField) -> String = { _ in "" }) throws {
        self.init(checked: try KeyField.encryptionKey.decode(base64: encryptionKey, source: source(.encryptionKey)),
                  initializationVector: try initializationVector.map {
                      try KeyField.initializationVector.decodePublic(base64: $0, source: source(.initializationVector))
                  },
                  macKey: try macKey.map { try KeyField.macKey.decode(base64: $0, source: source(.macKey)) },
                  mac: try mac.map { try KeyField.mac.decodePublic(base64: $0, source: source(.mac)) },
                  fileDigest: try fileDigest.map { try KeyField.fileDigest.decodePublic(base64: $0, source: source(.fileDigest)) })
    }

    /// Everything a Detection.xml gives. Throws when the block was built with wrong sizes (a parsed
    /// Detection.xml always has the right ones).
    public init(_ detection: DetectionXML, source: String = "Detection.xml") throws {
        let e = detection.encryptionInfo
        try self.init(encryptionKey: e.encryptionKey, initializationVector: e.initializationVector, macKey: e.macKey,
                      mac: e.mac, fileDigest: e.fileDigest, plainSize: detection.unencryptedContentSize, source: source)
    }

    /// What packing with these keys needs: key, MAC key and IV. Throws `usage` naming `source` when one
    /// of them is missing (key JSON may leave out the MAC key or the IV).
    public func encryptionKeys(source: String) throws -> EncryptionKeys {
        let missing = [macKey == nil ? KeyField.macKey : nil, initializationVector == nil ? .initializationVector : nil]
            .compactMap { $0?.rawValue }
        guard let macKey, let initializationVector else {
            throw IntuneWinError.usage(source, "has no \(missing.joined(separator: " and ")): packing needs EncryptionKey, MacKey and InitializationVector")
        }
        return EncryptionKeys(checked: encryptionKey, macKey: macKey, initializationVector: initializationVector)
    }

    // MARK: The check before decrypting

    /// The one check every reader of encrypted content runs before using its plaintext: the IV and MAC
    /// given against those stored in the content, then (with `authenticate` and a MAC key) the HMAC over
    /// the whole content, then the padding (a padding failure with a MAC key is reported as the HMAC
    /// mismatch it is, so a forged ciphertext gives no padding oracle), then the size given.
    /// Returns the plaintext and the names of the checks that passed, in order.
    ///
    /// Every failure is `checkFailed`: the keys do not belong to this content, or it is damaged. That is
    /// exit code 1 for `decrypt`, which its tests pin; `Differ`, for which 1 means "the sides differ",
    /// turns it into bad input itself.
    func open(_ content: EncryptedContent, authenticate: Bool,
              progress: ((UInt64) -> Void)? = nil) throws -> (plain: DecryptedContent, checked: [String]) {
        let path = content.source.path
        var checked: [String] = []
        if let iv = initializationVector {
            guard iv == content.storedIV else { throw IntuneWinError.checkFailed(path, "the IV stored in the file differs from the IV given") }
            checked.append("iv")
        }
        if let mac {
            guard HMACSHA256.equal(mac, content.storedMac) else { throw IntuneWinError.checkFailed(path, "the MAC stored in the file differs from the MAC given") }
            checked.append("mac")
        }
        if authenticate, let macKey {
            guard try content.hmacMatches(macKey: macKey, progress: progress) else { throw Self.hmacMismatch(path) }
            checked.append("hmac")
        }
        let plain: DecryptedContent
        do {
            plain = try content.decrypted(key: encryptionKey)
        } catch let error as IntuneWinError where macKey != nil && !authenticate {
            guard try content.hmacMatches(macKey: macKey!) else { throw Self.hmacMismatch(path) }
            throw error
        }
        checked.append("padding")
        if let plainSize {
            guard plainSize == plain.size else { throw IntuneWinError.checkFailed(path, "decrypted size \(plain.size) differs from the expected \(plainSize)") }
            checked.append("size")
        }
        return (plain, checked)
    }

    /// The error for content whose HMAC does not match the MAC key given.
    static func hmacMismatch(_ path: String) -> IntuneWinError {
        IntuneWinError.checkFailed(path, "HMAC-SHA256 does not match: the file is corrupt or the MAC key is wrong; nothing written")
    }
}
