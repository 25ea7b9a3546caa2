/// Where key material comes from: the one resolver that decrypting, unpacking, comparing and packing
/// with given keys all go through, so every command accepts the same sources.
public enum KeySource: Sendable {
    /// A file holding key material in any format `KeyMaterial.read` accepts: a Detection.xml, a package
    /// (its own Detection.xml), Graph's `fileEncryptionInfo` JSON, or IME's decrypted DecryptInfo JSON.
    case file(String)
    /// IME's encrypted DecryptInfo (XML, log or CMS) and the device private key (with its password) that opens it.
    case decryptInfo(String, deviceKey: String, password: String?)
    /// Values already in hand (for instance from `ContentKeys(base64:)`).
    case keys(ContentKeys)

    /// The key material. Errors name the file and the field, never a key.
    public func resolve() throws -> KeyMaterial {
        switch self {
        case .file(let path):
            return try KeyMaterial.read(path)
        case .decryptInfo(let path, let deviceKey, let password):
            let info = try DecryptInfo(path: path)
            return try info.decrypt(with: try DeviceKey(path: deviceKey, password: password))
        case .keys(let keys):
            return .encrypted(keys)
        }
    }

    /// The keys to decrypt with; plain (`NoEncryption`) material is a `usage` error here, as there is
    /// nothing to decrypt with (use `resolve` to handle both).
    public func contentKeys() throws -> ContentKeys {
        switch try resolve() {
        case .encrypted(let keys): return keys
        case .plain:
            throw IntuneWinError.usage(origin ?? "", "ProfileIdentifier is \(KeyMaterial.noEncryptionProfile): the content is not encrypted, there is no key")
        }
    }

    /// What packing needs (key, MAC key, IV) from this source; a `usage` error names the source when it
    /// lacks one of them or is plain (`NoEncryption`).
    public func encryptionKeys() throws -> EncryptionKeys {
        try resolve().encryptionKeys(source: origin ?? "")
    }

    /// Where the material came from, for a report line ("keys.json", "app.log, opened with device.pfx");
    /// nil for values given directly.
    public var origin: String? {
        switch self {
        case .file(let path): return path
        case .decryptInfo(let path, let deviceKey, _): return "\(path), opened with \(deviceKey)"
        case .keys: return nil
        }
    }
}
