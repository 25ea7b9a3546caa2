/// One recipient of a CMS EnvelopedData: who can open it. IME encrypts DecryptInfo to the device's
/// Intune MDM certificate and names it by subject key identifier, so that is what a user must match
/// against their certificates to find the private key that is needed.
public struct CMSRecipient: Sendable, Equatable, CustomStringConvertible {
    /// How the recipient's certificate is named.
    public enum Identifier: Sendable, Equatable {
        /// The certificate's subjectKeyIdentifier, upper-case hex without separators.
        case subjectKeyIdentifier(String)
        /// The certificate's issuer (RFC 2253 text) and serial number (upper-case hex).
        case issuerAndSerial(issuer: String, serial: String)
        /// A recipient type other than key transport (key agreement, KEK, password), by name.
        case other(String)
    }

    /// How the recipient's certificate is named.
    public var identifier: Identifier
    /// The key encryption algorithm ("rsaEncryption" is RSA PKCS#1 v1.5, "RSAES-OAEP"), when known.
    public var keyEncryption: String?

    /// A recipient from its identifier and key encryption algorithm.
    public init(identifier: Identifier, keyEncryption: String? = nil) {
        self.identifier = identifier
        self.keyEncryption = keyEncryption
    }

    /// "subject key identifier 0ED1…", "issuer CN=… serial 01AB", or the recipient type.
    public var description: String {
        switch identifier {
        case .subjectKeyIdentifier(let hex): return "subject key identifier \(hex)"
        case .issuerAndSerial(let issuer, let serial): return "issuer \(issuer) serial \(serial)"
        case .other(let kind): return "a \(kind) recipient"
        }
    }
}
