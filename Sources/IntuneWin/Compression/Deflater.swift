import CZlib

/// Raw deflate (no zlib header), as zip entries store it. Owns a zlib stream and frees it in deinit.
/// Level 1, memLevel 8 reproduces Microsoft's tool (.NET `CompressionLevel.Fastest`) byte for byte.
public final class Deflater {
    private var stream = z_stream()
    private var output = [UInt8](repeating: 0, count: 256 * 1024)

    /// A raw deflate stream; the defaults give Microsoft's bytes.
    public init(level: Int32 = 1, memLevel: Int32 = 8) {
        let status = czlib_deflate_init_raw(&stream, level, memLevel)
        precondition(status == Z_OK, "deflateInit2 failed: \(status)")
    }

    deinit { deflateEnd(&stream) }

    /// How a call ends: more input follows, a sync flush (output ends on a byte boundary), or the end.
    public enum Flush { case none, sync, finish }

    /// Compresses `input`, handing every produced piece to `sink`. `finish` ends the stream.
    public func process(_ input: UnsafeRawBufferPointer, finish: Bool, sink: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        try process(input, flush: finish ? .finish : .none, sink: sink)
    }

    /// Compresses `input` and flushes as asked, handing every produced piece to `sink`.
    public func process(_ input: UnsafeRawBufferPointer, flush mode: Flush, sink: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        let finish = mode == .finish
        let flush = finish ? Z_FINISH : mode == .sync ? Z_SYNC_FLUSH : Z_NO_FLUSH
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

    /// Compresses all of `input` in one call into an array sized by `deflateBound`, so the output never
    /// grows by doubling (a chunk of random data would otherwise hold twice its size), then trims a
    /// well-compressed result to its length. Used for the pipeline's in-memory chunks.
    public func compressAll(_ input: UnsafeRawBufferPointer, flush mode: Flush) -> [UInt8] {
        // A sync flush adds an empty stored block (5 bytes) and may emit pending bits: a few bytes over the bound.
        let bound = Int(deflateBound(&stream, uLong(input.count))) + 64
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        let flush = mode == .finish ? Z_FINISH : mode == .sync ? Z_SYNC_FLUSH : Z_NO_FLUSH
        var status: Int32 = Z_OK
        var result = [UInt8](unsafeUninitializedCapacity: bound) { buffer, initialized in
            stream.next_out = buffer.baseAddress!
            stream.avail_out = uInt(bound)
            status = deflate(&stream, flush)
            initialized = bound - Int(stream.avail_out)
        }
        stream.next_in = nil
        // deflateBound is an upper bound for one call with these settings; anything else is a zlib bug.
        precondition(stream.avail_in == 0 && (mode != .finish || status == Z_STREAM_END), "deflate did not fit deflateBound")
        if result.count < bound / 2 { result = Array(result) }
        return result
    }

    /// Prepares for a new, independent stream with the same settings.
    public func reset() { deflateReset(&stream) }

    /// Primes the stream with the bytes that precede its input (pigz-style chunks); call right after `reset`.
    func setDictionary(_ dictionary: UnsafeRawBufferPointer) {
        guard let base = dictionary.baseAddress, dictionary.count > 0 else { return }
        let status = deflateSetDictionary(&stream, base.assumingMemoryBound(to: Bytef.self), uInt(dictionary.count))
        precondition(status == Z_OK, "deflateSetDictionary failed: \(status)")
    }
}
