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
    /// Files up to this size are compressed in memory; larger ones are compressed once into a spool
    /// (a temporary file in the output folder beyond a few MiB), since the local header precedes the data.
    public var bufferLimit: Int = 16 << 20
    /// Compressed bytes of one large file kept in memory before the rest goes to the spool file (tests
    /// lower it to reach the file path with small inputs).
    var spoolMemory: Int = 4 << 20

    /// Microsoft's level (1), parallel chunked compression on every core.
    public init() {}
}
