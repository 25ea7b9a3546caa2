/// Compresses one piece of a file for the parallel pipeline, the way pigz does: a chunk after the first
/// is primed with the previous 32 KiB of input as a preset dictionary and ends with a sync flush, so the
/// chunks' outputs concatenate into one valid deflate stream. A whole file in one chunk (`final` and no
/// dictionary) gives exactly what a single zlib call gives — Microsoft's bytes.
/// Owns a zlib stream; reuse it through `ChunkCompressorPool`.
final class ChunkCompressor {
    private let deflater: Deflater

    init(level: Int32) { deflater = Deflater(level: level) }

    /// Deflates `input` (with `dictionary`, the 32 KiB before it, when not the file's first chunk).
    /// `final` ends the deflate stream; otherwise a sync flush ends the chunk on a byte boundary.
    func compress(_ input: UnsafeRawBufferPointer, dictionary: UnsafeRawBufferPointer?, final: Bool) -> [UInt8] {
        deflater.reset()
        if let dictionary { deflater.setDictionary(dictionary) }
        return deflater.compressAll(input, flush: final ? .finish : .sync)
    }
}

/// A small pool so worker threads reuse zlib streams instead of allocating one per chunk.
final class ChunkCompressorPool: @unchecked Sendable {
    private let level: Int32
    private let idle = Locked<[ChunkCompressor]>([])

    init(level: Int32) { self.level = level }

    func withCompressor<R>(_ body: (ChunkCompressor) throws -> R) rethrows -> R {
        let compressor = idle.withLock { $0.popLast() } ?? ChunkCompressor(level: level)
        defer { idle.withLock { $0.append(compressor) } }
        return try body(compressor)
    }
}
