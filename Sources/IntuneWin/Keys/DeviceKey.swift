import CCrypto
import Foundation

/// The device's private key, the one IME's DecryptInfo is encrypted to (the Intune MDM device
/// certificate's key), read from PEM (PKCS#1 or PKCS#8, optionally encrypted) or PKCS#12 (.pfx/.p12,
/// as Windows exports it), optionally with its certificate. Owns the libcrypto objects and frees them
/// in deinit; the password is used once and not kept.
public final class DeviceKey {
    /// The file the key was read from.
    public let path: String
    /// Subject key identifiers this key is known by (upper-case hex): the SHA-1 of its public key
    /// (RFC 5280 method 1), and the certificate's own identifier when a certificate came with the key.
    public let keyIdentifiers: [String]
    private let key: OpaquePointer
    /// The certificate found beside the key (PKCS#12, or a PEM that also holds one), if any.
    let certificate: OpaquePointer?

    /// Files larger than this are not keys.
    static let sizeLimit: UInt64 = 1 << 20

    /// Reads a key file. `password` opens an encrypted PEM key or a PKCS#12; nil means none.
    /// Errors name the file and never the password: a missing password is a usage error, a wrong one
    /// a failed check, anything unreadable bad input.
    public init(path: String, password: String?) throws {
        self.path = path
        let file = try FileRegion(path: path)
        guard file.size > 0 else { throw IntuneWinError.badInput(path, "is empty, not a private key") }
        guard file.size <= Self.sizeLimit else { throw IntuneWinError.badInput(path, "\(file.size) bytes: too large for a key file") }
        var raw = try file.readExactly(at: 0, count: Int(file.size))
        let bytes = SecretBytes(scrubbing: &raw)
        OpenSSLError.clear()
        defer { OpenSSLError.clear() }
        let loaded = try bytes.withUnsafeBytes { raw -> (OpaquePointer, OpaquePointer?) in
            let buffer = raw.bindMemory(to: UInt8.self)
            if Self.find("-----BEGIN ", in: buffer) {
                return try Self.readPEM(buffer, password: password, path: path)
            }
            return try Self.readBinary(buffer, password: password, path: path)
        }
        key = loaded.0
        certificate = loaded.1
        var identifiers: [String] = []
        var digest = [UInt8](repeating: 0, count: 20)
        if ccrypto_public_key_sha1_id(key, &digest) == 1 { identifiers.append(KeyText.hex(digest)) }
        if let certificate {
            var length: Int32 = 0
            if let id = ccrypto_certificate_key_id(certificate, &length) {
                let hex = KeyText.hex(Array(UnsafeBufferPointer(start: id, count: Int(length))))
                if !identifiers.contains(hex) { identifiers.append(hex) }
            }
        }
        keyIdentifiers = identifiers
    }

    deinit {
        EVP_PKEY_free(key)
        if let certificate { X509_free(certificate) }
    }

    /// True for RSA keys, the only kind IME's key transport uses.
    var isRSA: Bool { ccrypto_key_is_rsa(key) == 1 }

    /// Lends the EVP_PKEY to libcrypto calls; it must not escape.
    func withKey<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R { try body(key) }

    // MARK: Formats

    /// Whether the ASCII `marker` occurs in `bytes` (searched in place: the key text never becomes a String).
    private static func find(_ marker: String, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let needle = Array(marker.utf8)
        guard bytes.count >= needle.count else { return false }
        for start in 0...(bytes.count - needle.count) where bytes[start] == needle[0] {
            if (1..<needle.count).allSatisfy({ bytes[start + $0] == needle[$0] }) { return true }
        }
        return false
    }

    private static func readPEM(_ pem: UnsafeBufferPointer<UInt8>, password: String?,
                                path: String) throws -> (OpaquePointer, OpaquePointer?) {
        guard find("PRIVATE KEY-----", in: pem) else {
            throw IntuneWinError.badInput(path, "holds no private key (a certificate alone cannot decrypt): give the private key as PEM or PKCS#12")
        }
        let encrypted = find("ENCRYPTED PRIVATE KEY-----", in: pem) || find("Proc-Type: 4,ENCRYPTED", in: pem)
        if encrypted && password == nil {
            throw IntuneWinError.usage(path, "the private key is encrypted", remedy: .giveDeviceKeyPassword)
        }
        let key: OpaquePointer? = if let password {
            password.withCString { ccrypto_pem_private_key(pem.baseAddress, pem.count, $0) }
        } else {
            ccrypto_pem_private_key(pem.baseAddress, pem.count, nil)
        }
        guard let key else {
            let reason = OpenSSLError.take(or: "unreadable")
            if encrypted { throw IntuneWinError.checkFailed(path, "the password does not open the private key (\(reason))") }
            throw IntuneWinError.badInput(path, "not a readable PEM private key (\(reason))")
        }
        return (key, ccrypto_pem_certificate(pem.baseAddress, pem.count))
    }

    private static func readBinary(_ der: UnsafeBufferPointer<UInt8>, password: String?,
                                   path: String) throws -> (OpaquePointer, OpaquePointer?) {
        if let p12 = ccrypto_pkcs12_from_der(der.baseAddress, der.count) {
            defer { PKCS12_free(p12) }
            return try readPKCS12(p12, password: password, path: path)
        }
        OpenSSLError.clear()
        if let key = ccrypto_der_private_key(der.baseAddress, der.count) { return (key, nil) }
        throw IntuneWinError.badInput(path, "neither a PEM private key nor PKCS#12 (.pfx/.p12) nor a DER private key")
    }

    private static func readPKCS12(_ p12: OpaquePointer, password: String?, path: String) throws -> (OpaquePointer, OpaquePointer?) {
        guard Self.pkcs12PasswordOpens(p12, password) else {
            OpenSSLError.clear()
            if password == nil { throw IntuneWinError.usage(path, "the PKCS#12 is password-protected", remedy: .giveDeviceKeyPassword) }
            throw IntuneWinError.checkFailed(path, "the password does not open this PKCS#12 (its integrity check fails)")
        }
        func parse() -> (OpaquePointer?, OpaquePointer?)? {
            var key: OpaquePointer?, cert: OpaquePointer?
            let ok = password.map { $0.withCString { ccrypto_pkcs12_parse(p12, $0, &key, &cert) } }
                ?? ccrypto_pkcs12_parse(p12, nil, &key, &cert)
            return ok == 1 ? (key, cert) : nil
        }
        // Windows exports may use RC2 or other algorithms only OpenSSL's legacy provider has: retry with it.
        var parsed = parse()
        if parsed == nil, OSSL_PROVIDER_try_load(nil, "legacy", 1) != nil {
            OpenSSLError.clear()
            parsed = parse()
        }
        guard let parsed else {
            throw IntuneWinError.badInput(path, "the PKCS#12 cannot be read (\(OpenSSLError.take(or: "unreadable")))")
        }
        guard let key = parsed.0 else {
            if let cert = parsed.1 { X509_free(cert) }
            throw IntuneWinError.badInput(path, "the PKCS#12 holds no private key")
        }
        return (key, parsed.1)
    }

    /// Whether `password` passes the PKCS#12's integrity MAC (true when it has none). No password means
    /// none or empty: Windows exports "without a password" use either, so both are tried.
    private static func pkcs12PasswordOpens(_ p12: OpaquePointer, _ password: String?) -> Bool {
        guard PKCS12_mac_present(p12) == 1 else { return true }
        guard let password else { return PKCS12_verify_mac(p12, nil, 0) == 1 || PKCS12_verify_mac(p12, "", 0) == 1 }
        return PKCS12_verify_mac(p12, password, -1) == 1
    }
}
