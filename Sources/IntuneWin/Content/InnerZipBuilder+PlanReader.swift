import Foundation

/// The reader side of `InnerZipBuilder.add`: walks the plan on its own thread, reads each small or
/// medium file into memory and hands it to the compression workers, and queues every entry in order
/// for the writer. A large file is queued for the writer to spool, and the reader waits for it.
extension InnerZipBuilder {
    /// Small files read but not yet handed to a worker: compressed together in one job, since a job per
    /// file costs more in thread hand-offs than deflating a few KiB. Only the reader thread touches it.
    struct SmallFileBatch {
        static let maxFiles = 64
        static let maxBytes = 256 << 10
        var files: [(PendingEntry, [UInt8])] = []
        var bytes = 0
        var isFull: Bool { files.count >= Self.maxFiles || bytes >= Self.maxBytes }
    }

    func readPlan(_ plan: [SourceEntry], budget: ByteBudget, queue: BlockingQueue<PendingEntry>, stop: StopFlag) {
        var batch = SmallFileBatch()
        defer { dispatch(&batch) }
        for source in plan {
            if stop.isSet { return }
            switch source.kind {
            case .emptyFolder:
                queue.push(PendingEntry(source, .headerOnly(packingTime)))
            case .file(0):
                let p = PendingEntry(source, .headerOnly(DOSDateTime(unixTime: source.modificationTime)))
                do { try SourceFile.checkStillEmpty(source.path) } catch { p.fail(error) }
                queue.push(p)
            case .file(let size) where size > UInt64(options.bufferLimit):
                dispatch(&batch)
                let p = PendingEntry(source, .spooled)
                queue.push(p)
                p.writerFinished.wait()
            case .file(let size) where size <= UInt64(min(options.chunkSize, SmallFileBatch.maxBytes)):
                let p = PendingEntry(source, .memory)
                p.done.enter()
                queue.push(p)
                readSmallFile(p, size: Int(size), budget: budget, batch: &batch)
                if batch.isFull { dispatch(&batch) }
            case .file(let size):
                dispatch(&batch)
                let p = PendingEntry(source, .memory)
                p.done.enter()
                queue.push(p)
                readIntoMemory(p, size: Int(size), budget: budget)
                p.done.leave()
            }
        }
    }

    /// Reads a file of one chunk into `batch`. The writer waits for earlier files before it releases
    /// budget, so the batch is handed over before the reader could block on the budget.
    private func readSmallFile(_ p: PendingEntry, size: Int, budget: ByteBudget, batch: inout SmallFileBatch) {
        p.reserve(1)
        if !budget.tryAcquire(size) {
            dispatch(&batch)
            budget.acquire(size)
        }
        p.budgetHeld = min(size, budget.capacity)
        do {
            let file = try SourceFile(p.source.path)
            let data = try file.read(size, expectedTotal: UInt64(size))
            try file.expectEnd(expected: UInt64(size))
            batch.files.append((p, data))
            batch.bytes += size
        } catch {
            p.fail(error)
            p.done.leave()
        }
    }

    /// Hands the batch to one worker; each file's `done` is left when the job has compressed it.
    private func dispatch(_ batch: inout SmallFileBatch) {
        guard !batch.files.isEmpty else { return }
        let files = batch.files
        batch = SmallFileBatch()
        let storeIncompressible = options.storeIncompressible
        workers.wait()
        let gate = workers
        DispatchQueue.global().async { [self] in
            for (p, data) in files {
                let result = compressChunk(data, dictionary: nil, final: true, decideStore: storeIncompressible, forceStore: false)
                p.set(0, result.chunk)
                if result.stored { p.stored = true }
                p.done.leave()
            }
            gate.signal()
        }
    }

    private func chunkLength(_ size: Int) -> Int { options.exact ? max(size, 1) : options.chunkSize }

    /// Reads a file chunk by chunk, handing each chunk to a worker as soon as it is read.
    private func readIntoMemory(_ p: PendingEntry, size: Int, budget: ByteBudget) {
        let step = chunkLength(size)
        let count = (size + step - 1) / step
        p.reserve(count)
        do {
            let file = try SourceFile(p.source.path)
            var previous: [UInt8]? = nil
            for index in 0..<count {
                let length = min(step, size - index * step)
                // A whole-file chunk (exact mode) holds its input and its output at once: count both.
                let cost = count == 1 && length > options.chunkSize ? 2 * length : length
                budget.acquire(cost)
                p.budgetHeld += min(cost, budget.capacity)
                let chunk = try file.read(length, expectedTotal: UInt64(size))
                if index == 0 && count > 1 && options.storeIncompressible {
                    p.stored = isIncompressible(chunk)
                }
                let dictionary = previous.map { Array($0.suffix(32 * 1024)) }
                previous = chunk
                let final = index == count - 1
                let single = count == 1
                dispatch(p.done) { [self] in
                    let result = compressChunk(chunk, dictionary: dictionary, final: final,
                                               decideStore: single && options.storeIncompressible, forceStore: p.stored)
                    p.set(index, result.chunk)
                    if result.stored && single { p.stored = true }
                }
            }
            try file.expectEnd(expected: UInt64(size))
        } catch {
            p.fail(error)
        }
    }
}
