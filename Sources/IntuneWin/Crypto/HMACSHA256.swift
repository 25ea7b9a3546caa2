import CCrypto

/// Streaming HMAC-SHA256 (libcrypto EVP_MAC). Mac = HMAC-SHA256(MacKey, IV ‖ ciphertext).
public final class HMACSHA256 {
    private let context: OpaquePointer

    /// An HMAC keyed with `key`.
    public init(key: SecretBytes) {
        context = key.withUnsafeBytes { raw in
            ccrypto_hmac_sha256_new(raw.baseAddress?.assumingMemoryBound(to: UInt8.self), raw.count)
        }!
    }

    deinit { EVP_MAC_CTX_free(context) }

    /// Adds `bytes` to the message.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        precondition(EVP_MAC_update(context, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), bytes.count) == 1)
    }

    /// Adds `bytes` to the message.
    public func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    /// The 32-byte MAC; the object must not be used afterwards.
    public func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length = 0
        precondition(EVP_MAC_final(context, &out, &length, 32) == 1 && length == 32)
        return out
    }

    /// Compares a computed MAC with an expected one in constant time.
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return ccrypto_const_time_equal(a, b, a.count) == 1
    }
}
