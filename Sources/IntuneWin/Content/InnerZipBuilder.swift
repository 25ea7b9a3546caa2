import Foundation

/// Writes the inner zip the way Microsoft's tool does (FORMAT.md "Rules"): every non-empty file deflated
/// at level 1, zero-byte files and empty folders stored, flag 0x0800, made-by/needed 20, no extra fields,
/// CRC and sizes in the local header, `\` separators, Zip64 only where a value does not fit.
///
/// Files are compressed in parallel (`CompressionOptions.threads`) and written in order to a forward-only
/// sink (the encryptor). Since a local header must be complete before its data, a file up to
/// `bufferLimit` is compressed in memory first (InnerZipBuilder+PlanReader.swift); a larger one is
/// compressed once into a `CompressedSpool` (a few MiB in memory, the rest in an unlinked temporary file
/// in `spoolFolder`, the output's folder), then its header and the spooled bytes are written
/// (InnerZipBuilder+LargeFiles.swift). A large file whose size or change time moves while it is read fails
/// the pack. Memory is bounded by `memoryBudget` whatever the thread count.
///
/// This file holds the writer side: the records, and the entries taken in order from the pipeline.
final class InnerZipBuilder {
    typealias Sink = (UnsafeRawBufferPointer) throws -> Void

    let sink: Sink
    let options: CompressionOptions
    let packingTime: DOSDateTime
    let progress: (UInt64) -> Void
    let compressors: ChunkCompressorPool
    /// One permit per compression thread.
    let workers: DispatchSemaphore
    let spoolFolder: String
    private var central: [ZipEntry] = []
    private(set) var offset: UInt64 = 0

    init(options: CompressionOptions, packingTime: DOSDateTime, spoolFolder: String,
         progress: @escaping (UInt64) -> Void, sink: @escaping Sink) {
        self.sink = sink
        self.spoolFolder = spoolFolder
        self.options = options
        self.packingTime = packingTime
        self.progress = progress
        compressors = ChunkCompressorPool(level: options.level)
        workers = DispatchSemaphore(value: max(1, options.threads))
    }

    var entryCount: Int { central.count }

    // MARK: - Records

    private func emit(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try emit($0) }
    }

    /// Entry data and records go to the sink through here, which counts the offset.
    func emit(_ bytes: UnsafeRawBufferPointer) throws {
        try sink(bytes)
        offset += UInt64(bytes.count)
    }

    func makeEntry(name: String, method: UInt16, time: DOSDateTime, crc: UInt32, compressed: UInt64, uncompressed: UInt64) -> ZipEntry {
        var e = ZipEntry(nameBytes: Array(name.utf8), method: method, flags: 0x0800, versionMadeBy: 20, versionNeeded: 20,
                         modified: time, crc32: crc, compressedSize: compressed, uncompressedSize: uncompressed,
                         localHeaderOffset: offset, externalAttributes: 0)
        // .NET raises version needed (and made-by with it) to 4.5 for Zip64 entries. Unverified: no >4 GiB sample.
        if ZipRecords.needsZip64(e) || offset >= ZipRecords.max32 { e.versionNeeded = 45; e.versionMadeBy = 45 }
        return e
    }

    func writeLocalHeader(_ e: ZipEntry) throws {
        let extra = ZipRecords.needsZip64(e) ? ZipRecords.zip64LocalExtra(e) : []
        try emit(ZipRecords.localHeader(e, extra: extra))
        central.append(e)
    }

    /// Central directory and end records; the zip is complete afterwards.
    func finish() throws {
        let centralOffset = offset
        for entry in central { try emit(ZipRecords.centralHeader(entry)) }
        try emit(ZipRecords.endRecords(entryCount: central.count, centralOffset: centralOffset, centralSize: offset - centralOffset))
    }

    // MARK: - Entries, in order

    /// Writes every entry of `plan`, in order.
    func add(_ plan: [SourceEntry]) throws {
        let budget = ByteBudget(capacity: max(options.memoryBudget, options.bufferLimit))
        try OrderedPipeline.run(produce: { queue, stop in self.readPlan(plan, budget: budget, queue: queue, stop: stop) },
                                consume: { try self.write($0, budget: budget) },
                                onStop: { budget.release(budget.capacity) },  // a reader waiting for room must run out
                                drain: { $0.writerFinished.signal(); $0.done.wait() })
    }

    private func write(_ p: PendingEntry, budget: ByteBudget) throws {
        switch p.plan {
        case .headerOnly(let time):
            p.done.wait()
            if let error = p.error { throw error }
            try writeLocalHeader(makeEntry(name: p.source.zipName, method: ZipEntry.stored, time: time, crc: 0, compressed: 0, uncompressed: 0))
        case .memory:
            p.done.wait()
            defer { budget.release(p.budgetHeld) }
            if let error = p.error { throw error }
            let chunks = p.chunks.map { $0! }
            var crc = chunks[0].crc
            var length = chunks[0].length
            for c in chunks.dropFirst() {
                crc = CRC32.combine(crc, c.crc, secondLength: UInt64(c.length))
                length += c.length
            }
            let compressed = chunks.reduce(0) { $0 + $1.data.count }
            try writeLocalHeader(makeEntry(name: p.source.zipName, method: p.stored ? ZipEntry.stored : ZipEntry.deflated,
                                           time: DOSDateTime(unixTime: p.source.modificationTime), crc: crc,
                                           compressed: UInt64(compressed), uncompressed: UInt64(length)))
            for c in chunks {
                try c.data.withUnsafeBytes { try emit($0) }
                progress(UInt64(c.length))
            }
        case .spooled:
            defer { p.writerFinished.signal() }
            try writeSpooled(p.source, budget: budget)
        }
    }
}
