import CCrypto

/// A CMS (PKCS#7) EnvelopedData held by libcrypto: its recipients, its content-encryption algorithm,
/// and decryption with a private key (RSA key transport; 3DES or AES content encryption, whatever
/// libcrypto supports). Owns the parsed structure and frees it in deinit.
final class CMSEnvelope {
    /// The file the envelope came from, for messages.
    let path: String
    let recipients: [CMSRecipient]
    /// The content-encryption algorithm's short name ("DES-EDE3-CBC", "AES-256-CBC") or dotted OID.
    let contentEncryption: String
    private let cms: OpaquePointer

    /// Parses DER; `what` names the source in messages ("<EncryptedContent>").
    init(der: [UInt8], path: String, what: String) throws {
        self.path = path
        OpenSSLError.clear()
        guard let cms = der.withUnsafeBufferPointer({ ccrypto_cms_from_der($0.baseAddress, $0.count) }) else {
            let reason = OpenSSLError.take(or: "malformed DER")
            throw IntuneWinError.badInput(path, "\(what) is not a CMS structure (\(reason)): the DecryptInfo is damaged or cut short")
        }
        // Checked before `self.cms` is set: a throwing init never reaches deinit, so free here.
        guard ccrypto_cms_is_enveloped(cms) == 1 else {
            CMS_ContentInfo_free(cms)
            throw IntuneWinError.badInput(path, "\(what) is CMS but not EnvelopedData")
        }
        let found = (0..<ccrypto_cms_recipient_count(cms)).compactMap { ccrypto_cms_recipient(cms, $0).map(Self.describe) }
        guard !found.isEmpty else {
            CMS_ContentInfo_free(cms)
            throw IntuneWinError.badInput(path, "\(what) has no recipients")
        }
        self.cms = cms
        recipients = found
        contentEncryption = Self.contentEncryptionName(der) ?? "unknown"
    }

    deinit { CMS_ContentInfo_free(cms) }

    /// Decrypts the content with `key`. A key that is not the recipient's fails with `checkFailed`
    /// naming the recipient; a recipient key that still fails means the envelope is damaged (`badInput`).
    func decrypt(with key: DeviceKey) throws -> SecretBytes {
        guard key.isRSA else {
            throw IntuneWinError.usage(key.path, "is not an RSA key; DecryptInfo is encrypted with RSA key transport to \(recipientList)")
        }
        let matching = keyMatchesRecipient(key)
        // Hand libcrypto the certificate only when it is one of the recipients; otherwise every recipient is tried.
        let certificate = key.certificate.flatMap { cert in
            (0..<ccrypto_cms_recipient_count(cms)).contains { index in
                guard let info = ccrypto_cms_recipient(cms, index), ccrypto_cms_recipient_is_key_transport(info) == 1 else { return false }
                return ccrypto_cms_ktri_matches_cert(info, cert) == 1
            } ? cert : nil
        }
        guard let out = ccrypto_secure_mem_bio() else { throw IntuneWinError.badInput(path, "out of memory") }
        defer { BIO_free(out) }
        OpenSSLError.clear()
        // Debug mode on purpose: a local tool gains nothing from the Bleichenbacher countermeasure (a random
        // key on failure, so a wrong key looks like damaged content) and loses clear "wrong key" errors.
        let flags = UInt32(CMS_BINARY | CMS_DEBUG_DECRYPT)
        let ok = key.withKey { CMS_decrypt(cms, $0, certificate, nil, out, flags) } == 1
        guard ok else {
            let reason = OpenSSLError.take(or: "decryption failed")
            if matching == true {
                throw IntuneWinError.badInput(path, "the DecryptInfo does not decrypt with the recipient's key \(key.path) (\(reason)): it is damaged")
            }
            // A key transport failure means the wrong key; a content failure with an unproven key may be either.
            throw wrongKey(key, reason: reason, undecided: matching == nil && reason == "bad decrypt")
        }
        var data: UnsafePointer<UInt8>?
        let count = ccrypto_mem_bio_contents(out, &data)
        guard count >= 0, let data else { return SecretBytes([]) }
        var plain = Array(UnsafeBufferPointer(start: data, count: count))
        return SecretBytes(scrubbing: &plain)
    }

    /// The error for a key that did not open the envelope. `undecided`: nothing showed the key is not the
    /// recipient's, so a damaged envelope is possible too (with RSA implicit rejection, OpenSSL 3.2 and
    /// later, a wrong key surfaces only as a content decryption error).
    func wrongKey(_ key: DeviceKey, reason: String, undecided: Bool) -> IntuneWinError {
        IntuneWinError.checkFailed(path, "the device key \(key.path) does not open this DecryptInfo (\(reason)): "
            + "it needs the private key of the certificate with \(recipientList)" + (undecided ? ", unless the DecryptInfo is damaged" : ""))
    }

    /// The recipients, joined for one-line messages.
    var recipientList: String { recipients.map(\.description).joined(separator: " or ") }

    /// True when the key is known to be a recipient's, false when known not to be, nil when it cannot be told
    /// (issuer-and-serial recipients without a certificate beside the key).
    func keyMatchesRecipient(_ key: DeviceKey) -> Bool? {
        var undecidable = false
        for (index, recipient) in recipients.enumerated() {
            switch recipient.identifier {
            case .subjectKeyIdentifier(let hex):
                if key.keyIdentifiers.contains(hex) { return true }
                if let cert = key.certificate, let info = ccrypto_cms_recipient(cms, Int32(index)),
                   ccrypto_cms_ktri_matches_cert(info, cert) == 1 { return true }
                // A CA may compute the identifier another way: only a certificate could tell for sure.
                if key.certificate == nil { undecidable = true }
            case .issuerAndSerial:
                if let cert = key.certificate, let info = ccrypto_cms_recipient(cms, Int32(index)) {
                    if ccrypto_cms_ktri_matches_cert(info, cert) == 1 { return true }
                } else {
                    undecidable = true
                }
            case .other:
                continue
            }
        }
        return undecidable ? nil : false
    }

    // MARK: Reading the structure

    private static func describe(_ info: OpaquePointer) -> CMSRecipient {
        guard ccrypto_cms_recipient_is_key_transport(info) == 1 else {
            let kinds = [1: "key agreement", 2: "KEK", 3: "password", 4: "other"]
            return CMSRecipient(identifier: .other(kinds[Int(CMS_RecipientInfo_type(info))] ?? "non-key-transport"))
        }
        let algorithm = ccrypto_cms_ktri_algorithm(info).map { String(cString: $0) }
        var keyID: UnsafePointer<UInt8>?
        var keyIDLength: Int32 = 0
        var issuer: OpaquePointer?
        var serial: UnsafePointer<ASN1_INTEGER>?
        guard ccrypto_cms_ktri_identifier(info, &keyID, &keyIDLength, &issuer, &serial) == 1 else {
            return CMSRecipient(identifier: .other("unreadable key transport"), keyEncryption: algorithm)
        }
        if let keyID {
            let bytes = Array(UnsafeBufferPointer(start: keyID, count: Int(keyIDLength)))
            return CMSRecipient(identifier: .subjectKeyIdentifier(KeyText.hex(bytes)), keyEncryption: algorithm)
        }
        var nameBuffer = [CChar](repeating: 0, count: 1024)
        var serialBuffer = [CChar](repeating: 0, count: 128)
        let name = issuer.map { ccrypto_x509_name_text($0, &nameBuffer, Int32(nameBuffer.count)) } ?? -1
        let number = serial.map { ccrypto_asn1_integer_hex($0, &serialBuffer, Int32(serialBuffer.count)) } ?? -1
        return CMSRecipient(identifier: .issuerAndSerial(issuer: name >= 0 ? KeyText.string(nameBuffer) : "?",
                                                         serial: number >= 0 ? KeyText.string(serialBuffer) : "?"),
                            keyEncryption: algorithm)
    }

    /// ContentInfo → [0] EnvelopedData → EncryptedContentInfo → AlgorithmIdentifier → OID, named by libcrypto.
    private static func contentEncryptionName(_ der: [UInt8]) -> String? {
        guard let contentInfo = DERReader.element(der)?.children, contentInfo.count >= 2,
              let enveloped = contentInfo[1].children?.first?.children else { return nil }
        // version, [0] originatorInfo (optional), SET recipientInfos, SEQUENCE encryptedContentInfo, …
        guard let setIndex = enveloped.firstIndex(where: { $0.tag == 0x31 }), setIndex + 1 < enveloped.count,
              let encryptedContentInfo = enveloped[setIndex + 1].children, encryptedContentInfo.count >= 2,
              let oid = encryptedContentInfo[1].children?.first, oid.tag == 0x06 else { return nil }
        var buffer = [CChar](repeating: 0, count: 128)
        let encoding = Array(oid.encoding)
        let n = encoding.withUnsafeBufferPointer { ccrypto_oid_name($0.baseAddress, $0.count, &buffer, Int32(buffer.count)) }
        OpenSSLError.clear()
        return n > 0 ? KeyText.string(buffer) : nil
    }
}
