#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte tests and searches the redaction scanners share (ASCII rules; bytes at or above 0x80 are never
/// separators, so UTF-8 letters stay inside the names they belong to).
enum IMERedactionBytes {
    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c &- 48 < 10 }
    @inline(__always) static func isHex(_ c: UInt8) -> Bool { c &- 48 < 10 || (c | 0x20) &- 97 < 6 }
    @inline(__always) static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) &- 97 < 26 }
    @inline(__always) static func isAlnum(_ c: UInt8) -> Bool { isDigit(c) || isLetter(c) }
    @inline(__always) static func lower(_ c: UInt8) -> UInt8 { c &- 65 < 26 ? c | 0x20 : c }

    /// A byte of an account or computer name after `\` (letters, digits, `.`, `-`, `_`, `$`, UTF-8).
    @inline(__always) static func isNameByte(_ c: UInt8) -> Bool {
        isAlnum(c) || c == UInt8(ascii: ".") || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: "$") || c >= 0x80
    }

    /// A byte of a name written after `_` (no `_` or `.`: they end it, as in `AzureAD_Name.txt`).
    @inline(__always) static func isTightNameByte(_ c: UInt8) -> Bool {
        isAlnum(c) || c == UInt8(ascii: "-") || c >= 0x80
    }

    /// `b` lowered (ASCII letters only), for case-insensitive keyword searches at the same offsets.
    static func lowered(_ b: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: b.count) { out, count in
            for k in 0..<b.count { out[k] = lower(b[k]) }
            count = b.count
        }
    }

    /// Offsets of every `needle` (already lower case) in `hay`, in order, non-overlapping; `body` returns false to stop.
    static func forEach(_ needle: StaticString, in hay: UnsafeBufferPointer<UInt8>, _ body: (Int) -> Bool) {
        forEach(UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount), in: hay, body)
    }

    /// `forEach` with the needle's bytes.
    static func forEach(_ needle: UnsafeBufferPointer<UInt8>, in hay: UnsafeBufferPointer<UInt8>, _ body: (Int) -> Bool) {
        let n = needle.count
        guard n > 0, let base = hay.baseAddress, let nb = needle.baseAddress, hay.count >= n else { return }
        let first = Int32(nb[0])
        var at = 0
        let last = hay.count - n
        while at <= last {
            guard let hit = memchr(base + at, first, last - at + 1) else { return }
            let i = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if memcmp(base + i, nb, n) == 0 {
                if !body(i) { return }
                at = i + n
            } else {
                at = i + 1
            }
        }
    }

    /// Whether `needle` (lower case) occurs in `hay[from..<to]`.
    static func contains(_ needle: StaticString, in hay: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Bool {
        guard from < to else { return false }
        var found = false
        forEach(needle, in: UnsafeBufferPointer(rebasing: hay[from..<to])) { _ in found = true; return false }
        return found
    }

    /// Whether `hay[..<end]` ends with `suffix` (lower case).
    static func endsWith(_ hay: UnsafeBufferPointer<UInt8>, at end: Int, _ suffix: StaticString) -> Bool {
        let n = suffix.utf8CodeUnitCount
        guard end >= n, end <= hay.count else { return false }
        let s = suffix.utf8Start
        for k in 0..<n where hay[end - n + k] != s[k] { return false }
        return true
    }

    /// Whether `hay[from...]` starts with `prefix` (exact bytes).
    static func startsWith(_ hay: UnsafeBufferPointer<UInt8>, at from: Int, _ prefix: StaticString) -> Bool {
        let n = prefix.utf8CodeUnitCount
        guard from >= 0, from + n <= hay.count else { return false }
        let s = prefix.utf8Start
        for k in 0..<n where hay[from + k] != s[k] { return false }
        return true
    }

    /// A GUID (8-4-4-4-12 hex digits) starts at `i`, whatever touches it.
    static func isGUID(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        guard i >= 0, i + 36 <= b.count else { return false }
        for k in 0..<36 {
            let c = b[i + k]
            if k == 8 || k == 13 || k == 18 || k == 23 { if c != UInt8(ascii: "-") { return false } } else if !isHex(c) { return false }
        }
        return true
    }

    /// The end of the run of bytes from `from` that satisfy `test`, at most `limit` bytes long.
    static func runEnd(_ b: UnsafeBufferPointer<UInt8>, from: Int, limit: Int, _ test: (UInt8) -> Bool) -> Int {
        var j = from
        let stop = min(b.count, from + limit)
        while j < stop, test(b[j]) { j += 1 }
        return j
    }
}
