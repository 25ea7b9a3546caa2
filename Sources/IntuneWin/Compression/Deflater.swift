import CZlib

/// Raw deflate (no zlib header), as zip entries store it. Owns a zlib stream and frees it in deinit.
/// Level 1, memLevel 8 reproduces Microsoft's tool (.NET `CompressionLevel.Fastest`) byte for byte.
public final class Deflater {
    private var stream = z_stream()
    private var output = [UInt8](repeating: 0, count: 256 * 1024)

    public init(level: Int32 = 1, memLevel: Int32 = 8) {
        let status = czlib_deflate_init_raw(&stream, level, memLevel)
        precondition(status == Z_OK, "deflateInit2 failed: \(status)")
    }

    deinit { deflateEnd(&stream) }

    /// Compresses `input`, handing every produced piece to `sink`. `finish` ends the stream.
    public func process(_ input: UnsafeRawBufferPointer, finish: Bool, sink: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        let flush = finish ? Z_FINISH : Z_NO_FLUSH
        let capacity = output.count
        while true {
            let (status, produced): (Int32, Int) = output.withUnsafeMutableBytes { out in
                stream.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(capacity)
                let status = deflate(&stream, flush)
                return (status, capacity - Int(stream.avail_out))
            }
            precondition(status != Z_STREAM_ERROR, "deflate stream error")
            if produced > 0 { try output.withUnsafeBytes { try sink(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) } }
            if finish {
                if status == Z_STREAM_END { break }
            } else if stream.avail_in == 0 && produced < capacity {
                break
            }
        }
        stream.next_in = nil
    }

    /// Prepares for a new, independent stream with the same settings.
    public func reset() { deflateReset(&stream) }
}
