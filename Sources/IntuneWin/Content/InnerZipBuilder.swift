#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Writes the inner zip the way Microsoft's tool does (FORMAT.md "Rules"): every non-empty file deflated
/// at level 1, zero-byte files and empty folders stored, flag 0x0800, made-by/needed 20, no extra fields,
/// CRC and sizes in the local header, `\` separators, Zip64 only where a value does not fit.
///
/// Files are compressed in parallel (`CompressionOptions.threads`) and written in order to a forward-only
/// sink (the encryptor). Since a local header must be complete before its data, a file up to
/// `bufferLimit` is compressed in memory first; a larger one is compressed once into a `CompressedSpool`
/// (a few MiB in memory, the rest in an unlinked temporary file in `spoolFolder`, the output's folder),
/// then its header and the spooled bytes are written. A large file whose size or change time moves
/// while it is read fails the pack. Memory is bounded by `memoryBudget` whatever the thread count.
final class InnerZipBuilder {
    typealias Sink = (UnsafeRawBufferPointer) throws -> Void

    private let sink: Sink
    private let options: CompressionOptions
    private let packingTime: DOSDateTime
    private let progress: (UInt64) -> Void
    private let compressors: ChunkCompressorPool
    private let workers: DispatchSemaphore
    private let spoolFolder: String
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
        try bytes.withUnsafeBytes { try sink($0) }
        offset += UInt64(bytes.count)
    }

    private func makeEntry(name: String, method: UInt16, time: DOSDateTime, crc: UInt32, compressed: UInt64, uncompressed: UInt64) -> ZipEntry {
        var e = ZipEntry(nameBytes: Array(name.utf8), method: method, flags: 0x0800, versionMadeBy: 20, versionNeeded: 20,
                         modified: time, crc32: crc, compressedSize: compressed, uncompressedSize: uncompressed,
                         localHeaderOffset: offset, externalAttributes: 0)
        // .NET raises version needed (and made-by with it) to 4.5 for Zip64 entries. Unverified: no >4 GiB sample.
        if ZipRecords.needsZip64(e) || offset >= ZipRecords.max32 { e.versionNeeded = 45; e.versionMadeBy = 45 }
        return e
    }

    private func writeLocalHeader(_ e: ZipEntry) throws {
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

    // MARK: - The pipeline

    /// One entry on its way through the pipeline: planned by the reader, compressed by workers, written in order.
    private final class Pending: @unchecked Sendable {
        enum Plan { case headerOnly(DOSDateTime), memory, spooled }
        let source: SourceEntry
        let plan: Plan
        let done = DispatchGroup()
        private let lock = NSLock()
        private(set) var chunks: [CompressedChunk?] = []
        var error: Error?
        var stored = false
        var budgetHeld = 0
        /// Signalled by the writer when a spooled file is finished, so the reader goes on.
        let writerFinished = DispatchSemaphore(value: 0)

        init(_ source: SourceEntry, _ plan: Plan) { self.source = source; self.plan = plan }

        func reserve(_ count: Int) { chunks = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ chunk: CompressedChunk) { lock.lock(); chunks[index] = chunk; lock.unlock() }
        func fail(_ e: Error) { lock.lock(); if error == nil { error = e }; lock.unlock() }
    }

    struct CompressedChunk {
        var data: [UInt8]
        var crc: UInt32
        var length: Int
    }

    /// Writes every entry of `plan`, in order.
    func add(_ plan: [SourceEntry]) throws {
        let budget = ByteBudget(capacity: max(options.memoryBudget, options.bufferLimit))
        try runInOrder(produce: { queue, stop in self.readPlan(plan, budget: budget, queue: queue, stop: stop) },
                       consume: { try self.write($0, budget: budget) },
                       onStop: { budget.release(budget.capacity) },  // a reader waiting for room must run out
                       drain: { $0.writerFinished.signal() })
    }

    /// The pipeline's shape, used for a whole plan and for one large file's chunks: `produce` runs on its
    /// own thread and queues work in order; `consume` takes it in that order on this thread. On failure
    /// the reader is told to stop (`onStop` unblocks it), and the queue is drained (`drain` run, each item's
    /// workers finished), so no thread outlives the call.
    private func runInOrder(produce: @escaping @Sendable (BlockingQueue<Pending>, StopFlag) -> Void,
                            consume: (Pending) throws -> Void, onStop: () -> Void = {},
                            drain: (Pending) -> Void) throws {
        let queue = BlockingQueue<Pending>()
        let stop = StopFlag()
        let reader = Thread {
            produce(queue, stop)
            queue.push(nil)
        }
        reader.stackSize = 1 << 20
        reader.start()
        var finished = false
        defer {
            if !finished {
                stop.set()
                onStop()
                while let p = queue.pop() { drain(p); p.done.wait() }
            }
        }
        while let pending = queue.pop() { try consume(pending) }
        finished = true
    }

    private func write(_ p: Pending, budget: ByteBudget) throws {
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
                try c.data.withUnsafeBytes { try sink($0) }
                offset += UInt64(c.data.count)
                progress(UInt64(c.length))
            }
        case .spooled:
            defer { p.writerFinished.signal() }
            try writeSpooled(p.source, budget: budget)
        }
    }

    // MARK: Reader side

    private final class StopFlag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        func set() { lock.lock(); value = true; lock.unlock() }
        var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    }

    /// Small files read but not yet handed to a worker: compressed together in one job, since a job per
    /// file costs more in thread hand-offs than deflating a few KiB. Only the reader thread touches it.
    private struct SmallFileBatch {
        static let maxFiles = 64
        static let maxBytes = 256 << 10
        var files: [(Pending, [UInt8])] = []
        var bytes = 0
        var isFull: Bool { files.count >= Self.maxFiles || bytes >= Self.maxBytes }
    }

    private func readPlan(_ plan: [SourceEntry], budget: ByteBudget, queue: BlockingQueue<Pending>, stop: StopFlag) {
        var batch = SmallFileBatch()
        defer { dispatch(&batch) }
        for source in plan {
            if stop.isSet { return }
            switch source.kind {
            case .emptyFolder:
                queue.push(Pending(source, .headerOnly(packingTime)))
            case .file(0):
                let p = Pending(source, .headerOnly(DOSDateTime(unixTime: source.modificationTime)))
                do { try checkStillEmpty(source) } catch { p.fail(error) }
                queue.push(p)
            case .file(let size) where size > UInt64(options.bufferLimit):
                dispatch(&batch)
                let p = Pending(source, .spooled)
                queue.push(p)
                p.writerFinished.wait()
            case .file(let size) where size <= UInt64(min(options.chunkSize, SmallFileBatch.maxBytes)):
                let p = Pending(source, .memory)
                p.done.enter()
                queue.push(p)
                readSmallFile(p, size: Int(size), budget: budget, batch: &batch)
                if batch.isFull { dispatch(&batch) }
            case .file(let size):
                dispatch(&batch)
                let p = Pending(source, .memory)
                p.done.enter()
                queue.push(p)
                readIntoMemory(p, size: Int(size), budget: budget)
                p.done.leave()
            }
        }
    }

    /// Reads a file of one chunk into `batch`. The writer waits for earlier files before it releases
    /// budget, so the batch is handed over before the reader could block on the budget.
    private func readSmallFile(_ p: Pending, size: Int, budget: ByteBudget, batch: inout SmallFileBatch) {
        p.reserve(1)
        if !budget.tryAcquire(size) {
            dispatch(&batch)
            budget.acquire(size)
        }
        p.budgetHeld = min(size, budget.capacity)
        do {
            let fd = try openForReading(p.source.path)
            defer { close(fd) }
            let data = try readChunk(fd, length: size, path: p.source.path, expectedTotal: UInt64(size))
            try expectEnd(fd, path: p.source.path, expected: UInt64(size))
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
    private func readIntoMemory(_ p: Pending, size: Int, budget: ByteBudget) {
        let step = chunkLength(size)
        let count = (size + step - 1) / step
        p.reserve(count)
        do {
            let fd = try openForReading(p.source.path)
            defer { close(fd) }
            var previous: [UInt8]? = nil
            for index in 0..<count {
                let length = min(step, size - index * step)
                // A whole-file chunk (exact mode) holds its input and its output at once: count both.
                let cost = count == 1 && length > options.chunkSize ? 2 * length : length
                budget.acquire(cost)
                p.budgetHeld += min(cost, budget.capacity)
                let chunk = try readChunk(fd, length: length, path: p.source.path, expectedTotal: UInt64(size))
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
            try expectEnd(fd, path: p.source.path, expected: UInt64(size))
        } catch {
            p.fail(error)
        }
    }

    private func dispatch(_ group: DispatchGroup, _ work: @escaping @Sendable () -> Void) {
        workers.wait()
        group.enter()
        let gate = workers
        DispatchQueue.global().async {
            work()
            gate.signal()
            group.leave()
        }
    }

    private func compressChunk(_ input: [UInt8], dictionary: [UInt8]?, final: Bool, decideStore: Bool, forceStore: Bool)
        -> (chunk: CompressedChunk, stored: Bool) {
        var crc = CRC32()
        crc.update(input)
        if forceStore { return (CompressedChunk(data: input, crc: crc.value, length: input.count), true) }
        let data = compressors.withCompressor { c in
            input.withUnsafeBytes { i in
                dictionary.map { d in d.withUnsafeBytes { c.compress(i, dictionary: $0, final: final) } }
                    ?? c.compress(i, dictionary: nil, final: final)
            }
        }
        if decideStore && data.count >= input.count {
            return (CompressedChunk(data: input, crc: crc.value, length: input.count), true)
        }
        return (CompressedChunk(data: data, crc: crc.value, length: input.count), false)
    }

    /// `--store-incompressible`: the first MiB does not shrink.
    private func isIncompressible(_ firstChunk: [UInt8]) -> Bool {
        let probe = Array(firstChunk.prefix(1 << 20))
        let out = compressors.withCompressor { c in probe.withUnsafeBytes { c.compress($0, dictionary: nil, final: true) } }
        return out.count >= probe.count
    }

    // MARK: Large files, deflated once

    /// A file too large to hold compressed in memory: compressed once into a spool while CRC and compressed
    /// size are summed, then its local header and the spooled bytes go to the sink.
    private func writeSpooled(_ source: SourceEntry, budget: ByteBudget) throws {
        guard case .file(let declared) = source.kind else { return }
        let time = DOSDateTime(unixTime: source.modificationTime)
        var stored = false
        if options.storeIncompressible {
            let fd = try openForReading(source.path)
            let first = try readChunk(fd, length: min(1 << 20, Int(declared)), path: source.path, expectedTotal: declared)
            close(fd)
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
        try spool.drain { bytes in
            try sink(bytes)
            offset += UInt64(bytes.count)
        }
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
        try runInOrder(produce: { [self] queue, stop in
            do {
                let fd = try openForReading(source.path)
                defer { close(fd) }
                let stamp = try changeStamp(fd, path: source.path)
                var previous: [UInt8]? = nil
                for index in 0..<count {
                    if stop.isSet { break }
                    let length = Int(min(UInt64(step), size - UInt64(index) * UInt64(step)))
                    budget.acquire(length)
                    let p = Pending(source, .memory)
                    p.reserve(1)
                    p.budgetHeld = length
                    p.done.enter()  // before the writer can see it: its wait must cover the job
                    queue.push(p)
                    defer { p.done.leave() }
                    let chunk: [UInt8]
                    do { chunk = try readChunk(fd, length: length, path: source.path, expectedTotal: size) } catch {
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
                    try expectEnd(fd, path: source.path, expected: size)
                    try expectUnchanged(fd, since: stamp, path: source.path)
                }
            } catch {
                let failed = Pending(source, .memory)
                failed.fail(error)
                queue.push(failed)
            }
        }, consume: { p in
            p.done.wait()
            defer { budget.release(p.budgetHeld) }
            if let error = p.error { throw error }
            try consume(p.chunks[0]!)
        }, drain: { budget.release($0.budgetHeld) })
    }

    /// One deflate stream over the whole file, read in 1 MiB pieces (Microsoft's bytes for a large file).
    private func streamWholeFile(_ source: SourceEntry, size: UInt64, consume: (CompressedChunk) throws -> Void) throws {
        let deflater = Deflater(level: options.level)
        let fd = try openForReading(source.path)
        defer { close(fd) }
        let stamp = try changeStamp(fd, path: source.path)
        var done: UInt64 = 0
        while done < size {
            let length = Int(min(1 << 20, size - done))
            let input = try readChunk(fd, length: length, path: source.path, expectedTotal: size)
            done += UInt64(length)
            var crc = CRC32()
            crc.update(input)
            var out = [UInt8]()
            input.withUnsafeBytes { deflater.process($0, finish: false) { out.append(contentsOf: $0) } }
            if done == size { deflater.process(UnsafeRawBufferPointer(start: nil, count: 0), finish: true) { out.append(contentsOf: $0) } }
            try consume(CompressedChunk(data: out, crc: crc.value, length: length))
        }
        try expectEnd(fd, path: source.path, expected: size)
        try expectUnchanged(fd, since: stamp, path: source.path)
    }

    // MARK: File access

    private func openForReading(_ path: String) throws -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IntuneWinError.badInput(path, "cannot read: \(String(cString: strerror(errno)))") }
        return fd
    }

    /// Reads exactly `length` bytes; a shorter file changed while packing.
    private func readChunk(_ fd: Int32, length: Int, path: String, expectedTotal: UInt64) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: length)
        var done = 0
        while done < length {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, length - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw IntuneWinError.badInput(path, "cannot read: \(String(cString: strerror(errno)))")
            }
            if n == 0 { throw IntuneWinError.badInput(path, "file changed while packing (shorter than \(expectedTotal) bytes)") }
            done += n
        }
        return buffer
    }

    /// After the declared size, the file must end.
    private func expectEnd(_ fd: Int32, path: String, expected: UInt64) throws {
        var probe: UInt8 = 0
        let n = read(fd, &probe, 1)
        if n < 0 { throw IntuneWinError.badInput(path, "cannot read: \(String(cString: strerror(errno)))") }
        if n > 0 { throw IntuneWinError.badInput(path, "file changed while packing (grew beyond \(expected) bytes)") }
    }

    /// Size, modification and change time of an open file: a write to it moves the change time, which
    /// no user call can set back, so a large file rewritten while it is read is caught.
    private struct ChangeStamp: Equatable {
        var size: Int64, mtime: Int, mtimeNanos: Int, ctime: Int, ctimeNanos: Int
    }

    private func changeStamp(_ fd: Int32, path: String) throws -> ChangeStamp {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw IntuneWinError.badInput(path, "cannot read: \(String(cString: strerror(errno)))") }
        #if canImport(Darwin)
        return ChangeStamp(size: Int64(info.st_size), mtime: info.st_mtimespec.tv_sec, mtimeNanos: info.st_mtimespec.tv_nsec,
                           ctime: info.st_ctimespec.tv_sec, ctimeNanos: info.st_ctimespec.tv_nsec)
        #else
        return ChangeStamp(size: Int64(info.st_size), mtime: info.st_mtim.tv_sec, mtimeNanos: info.st_mtim.tv_nsec,
                           ctime: info.st_ctim.tv_sec, ctimeNanos: info.st_ctim.tv_nsec)
        #endif
    }

    private func expectUnchanged(_ fd: Int32, since stamp: ChangeStamp, path: String) throws {
        guard try changeStamp(fd, path: path) == stamp else {
            throw IntuneWinError.badInput(path, "file changed while packing (modified while it was read)")
        }
    }

    private func checkStillEmpty(_ source: SourceEntry) throws {
        let fd = try openForReading(source.path)
        defer { close(fd) }
        try expectEnd(fd, path: source.path, expected: 0)
    }
}
