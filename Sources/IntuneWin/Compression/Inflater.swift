import CZlib

/// Raw inflate for zip entries. Owns a zlib stream and frees it in deinit.
public final class Inflater {
    /// Why inflating stopped: corrupt data (zlib's message), input that ends early, or bytes after the end of the stream.
    public enum Failure: Error, Equatable { case corrupt(String), truncated, trailingData }

    private var stream = z_stream()
    private var output: [UInt8]
    /// The deflate stream's end was reached.
    public private(set) var finished = false

    /// The largest output buffer (the default): bigger buffers gain nothing on large entries.
    public static let maximumOutputCapacity = 256 * 1024

    /// A raw inflate stream (no zlib header). `expectedSize`, when known (a zip entry's declared size),
    /// caps the output buffer: a 2 KiB entry need not clear a 256 KiB buffer (50,000 small entries would
    /// clear 12 GiB).
    public init(expectedSize: UInt64? = nil) {
        let capacity = expectedSize.map { Int(min(UInt64(Self.maximumOutputCapacity), max($0, 1))) } ?? Self.maximumOutputCapacity
        output = [UInt8](repeating: 0, count: capacity)
        let status = czlib_inflate_init_raw(&stream)
        precondition(status == Z_OK, "inflateInit2 failed: \(status)")
    }

    deinit { inflateEnd(&stream) }

    /// Makes the stream ready for the next entry, keeping its buffers: a thread that checks thousands of
    /// small entries pays for one stream, not one per entry.
    public func reset() {
        let status = inflateReset(&stream)
        precondition(status == Z_OK, "inflateReset failed: \(status)")
        finished = false
    }

    /// Inflates `input`, handing produced bytes to `sink`. Returns how many input bytes were used
    /// (fewer than given only when the deflate stream ended inside `input`).
    @discardableResult
    public func process(_ input: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        if finished { return 0 }
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        let capacity = output.count
        defer { stream.next_in = nil }
        while true {
            let (status, produced): (Int32, Int) = output.withUnsafeMutableBytes { out in
                stream.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(capacity)
                let status = inflate(&stream, Z_NO_FLUSH)
                return (status, capacity - Int(stream.avail_out))
            }
            if produced > 0 { try output.withUnsafeBytes { try sink(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) } }
            switch status {
            case Z_STREAM_END:
                finished = true
                return input.count - Int(stream.avail_in)
            case Z_OK:
                if stream.avail_in == 0 && produced < capacity { return input.count }
            case Z_BUF_ERROR:
                // No progress possible: needs more input.
                if stream.avail_in == 0 { return input.count }
                throw Failure.corrupt("inflate made no progress")
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                throw Failure.corrupt(message)
            }
        }
    }
}
