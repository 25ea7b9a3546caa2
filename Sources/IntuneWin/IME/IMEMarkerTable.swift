import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the first occurrence of every `IMEMarker` in one left-to-right pass (Wu–Manber with two-byte blocks):
/// every phrase is at least `window` bytes long, so the pass looks at the two bytes ending a `window`-byte
/// window and, unless they end the window of some phrase, skips ahead by as much as the table allows (up to
/// `window - 1` bytes); only where they do are the few phrases ending their window with that pair compared.
final class IMEMarkerTable: @unchecked Sendable {
    static let shared = IMEMarkerTable()

    private let window: Int
    private let shift: UnsafeMutablePointer<UInt8>           // per byte pair: how far the window may move
    private let bucketFirst: UnsafeMutablePointer<UInt16>    // first phrase whose window ends with the pair
    private let bucketCount: UnsafeMutablePointer<UInt8>     // how many
    private let entryMarker: UnsafeMutablePointer<Int>
    private let entryOffset: UnsafeMutablePointer<Int>
    private let entryLength: UnsafeMutablePointer<Int>
    private let phrases: UnsafeMutablePointer<UInt8>

    private init() {
        let texts = IMEMarker.allCases.map { (marker: $0, bytes: Array($0.text.utf8)) }
        let window = texts.map(\.bytes.count).min()!
        precondition(window >= 2 && window < 256)
        self.window = window
        func pair(_ b: [UInt8], _ q: Int) -> Int { Int(b[q]) | Int(b[q + 1]) << 8 }
        let markers = texts.sorted { pair($0.bytes, window - 2) < pair($1.bytes, window - 2) }
        shift = .allocate(capacity: 65536); shift.initialize(repeating: UInt8(window - 1), count: 65536)
        bucketFirst = .allocate(capacity: 65536); bucketFirst.initialize(repeating: 0, count: 65536)
        bucketCount = .allocate(capacity: 65536); bucketCount.initialize(repeating: 0, count: 65536)
        entryMarker = .allocate(capacity: markers.count)
        entryOffset = .allocate(capacity: markers.count)
        entryLength = .allocate(capacity: markers.count)
        let all = markers.flatMap(\.bytes)
        phrases = .allocate(capacity: all.count); phrases.initialize(from: all, count: all.count)
        var offset = 0
        for (e, entry) in markers.enumerated() {
            for q in 0...(window - 2) {
                let key = pair(entry.bytes, q)
                shift[key] = min(shift[key], UInt8(window - 2 - q))
            }
            let key = pair(entry.bytes, window - 2)
            if bucketCount[key] == 0 { bucketFirst[key] = UInt16(e) }
            bucketCount[key] += 1
            entryMarker[e] = entry.marker.rawValue
            entryOffset[e] = offset
            entryLength[e] = entry.bytes.count
            offset += entry.bytes.count
        }
    }

    /// Sets `ends[marker.rawValue]` to the offset just past the marker's first occurrence in `b`, or -1;
    /// returns whether any occurs.
    @discardableResult
    func scan(_ b: UnsafeBufferPointer<UInt8>, ends: UnsafeMutableBufferPointer<Int>) -> Bool {
        for k in 0..<ends.count { ends[k] = -1 }
        guard b.count >= window, let base = b.baseAddress else { return false }
        let n = b.count
        var found = false
        var end = window - 1
        while end < n {
            let key = Int(base[end - 1]) | Int(base[end]) << 8
            let skip = Int(shift[key])
            if skip != 0 { end += skip; continue }
            let start = end - (window - 1)
            let first = Int(bucketFirst[key])
            for e in first..<(first + Int(bucketCount[key])) {
                let length = entryLength[e], marker = entryMarker[e]
                if length <= n - start, ends[marker] < 0, memcmp(base + start, phrases + entryOffset[e], length) == 0 {
                    ends[marker] = start + length
                    found = true
                }
            }
            end += 1
        }
        return found
    }
}
