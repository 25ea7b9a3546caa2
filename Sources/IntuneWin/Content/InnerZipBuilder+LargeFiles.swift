import Foundation

/// Large files in `InnerZipBuilder`: each deflated once, into a `CompressedSpool`, while CRC and
/// compressed size are summed; then its local header and the spooled bytes go to the sink.
extension InnerZipBuilder {
    /// A file too large to hold compressed in memory, written by the writer thread.
    func writeSpooled(_ source: SourceEntry, budget: ByteBudget) throws {
        guard case .file(let declared) = source.kind else { return }
        let time = DOSDateTime(unixTime: source.modificationTime)
        var stored = false
        if options.storeIncompressible {
            let first = try SourceFile(source.path).read(min(1 << 20, Int(declared)), expectedTotal: declared)
            stored = isIncompressible(first)
        }
        let spool = CompressedSpool(folder: spoolFolder, memoryLimit: options.spoolMemory)
        var crc: UInt32 = 0, total: UInt64 = 0
        try streamChunks(source, size: declared, stored: stored, budget: budget) { chunk in
            crc = total == 0 ? chunk.crc : CRC32.combine(crc, chunk.crc, secondLength: UInt64(chunk.length))
            total += UInt64(chunk.length)
            try spool.append(chunk.data)
            progress(UInt64(chunk.length))
        }
        try writeLocalHeader(makeEntry(name: source.zipName, method: stored ? ZipEntry.stored : ZipEntry.deflated, time: time,
                                       crc: crc, compressed: spool.count, uncompressed: declared))
        try spool.drain { try emit($0) }
    }

    /// Compresses a file's chunks on the workers and hands the results to `consume` in order.
    private func streamChunks(_ source: SourceEntry, size: UInt64, stored: Bool, budget: ByteBudget,
                              consume: (CompressedChunk) throws -> Void) throws {
        // Whole-file deflate (exact) of a large file cannot be split: one serial stream, as Microsoft's.
        if options.exact && !stored {
            return try streamWholeFile(source, size: size, consume: consume)
        }
        let step = options.chunkSize
        let count = Int((size + UInt64(step) - 1) / UInt64(step))
        try OrderedPipeline.run(produce: { [self] queue, stop in
            do {
                let file = try SourceFile(source.path)
                let stamp = try file.changeStamp()
                var previous: [UInt8]? = nil
                for index in 0..<count {
                    if stop.isSet { break }
                    let length = Int(min(UInt64(step), size - UInt64(index) * UInt64(step)))
                    budget.acquire(length)
                    let p = PendingEntry(source, .memory)
                    p.reserve(1)
                    p.budgetHeld = length
                    p.done.enter()  // before the writer can see it: its wait must cover the job
                    queue.push(p)
                    defer { p.done.leave() }
                    let chunk: [UInt8]
                    do { chunk = try file.read(length, expectedTotal: size) } catch {
                        p.fail(error)
                        break
                    }
                    let dictionary = previous.map { Array($0.suffix(32 * 1024)) }
                    previous = chunk
                    let final = index == count - 1
                    dispatch(p.done) { [self] in
                        p.set(0, compressChunk(chunk, dictionary: dictionary, final: final, decideStore: false, forceStore: stored).chunk)
                    }
                }
                if !stop.isSet {
                    try file.expectEnd(expected: size)
                    try file.expectUnchanged(since: stamp)
                }
            } catch {
                let failed = PendingEntry(source, .memory)
                failed.fail(error)
                queue.push(failed)
            }
        }, consume: { p in
            p.done.wait()
            defer { budget.release(p.budgetHeld) }
            if let error = p.error { throw error }
            try consume(p.chunks[0]!)
        }, drain: { budget.release($0.budgetHeld); $0.done.wait() })
    }

    /// One deflate stream over the whole file, read in 1 MiB pieces (Microsoft's bytes for a large file).
    private func streamWholeFile(_ source: SourceEntry, size: UInt64, consume: (CompressedChunk) throws -> Void) throws {
        let deflater = Deflater(level: options.level)
        let file = try SourceFile(source.path)
        let stamp = try file.changeStamp()
        var done: UInt64 = 0
        while done < size {
            let length = Int(min(1 << 20, size - done))
            let input = try file.read(length, expectedTotal: size)
            done += UInt64(length)
            var crc = CRC32()
            crc.update(input)
            var out = [UInt8]()
            input.withUnsafeBytes { deflater.process($0, finish: false) { out.append(contentsOf: $0) } }
            if done == size { deflater.process(UnsafeRawBufferPointer(start: nil, count: 0), finish: true) { out.append(contentsOf: $0) } }
            try consume(CompressedChunk(data: out, crc: crc.value, length: length))
        }
        try file.expectEnd(expected: size)
        try file.expectUnchanged(since: stamp)
    }
}
