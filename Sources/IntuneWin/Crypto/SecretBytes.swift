import CCrypto
import Foundation

/// Key material (EncryptionKey, MacKey): bytes that never show up in `description`, logs or errors,
/// are compared in constant time, and are zeroed when the last copy goes away.
///
/// The bytes live in a buffer this type allocates and owns (not in a copy-on-write array that another
/// value could share), so the buffer that is scrubbed is the only one the library holds. Bytes handed to
/// `init(_:)` stay the caller's to dispose of.
public struct SecretBytes: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    private final class Storage: @unchecked Sendable {
        let buffer: UnsafeMutableRawBufferPointer

        init(_ bytes: UnsafeRawBufferPointer) {
            // Never a zero-byte allocation: the base address must be valid even for an empty secret.
            buffer = .allocate(byteCount: max(bytes.count, 1), alignment: 16)
            if let source = bytes.baseAddress, bytes.count > 0 {
                buffer.baseAddress!.copyMemory(from: source, byteCount: bytes.count)
            }
            count = bytes.count
        }

        let count: Int

        var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: buffer.baseAddress, count: count) }

        /// OPENSSL_cleanse: a store the optimizer may not drop, unlike a plain loop before `deallocate`
        /// (dead-store elimination removes writes to memory that is freed right after).
        func wipe() { ccrypto_cleanse(buffer.baseAddress, buffer.count) }

        deinit {
            wipe()
            buffer.deallocate()
        }
    }

    private let storage: Storage

    /// Copies bytes the caller already holds (a decoded base64 field, random bytes). The copy is the
    /// library's and is scrubbed; the caller's array is not touched.
    public init(_ bytes: [UInt8]) { storage = bytes.withUnsafeBytes { Storage($0) } }

    /// Takes bytes decoded or decrypted just for this (a base64 field, a key file): copies them into the
    /// owned buffer, then scrubs `bytes` in place (it is left all zeros), so no unscrubbed copy stays behind.
    /// (An array whose buffer is shared with another copy cannot be scrubbed in place: only this copy is.)
    public init(scrubbing bytes: inout [UInt8]) {
        self.init(bytes)
        Self.scrub(&bytes)
    }

    /// Zeroes an array that held key bytes or key text (what `init(scrubbing:)` does to its argument),
    /// for temporary copies that do not become a `SecretBytes`.
    static func scrub(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { ccrypto_cleanse($0.baseAddress, $0.count) }
    }

    /// Decodes standard base64; nil when the text is not base64. The decoded intermediate is scrubbed.
    public init?(base64: String) {
        guard var data = Data(base64Encoded: base64.trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
        storage = data.withUnsafeBytes { Storage($0) }
        data.withUnsafeMutableBytes { ccrypto_cleanse($0.baseAddress, $0.count) }
    }

    /// Number of bytes (not secret).
    public var count: Int { storage.count }

    /// Gives the bytes to a closure (for the crypto layer); they must not escape it.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(storage) { try body(storage.bytes) }
    }

    /// The base64 text, for writing Detection.xml or for `--show-keys`: the only way out.
    public func revealedBase64() -> String {
        withExtendedLifetime(storage) {
            // Base64 straight from the owned buffer: no unscrubbed intermediate copy of the raw bytes.
            Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: storage.bytes.baseAddress!), count: storage.count,
                 deallocator: .none).base64EncodedString()
        }
    }

    /// Scrubs the bytes now (every copy of this value shares them). What `deinit` runs; internal so a test
    /// can watch the owned buffer through a pointer while it is still allocated.
    func wipe() { storage.wipe() }

    /// Constant-time comparison: the time taken does not depend on where the bytes differ.
    public static func == (lhs: SecretBytes, rhs: SecretBytes) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return withExtendedLifetime((lhs.storage, rhs.storage)) {
            ccrypto_const_time_equal(lhs.storage.bytes.baseAddress, rhs.storage.bytes.baseAddress, lhs.count) == 1
        }
    }

    /// `<secret: N bytes>`: never the bytes.
    public var description: String { "<secret: \(count) bytes>" }
    /// Same as `description`, so `dump` and the debugger do not show the bytes either.
    public var debugDescription: String { description }
}

/// Compares two byte arrays in time that depends only on their lengths (used for MACs and keys):
/// OpenSSL's CRYPTO_memcmp, which the optimizer cannot turn into an early exit.
public func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    guard !a.isEmpty else { return true }
    return a.withUnsafeBytes { x in b.withUnsafeBytes { y in ccrypto_const_time_equal(x.baseAddress, y.baseAddress, a.count) == 1 } }
}
