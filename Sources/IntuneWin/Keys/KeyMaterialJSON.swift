import Foundation

/// Key material as JSON: Graph's `fileEncryptionInfo` (`encryptionKey`, `macKey`,
/// `initializationVector`, `mac`, `profileIdentifier`, `fileDigest`, `fileDigestAlgorithm`) at the top
/// level or nested under a `fileEncryptionInfo` key, or IME's decrypted DecryptInfo (`EncryptionKey`,
/// `IV` or `InitializationVector`, `MacKey`, …). Names match case-insensitively; null or empty values
/// count as absent; unknown fields are ignored. Base64 values must have their exact sizes.
enum KeyMaterialJSON {
    /// Reads `bytes` (UTF-8 JSON); `path` names the file in errors.
    static func parse(_ bytes: [UInt8], path: String, what: String = "key JSON") throws -> KeyMaterial {
        let object: Any
        do {
            guard !bytes.isEmpty else { throw IntuneWinError.badInput(path, "\(what) is empty") }
            // Read in place: no second, unscrubbed copy of the key text (the caller scrubs `bytes`).
            object = try bytes.withUnsafeBytes { raw in
                try JSONSerialization.jsonObject(with: Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: raw.baseAddress!),
                                                            count: raw.count, deallocator: .none))
            }
        } catch {
            throw IntuneWinError.badInput(path, "\(what) is not valid JSON")
        }
        guard let top = object as? [String: Any] else { throw IntuneWinError.badInput(path, "\(what) is not a JSON object") }
        let fields = try Fields(try keyObject(top, path: path, what: what), path: path, what: what)

        let profile = try fields.string("ProfileIdentifier")
        let algorithm = try fields.string("FileDigestAlgorithm")
        if let algorithm, !["sha256", "sha-256"].contains(algorithm.value.lowercased()) {
            throw IntuneWinError.badInput(path, "\(what): \(algorithm.name) \(algorithm.value) is not supported (only SHA256)")
        }
        let digest = try fields.base64("FileDigest", count: 32)
        if let profile, profile.value.caseInsensitiveCompare(KeyMaterial.noEncryptionProfile) == .orderedSame {
            return .plain(PlainContent(fileDigest: digest, plainSize: nil))
        }
        guard let key = try fields.secret("EncryptionKey", count: 32) else {
            throw IntuneWinError.badInput(path, "\(what): missing EncryptionKey")
        }
        // Sizes checked above, with errors naming the field as written.
        var keys = ContentKeys(checked: key,
                               initializationVector: try fields.base64("InitializationVector", "IV", count: 16),
                               macKey: try fields.secret("MacKey", count: 32),
                               mac: try fields.base64("Mac", count: 32), fileDigest: digest)
        // Graph's mobileAppContentFile gives the sizes beside fileEncryptionInfo: the plain and encrypted
        // content's, so a cut download is known for truncated before it is decrypted.
        keys.plainSize = size(top, "size")
        keys.encryptedSize = size(top, "sizeEncrypted")
        return .encrypted(keys)
    }

    /// A whole, non-negative number under `name` (any letter case) in `object`; nil otherwise.
    private static func size(_ object: [String: Any], _ name: String) -> UInt64? {
        guard let value = object.first(where: { $0.key.lowercased() == name.lowercased() })?.value else { return nil }
        if !(value is Bool), let number = value as? NSNumber, number.int64Value >= 0,
           number.doubleValue == Double(number.int64Value) {
            return UInt64(number.int64Value)
        }
        if let text = value as? String, let parsed = UInt64(text) { return parsed }
        return nil
    }

    /// The object holding the fields: the top level, or the one `fileEncryptionInfo` object inside it.
    private static func keyObject(_ top: [String: Any], path: String, what: String) throws -> [String: Any] {
        if top.keys.contains(where: { $0.lowercased() == "encryptionkey" || $0.lowercased() == "profileidentifier" }) { return top }
        var found: [[String: Any]] = []
        collect(top, depth: 0, into: &found)
        guard found.count <= 1 else {
            throw IntuneWinError.usage(path, "\(what): \(found.count) fileEncryptionInfo objects; keep the one you want")
        }
        return found.first ?? top
    }

    /// Every object under a `fileEncryptionInfo` key, at any depth up to 16 (arrays included).
    private static func collect(_ value: Any, depth: Int, into found: inout [[String: Any]]) {
        guard depth < 16 else { return }
        if let object = value as? [String: Any] {
            for (name, child) in object {
                if name.lowercased() == "fileencryptioninfo", let info = child as? [String: Any] {
                    found.append(info)
                } else {
                    collect(child, depth: depth + 1, into: &found)
                }
            }
        } else if let array = value as? [Any] {
            for child in array { collect(child, depth: depth + 1, into: &found) }
        }
    }

    /// Case-insensitive field access with errors that name the field as written, never its value
    /// (except for the two non-secret text fields).
    private struct Fields {
        let byLowercasedName: [String: (name: String, value: Any)]
        let path: String
        let what: String

        init(_ object: [String: Any], path: String, what: String) throws {
            var map: [String: (name: String, value: Any)] = [:]
            for (name, value) in object {
                let key = name.lowercased()
                if let other = map[key] {
                    throw IntuneWinError.badInput(path, "\(what): \(other.name) and \(name) are the same field")
                }
                map[key] = (name, value)
            }
            byLowercasedName = map
            self.path = path
            self.what = what
        }

        /// The first present, non-null, non-empty field of `names`, as a string.
        func string(_ names: String...) throws -> (name: String, value: String)? { try string(names) }

        private func string(_ names: [String]) throws -> (name: String, value: String)? {
            for wanted in names {
                guard let (name, value) = byLowercasedName[wanted.lowercased()], !(value is NSNull) else { continue }
                guard let text = value as? String else { throw IntuneWinError.badInput(path, "\(what): \(name) is not a string") }
                let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
                if !trimmed.isEmpty { return (name, trimmed) }
            }
            return nil
        }

        /// A base64 field decoded and checked to be `count` bytes; nil when absent.
        func base64(_ names: String..., count: Int) throws -> [UInt8]? {
            try secret(names, count: count)?.withUnsafeBytes { Array($0) }
        }

        /// A base64 key decoded straight into scrubbed storage and checked to be `count` bytes; nil when absent.
        func secret(_ names: String..., count: Int) throws -> SecretBytes? { try secret(names, count: count) }

        private func secret(_ names: [String], count: Int) throws -> SecretBytes? {
            guard let (name, text) = try string(names) else { return nil }
            guard let bytes = SecretBytes(base64: text.filter { !$0.isWhitespace }) else {
                throw IntuneWinError.badInput(path, "\(what): \(name) is not valid base64")
            }
            guard bytes.count == count else {
                throw IntuneWinError.badInput(path, "\(what): \(name) is \(bytes.count) bytes, expected \(count)")
            }
            return bytes
        }
    }
}
