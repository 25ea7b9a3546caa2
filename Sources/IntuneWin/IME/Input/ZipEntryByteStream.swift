import CZlib

/// One zip entry's uncompressed bytes, pulled a buffer at a time straight from the archive: stored
/// entries are copied, deflated ones inflated with zlib into the caller's buffer (so no more than that
/// buffer and a 64 KiB input window are ever held, however large the entry). At the end the size and
/// CRC-32 are checked against the central directory, as `ZipReader.extract` checks them.
public final class ZipEntryByteStream: LogByteStream {
    /// `archive:entry`, for messages.
    public let name: String
    private let zip: ZipReader
    private let entry: ZipEntry
    private var next: UInt64
    private var remaining: UInt64
    private var produced: UInt64 = 0
    private var crc = CRC32()
    private var done = false
    private let inflater: PullInflater?
    private var input: [UInt8] = []
    private var inputStart = 0, inputEnd = 0

    /// Compressed bytes read from the archive at a time.
    static let inputChunk = 1 << 16

    /// Checks the entry's local header and prepares to stream it (methods: stored and deflate).
    public init(zip: ZipReader, entry: ZipEntry) throws {
        self.zip = zip
        self.entry = entry
        name = "\(zip.source.path):\(entry.name)"
        next = try zip.dataOffset(of: entry)
        remaining = entry.compressedSize
        switch entry.method {
        case ZipEntry.stored:
            guard entry.compressedSize == entry.uncompressedSize else {
                throw IntuneWinError.badInput(zip.source.path, "\(entry.name): stored entry with different sizes")
            }
            inflater = nil
        case ZipEntry.deflated:
            inflater = PullInflater()
            input = [UInt8](repeating: 0, count: Int(min(UInt64(Self.inputChunk), max(entry.compressedSize, 1))))
        default:
            throw IntuneWinError.badInput(zip.source.path, "\(entry.name): unsupported compression method \(entry.method)")
        }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !done, buffer.count > 0 else { return 0 }
        var n = 0
        if let inflater {
            while n == 0 && !inflater.finished {
                if inputStart == inputEnd && remaining > 0 { try refill() }
                let (used, made) = try input.withUnsafeBytes { raw in
                    try inflater.inflate(UnsafeRawBufferPointer(rebasing: raw[inputStart..<inputEnd]), into: buffer,
                                         path: zip.source.path, entry: entry.name)
                }
                inputStart += used
                n = made
                if made == 0 && !inflater.finished && inputStart == inputEnd && remaining == 0 {
                    throw IntuneWinError.badInput(zip.source.path, "\(entry.name): deflate data is truncated")
                }
            }
        } else {
            let want = Int(min(UInt64(buffer.count), remaining))
            if want > 0 {
                n = try zip.source.read(at: next, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]))
                guard n > 0 else { throw IntuneWinError.badInput(zip.source.path, "\(entry.name): truncated at offset \(next)") }
                next += UInt64(n)
                remaining -= UInt64(n)
            }
        }
        produced += UInt64(n)
        guard produced <= entry.uncompressedSize else {
            throw IntuneWinError.badInput(zip.source.path, "\(entry.name): inflates to more than its declared \(entry.uncompressedSize) bytes")
        }
        crc.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        if n == 0 {
            done = true
            guard produced == entry.uncompressedSize else {
                throw IntuneWinError.badInput(zip.source.path, "\(entry.name): \(produced) bytes, declared \(entry.uncompressedSize)")
            }
            guard crc.value == entry.crc32 else {
                throw IntuneWinError.checkFailed(zip.source.path, "\(entry.name): CRC-32 mismatch (stored \(hex32(entry.crc32)), computed \(hex32(crc.value)))")
            }
        }
        return n
    }

    private func refill() throws {
        let want = Int(min(UInt64(input.count), remaining))
        let got = try input.withUnsafeMutableBytes { try zip.source.read(at: next, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want])) }
        guard got > 0 else { throw IntuneWinError.badInput(zip.source.path, "\(entry.name): truncated at offset \(next)") }
        next += UInt64(got)
        remaining -= UInt64(got)
        inputStart = 0
        inputEnd = got
    }
}

/// Raw inflate driven by the reader: each call fills at most the output buffer it is given (unlike
/// `Inflater`, which inflates all its input to a sink), so a 1000:1 entry never piles up in memory.
final class PullInflater {
    private let stream: UnsafeMutablePointer<z_stream>
    /// The deflate stream's end was reached.
    private(set) var finished = false

    init() {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = czlib_inflate_init_raw(stream)
        precondition(status == Z_OK, "inflateInit2 failed: \(status)")
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Inflates from `input` into `output`; returns the input bytes used and the output bytes made.
    func inflate(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, path: String, entry: String) throws -> (used: Int, made: Int) {
        guard !finished, let out = output.baseAddress, output.count > 0 else { return (0, 0) }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        stream.pointee.next_out = out.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(min(output.count, Int(UInt32.max)))
        let status = CZlib.inflate(stream, Z_NO_FLUSH)
        let used = input.count - Int(stream.pointee.avail_in)
        let made = min(output.count, Int(UInt32.max)) - Int(stream.pointee.avail_out)
        stream.pointee.next_in = nil
        stream.pointee.next_out = nil
        switch status {
        case Z_STREAM_END: finished = true
        case Z_OK: break
        case Z_BUF_ERROR: if input.count > 0 && made == 0 && used == 0 { throw IntuneWinError.badInput(path, "\(entry): corrupt deflate data (inflate made no progress)") }
        default:
            let message = stream.pointee.msg.map { String(cString: $0) } ?? "error \(status)"
            throw IntuneWinError.badInput(path, "\(entry): corrupt deflate data (\(message))")
        }
        return (used, made)
    }
}
