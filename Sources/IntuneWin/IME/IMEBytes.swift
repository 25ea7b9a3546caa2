import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte helpers for the IME readers.
enum IMEBytes {
    /// No byte at or above 0x80 and no CR: each byte is one Character, so byte and String searches agree.
    static func isPlainASCII(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = b.baseAddress else { return true }
        let n = b.count
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i + 8 <= n {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if w & 0x8080_8080_8080_8080 != 0 { return false }
            let x = w ^ 0x0D0D_0D0D_0D0D_0D0D
            if (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080 != 0 { return false }
            i += 8
        }
        while i < n {
            if base[i] >= 0x80 || base[i] == 0x0D { return false }
            i += 1
        }
        return true
    }

    static func hasPrefix(_ b: UnsafeBufferPointer<UInt8>, _ text: String) -> Bool {
        var text = text
        return text.withUTF8 { t in
            guard t.count <= b.count else { return false }
            guard let tb = t.baseAddress, let bb = b.baseAddress else { return t.isEmpty }
            return bb[0] == tb[0] && memcmp(bb, tb, t.count) == 0
        }
    }

    /// The offset of the first `text` in `b[from..<to]`.
    static func find(_ text: String, in b: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        var text = text
        return text.withUTF8 { t -> Int? in
            guard let first = t.first, let base = b.baseAddress, let tb = t.baseAddress, to - from >= t.count else { return nil }
            var at = from
            let last = to - t.count
            while at <= last {
                guard let hit = memchr(base + at, Int32(first), last - at + 1) else { return nil }
                let i = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if memcmp(base + i, tb, t.count) == 0 { return i }
                at = i + 1
            }
            return nil
        }
    }

    /// `body` over the UTF-8 of `text` (contiguous for native strings, copied otherwise).
    static func withUTF8<S: StringProtocol, R>(_ text: S, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(text.utf8).withUnsafeBufferPointer(body)
    }
}

extension IMEBytes {
    /// A byte count for people: `512 bytes`, `17.8 MiB`, `411.0 MiB`.
    public static func size(_ n: UInt64) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB"]
        guard n >= 1024 else { return n == 1 ? "1 byte" : "\(n) bytes" }
        var value = Double(n) / 1024, unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return String(format: "%.1f %@", value, units[unit])
    }
}
