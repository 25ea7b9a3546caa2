/// The text encodings a log or `.reg` export comes in.
public enum LogTextEncoding: String, Sendable, Equatable {
    /// UTF-8 (or ASCII), BOMs anywhere allowed: passed through untouched.
    case utf8
    /// UTF-16 little-endian, with or without a BOM (`FF FE`).
    case utf16LittleEndian
    /// UTF-16 big-endian, with a BOM (`FE FF`).
    case utf16BigEndian

    /// The encoding the first bytes of a file show: a UTF-16 BOM, or (without one) the NUL pattern of
    /// ASCII text in UTF-16LE/BE: in the first up to 64 bytes, at least 4 code units of which nearly all
    /// have a NUL high byte and a non-NUL low byte. Anything else is UTF-8.
    public static func detect(_ head: UnsafeRawBufferPointer) -> LogTextEncoding {
        if head.count >= 2 {
            if head[0] == 0xFF && head[1] == 0xFE { return .utf16LittleEndian }
            if head[0] == 0xFE && head[1] == 0xFF { return .utf16BigEndian }
        }
        let units = min(head.count, 64) / 2
        guard units >= 4 else { return .utf8 }
        var le = 0, be = 0
        for i in 0..<units {
            let a = head[2 * i], b = head[2 * i + 1]
            if a != 0 && b == 0 { le += 1 }
            if a == 0 && b != 0 { be += 1 }
        }
        // Text is mostly ASCII: nearly every unit looks the same way. Binary or UTF-8 text does not.
        if le * 8 >= units * 7 { return .utf16LittleEndian }
        if be * 8 >= units * 7 { return .utf16BigEndian }
        return .utf8
    }
}

/// A stream that hands out UTF-8: it looks at the first bytes of `base` and, for UTF-16 (see
/// `LogTextEncoding.detect`), transcodes as it goes. Surrogate pairs may straddle reads; a lone
/// surrogate, or an odd byte at the end, becomes U+FFFD. A leading UTF-16 BOM is dropped (later ones
/// become UTF-8 BOMs, which the CMTrace reader already skips). UTF-8 input is passed through as read.
public final class TextEncodingStream: LogByteStream {
    /// What the first bytes showed (known after the first read).
    public private(set) var encoding: LogTextEncoding?
    private let base: LogByteStream
    /// Raw bytes read but not yet used (the detection window; later, odd leftovers).
    private var raw: [UInt8] = []
    private var rawStart = 0
    /// UTF-8 made but not yet handed out.
    private var out: [UInt8] = []
    private var outStart = 0
    private var pendingHigh: UInt16?
    private var atStart = true
    private var ended = false
    private var chunk: [UInt8] = []

    /// Raw bytes read from `base` at a time once transcoding.
    static let chunkSize = 1 << 15

    /// Wraps `base`.
    public init(_ base: LogByteStream) { self.base = base }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        if encoding == nil { try detect() }
        if encoding == .utf8 {
            // The detection window first, then straight from the base stream.
            if rawStart < raw.count {
                let n = min(buffer.count, raw.count - rawStart)
                raw.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + rawStart, byteCount: n) }
                rawStart += n
                if rawStart == raw.count { raw = []; rawStart = 0 }
                return n
            }
            return try base.read(into: buffer)
        }
        while outStart == out.count {
            out.removeAll(keepingCapacity: true)
            outStart = 0
            if ended { return 0 }
            try transcodeMore()
        }
        let n = min(buffer.count, out.count - outStart)
        out.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + outStart, byteCount: n) }
        outStart += n
        return n
    }

    /// Reads up to 64 bytes (fewer only at the end) and decides the encoding.
    private func detect() throws {
        var head = [UInt8](repeating: 0, count: 64)
        var have = 0
        while have < head.count {
            let n = try head.withUnsafeMutableBytes { try base.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[have...])) }
            if n == 0 { break }
            have += n
        }
        raw = Array(head[0..<have])
        encoding = raw.withUnsafeBytes { LogTextEncoding.detect($0) }
    }

    /// Transcodes the next raw chunk (with what was left over) into `out`.
    private func transcodeMore() throws {
        if chunk.isEmpty { chunk = [UInt8](repeating: 0, count: Self.chunkSize) }
        let n = try chunk.withUnsafeMutableBytes { try base.read(into: $0) }
        if rawStart > 0 { raw.removeSubrange(0..<rawStart); rawStart = 0 }
        raw.append(contentsOf: chunk[0..<n])
        let little = encoding == .utf16LittleEndian
        var i = 0
        while i + 1 < raw.count {
            let unit = little ? UInt16(raw[i]) | UInt16(raw[i + 1]) << 8 : UInt16(raw[i]) << 8 | UInt16(raw[i + 1])
            i += 2
            if atStart {
                atStart = false
                if unit == 0xFEFF { continue }
            }
            emit(unit)
        }
        raw.removeSubrange(0..<i)
        if n == 0 {
            ended = true
            if pendingHigh != nil { pendingHigh = nil; append(0xFFFD) }
            if !raw.isEmpty { raw = []; append(0xFFFD) }
        }
    }

    private func emit(_ unit: UInt16) {
        if let high = pendingHigh {
            pendingHigh = nil
            if unit & 0xFC00 == 0xDC00 {
                append(0x10000 + ((UInt32(high) - 0xD800) << 10) + (UInt32(unit) - 0xDC00))
                return
            }
            append(0xFFFD)
        }
        switch unit & 0xFC00 {
        case 0xD800: pendingHigh = unit
        case 0xDC00: append(0xFFFD)
        default: append(UInt32(unit))
        }
    }

    private func append(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80: out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(0xC0 | UInt8(scalar >> 6)); out.append(0x80 | UInt8(scalar & 0x3F))
        case 0x800..<0x10000:
            out.append(0xE0 | UInt8(scalar >> 12)); out.append(0x80 | UInt8(scalar >> 6 & 0x3F)); out.append(0x80 | UInt8(scalar & 0x3F))
        default:
            out.append(0xF0 | UInt8(scalar >> 18)); out.append(0x80 | UInt8(scalar >> 12 & 0x3F))
            out.append(0x80 | UInt8(scalar >> 6 & 0x3F)); out.append(0x80 | UInt8(scalar & 0x3F))
        }
    }
}
