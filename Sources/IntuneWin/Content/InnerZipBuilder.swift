#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes the inner zip the way Microsoft's tool does (FORMAT.md "Rules"): every non-empty file deflated
/// at level 1, zero-byte files and empty folders stored, flag 0x0800, made-by/needed 20, no extra fields,
/// CRC and sizes in the local header, `\` separators, Zip64 only where a value does not fit.
///
/// The output goes to a forward-only sink (it is encrypted on the fly), so a local header must be complete
/// before the entry's data. A file up to `memoryWindow` bytes is deflated once into memory; a larger one is
/// deflated twice — a counting pass for CRC and size, then the real pass — and the two passes must agree,
/// which also catches a file that changes while it is being packed. No temporary copies are made.
final class InnerZipBuilder {
    typealias Sink = (UnsafeRawBufferPointer) throws -> Void

    private let sink: Sink
    private let deflater: Deflater
    private let packingTime: DOSDateTime
    private let memoryWindow: Int
    private let progress: (UInt64) -> Void
    private var central: [ZipEntry] = []
    private(set) var offset: UInt64 = 0
    private var readBuffer = [UInt8](repeating: 0, count: 1 << 20)

    init(compressionLevel: Int32, packingTime: DOSDateTime, memoryWindow: Int = 16 << 20,
         progress: @escaping (UInt64) -> Void, sink: @escaping Sink) {
        self.sink = sink
        self.deflater = Deflater(level: compressionLevel)
        self.packingTime = packingTime
        self.memoryWindow = memoryWindow
        self.progress = progress
    }

    var entryCount: Int { central.count }

    private func emit(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try sink($0) }
        offset += UInt64(bytes.count)
    }

    private func emit(_ bytes: UnsafeRawBufferPointer) throws {
        try sink(bytes)
        offset += UInt64(bytes.count)
    }

    /// Adds one planned entry, reading the file's bytes from disk.
    func add(_ source: SourceEntry) throws {
        switch source.kind {
        case .emptyFolder:
            try addHeaderOnly(name: source.zipName, time: packingTime)
        case .file(let size):
            let time = DOSDateTime(unixTime: source.modificationTime)
            if size == 0 {
                try checkStillEmpty(source)
                try addHeaderOnly(name: source.zipName, time: time)
            } else {
                try addDeflated(source, declaredSize: size, time: time)
            }
        }
    }

    /// Central directory and end records; the zip is complete afterwards.
    func finish() throws {
        let centralOffset = offset
        for entry in central { try emit(ZipRecords.centralHeader(entry)) }
        try emit(ZipRecords.endRecords(entryCount: central.count, centralOffset: centralOffset, centralSize: offset - centralOffset))
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

    private func addHeaderOnly(name: String, time: DOSDateTime) throws {
        try writeLocalHeader(makeEntry(name: name, method: ZipEntry.stored, time: time, crc: 0, compressed: 0, uncompressed: 0))
    }

    private func checkStillEmpty(_ source: SourceEntry) throws {
        let fd = try openForReading(source.path)
        defer { close(fd) }
        var probe: UInt8 = 0
        let n = read(fd, &probe, 1)
        if n < 0 { throw IntuneWinError.badInput(source.path, "cannot read: \(String(cString: strerror(errno)))") }
        if n > 0 { throw IntuneWinError.badInput(source.path, "file changed while packing (was empty)") }
    }

    private func openForReading(_ path: String) throws -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IntuneWinError.badInput(path, "cannot read: \(String(cString: strerror(errno)))") }
        return fd
    }

    /// Reads the whole file once, handing each chunk to `body`; fails if the size differs from the walk's.
    private func readFile(_ path: String, expected: UInt64, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let fd = try openForReading(path)
        defer { close(fd) }
        var total: UInt64 = 0
        let capacity = readBuffer.count
        while true {
            let n = readBuffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, capacity) }
            if n < 0 {
                if errno == EINTR { continue }
                throw IntuneWinError.badInput(path, "cannot read: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            total += UInt64(n)
            guard total <= expected else { throw IntuneWinError.badInput(path, "file changed while packing (grew beyond \(expected) bytes)") }
            try readBuffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        guard total == expected else { throw IntuneWinError.badInput(path, "file changed while packing (\(total) bytes, expected \(expected))") }
    }

    private func addDeflated(_ source: SourceEntry, declaredSize: UInt64, time: DOSDateTime) throws {
        var crc = CRC32()
        var compressedSize: UInt64 = 0
        let inMemory = declaredSize <= UInt64(memoryWindow)
        var compressed = [UInt8]()
        if inMemory { compressed.reserveCapacity(Int(declaredSize) + 64) }
        deflater.reset()
        try readFile(source.path, expected: declaredSize) { chunk in
            crc.update(chunk)
            if inMemory { progress(UInt64(chunk.count)) }
            deflater.process(chunk, finish: false) { out in
                compressedSize += UInt64(out.count)
                if inMemory { compressed.append(contentsOf: out) }
            }
        }
        deflater.process(UnsafeRawBufferPointer(start: nil, count: 0), finish: true) { out in
            compressedSize += UInt64(out.count)
            if inMemory { compressed.append(contentsOf: out) }
        }
        let entry = makeEntry(name: source.zipName, method: ZipEntry.deflated, time: time, crc: crc.value,
                              compressed: compressedSize, uncompressed: declaredSize)
        try writeLocalHeader(entry)
        if inMemory {
            try compressed.withUnsafeBytes { try emit($0) }
            return
        }
        // Second pass: deflate again, straight into the sink; zlib is deterministic, so the output must match.
        deflater.reset()
        var secondCRC = CRC32()
        var secondSize: UInt64 = 0
        try readFile(source.path, expected: declaredSize) { chunk in
            secondCRC.update(chunk)
            progress(UInt64(chunk.count))
            try deflater.process(chunk, finish: false) { out in
                secondSize += UInt64(out.count)
                try emit(out)
            }
        }
        try deflater.process(UnsafeRawBufferPointer(start: nil, count: 0), finish: true) { out in
            secondSize += UInt64(out.count)
            try emit(out)
        }
        guard secondCRC.value == crc.value, secondSize == compressedSize else {
            throw IntuneWinError.badInput(source.path, "file changed while packing (content differs between reads)")
        }
    }
}
