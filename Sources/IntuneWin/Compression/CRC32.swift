import CZlib

/// CRC-32 (the zip checksum), computed incrementally over streamed bytes.
public struct CRC32: Sendable, Equatable {
    /// The CRC-32 of everything given so far.
    public private(set) var value: UInt32 = 0

    /// The CRC-32 of no bytes (0).
    public init() {}

    /// Adds `bytes` to the checksum.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var base = bytes.baseAddress?.assumingMemoryBound(to: Bytef.self) else { return }
        var remaining = bytes.count
        // zlib takes a uInt length; feed large buffers in slices.
        while remaining > 0 {
            let n = min(remaining, Int(UInt32.max >> 1))
            value = UInt32(crc32(uLong(value), base, uInt(n)))
            base += n
            remaining -= n
        }
    }

    /// Adds `bytes` to the checksum.
    public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    /// The CRC of A‖B from crc(A), crc(B) and len(B), without the bytes (zlib's crc32_combine).
    public static func combine(_ first: UInt32, _ second: UInt32, secondLength: UInt64) -> UInt32 {
        UInt32(crc32_combine(uLong(first), uLong(second), off_t(secondLength)))
    }
}
