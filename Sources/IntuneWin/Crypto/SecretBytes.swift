import Foundation

/// Key material (EncryptionKey, MacKey): bytes that never show up in `description`, logs or errors,
/// are compared in constant time, and are zeroed when the last copy goes away.
public struct SecretBytes: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    private final class Storage: @unchecked Sendable {
        var bytes: [UInt8]
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        deinit {
            // Overwrite through a pointer so the optimizer cannot drop the store.
            bytes.withUnsafeMutableBytes { raw in
                guard let base = raw.baseAddress else { return }
                let volatile = base.assumingMemoryBound(to: UInt8.self)
                for i in 0..<raw.count { volatile[i] = 0 }
            }
        }
    }

    private let storage: Storage

    /// Wraps bytes the caller already holds (a decoded base64 field, random bytes).
    public init(_ bytes: [UInt8]) { storage = Storage(bytes) }

    /// Decodes standard base64; nil when the text is not base64.
    public init?(base64: String) {
        guard let data = Data(base64Encoded: base64.trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
        self.init([UInt8](data))
    }

    public var count: Int { storage.bytes.count }

    /// Gives the bytes to a closure (for the crypto layer); they must not escape it.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.bytes.withUnsafeBytes(body)
    }

    /// The base64 text, for writing Detection.xml or for `--show-keys`: the only way out.
    public func revealedBase64() -> String { Data(storage.bytes).base64EncodedString() }

    /// Constant-time comparison: the time taken does not depend on where the bytes differ.
    public static func == (lhs: SecretBytes, rhs: SecretBytes) -> Bool {
        constantTimeEqual(lhs.storage.bytes, rhs.storage.bytes)
    }

    public var description: String { "<secret: \(count) bytes>" }
    public var debugDescription: String { description }
}

/// Compares two byte arrays in time that depends only on their lengths (used for MACs and keys).
public func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for i in 0..<a.count { difference |= a[i] ^ b[i] }
    return difference == 0
}
