import Foundation

/// How the inner zip's entries are compressed.
public struct CompressionOptions: Sendable, Equatable {
    /// Deflate level; 1 is what Microsoft's tool uses.
    public var level: Int32 = 1
    /// Worker threads compressing in parallel.
    public var threads: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Deflate each file whole, in one stream: Microsoft's exact bytes. Without it, files larger than one
    /// chunk are split pigz-style (equally valid, different bytes) so one large file uses every core.
    public var exact: Bool = false
    /// Store (method 0) a file whose first MiB does not shrink, instead of deflating it anyway.
    public var storeIncompressible: Bool = false
    /// Bytes per parallel chunk.
    public var chunkSize: Int = 1 << 20
    /// Input bytes in flight at once (read but not yet written): the pipeline's memory bound.
    public var memoryBudget: Int = 16 << 20
    /// Files up to this size are compressed in memory in one pass; larger ones take two passes
    /// (sizes and CRC first, then the bytes), since the local header precedes the data.
    public var bufferLimit: Int = 16 << 20

    /// Microsoft's level (1), parallel chunked compression on every core.
    public init() {}
}
