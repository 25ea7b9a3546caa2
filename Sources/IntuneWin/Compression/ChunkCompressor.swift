import CZlib

/// Compresses one piece of a file for the parallel pipeline, the way pigz does: a chunk after the first
/// is primed with the previous 32 KiB of input as a preset dictionary and ends with a sync flush, so the
/// chunks' outputs concatenate into one valid deflate stream. A whole file in one chunk (`final` and no
/// dictionary) gives exactly what a single zlib call gives — Microsoft's bytes.
/// Owns a zlib stream; reuse it through `ChunkCompressorPool`.
final class ChunkCompressor {
    private var stream = z_stream()
    private var output = [UInt8](repeating: 0, count: 256 * 1024)

    init(level: Int32) {
        let status = czlib_deflate_init_raw(&stream, level, 8)
        precondition(status == Z_OK, "deflateInit2 failed: \(status)")
    }

    deinit { deflateEnd(&stream) }

    /// Deflates `input` (with `dictionary`, the 32 KiB before it, when not the file's first chunk).
    /// `final` ends the deflate stream; otherwise a sync flush ends the chunk on a byte boundary.
    func compress(_ input: UnsafeRawBufferPointer, dictionary: UnsafeRawBufferPointer?, final: Bool) -> [UInt8] {
        deflateReset(&stream)
        if let dictionary, dictionary.count > 0 {
            let status = deflateSetDictionary(&stream, dictionary.baseAddress!.assumingMemoryBound(to: Bytef.self), uInt(dictionary.count))
            precondition(status == Z_OK, "deflateSetDictionary failed: \(status)")
        }
        var result = [UInt8]()
        result.reserveCapacity(input.count / 2 + 64)
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        let flush = final ? Z_FINISH : Z_SYNC_FLUSH
        let capacity = output.count
        while true {
            let (status, produced): (Int32, Int) = output.withUnsafeMutableBytes { out in
                stream.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(capacity)
                let status = deflate(&stream, flush)
                return (status, capacity - Int(stream.avail_out))
            }
            precondition(status != Z_STREAM_ERROR, "deflate stream error")
            result.append(contentsOf: output[0..<produced])
            if final ? status == Z_STREAM_END : (stream.avail_in == 0 && produced < capacity) { break }
        }
        stream.next_in = nil
        return result
    }
}

/// A small pool so worker threads reuse zlib streams instead of allocating one per chunk.
final class ChunkCompressorPool: @unchecked Sendable {
    private let level: Int32
    private var idle: [ChunkCompressor] = []
    private let lock = NSLockLike()

    init(level: Int32) { self.level = level }

    func withCompressor<R>(_ body: (ChunkCompressor) throws -> R) rethrows -> R {
        lock.lock()
        let compressor = idle.popLast() ?? ChunkCompressor(level: level)
        lock.unlock()
        defer { lock.lock(); idle.append(compressor); lock.unlock() }
        return try body(compressor)
    }
}
