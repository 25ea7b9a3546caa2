#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes that can be read at any offset: a file region, or decrypted package content.
/// Two real implementations: `FileRegion` and `DecryptedContent`.
public protocol RandomAccessSource: AnyObject {
    /// Total length in bytes.
    var size: UInt64 { get }
    /// The file this comes from, for error messages.
    var path: String { get }
    /// Fills `buffer` from `offset`; returns fewer bytes only at the end.
    func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

extension RandomAccessSource {
    /// Reads exactly `count` bytes at `offset`, or fails naming the file.
    func readExactly(at offset: UInt64, count: Int) throws -> [UInt8] {
        guard offset <= size, UInt64(count) <= size - offset else {
            throw IntuneWinError.badInput(path, "truncated: needs \(count) bytes at offset \(offset), file has \(size)")
        }
        var out = [UInt8](repeating: 0, count: count)
        let n = try out.withUnsafeMutableBytes { try read(at: offset, into: $0) }
        guard n == count else { throw IntuneWinError.badInput(path, "truncated at offset \(offset + UInt64(n))") }
        return out
    }

    /// Streams `length` bytes from `offset` to `body`, in bounded chunks.
    func stream(from offset: UInt64, length: UInt64, chunk: Int = 1 << 20,
                _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard offset <= size, length <= size - offset else {
            throw IntuneWinError.badInput(path, "truncated: \(length) bytes at offset \(offset) run past the end (\(size))")
        }
        var buffer = [UInt8](repeating: 0, count: Int(min(UInt64(chunk), max(length, 1))))
        var done: UInt64 = 0
        while done < length {
            let want = Int(min(UInt64(buffer.count), length - done))
            let n = try buffer.withUnsafeMutableBytes { try read(at: offset + done, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want])) }
            guard n > 0 else { throw IntuneWinError.badInput(path, "truncated at offset \(offset + done)") }
            try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            done += UInt64(n)
        }
    }
}

/// A read-only open file, or a region of one (`pread`, no shared file position).
public final class FileRegion: RandomAccessSource {
    /// The file's path, for messages.
    public let path: String
    /// Length of the region in bytes (the whole file's size when opened with `init(path:)`).
    public let size: UInt64
    private let fd: Int32
    private let owner: FileRegion?
    private let base: UInt64

    /// Opens a whole file for reading.
    public init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IntuneWinError.badInput(path, "cannot open: \(String(cString: strerror(errno)))") }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            close(fd)
            throw IntuneWinError.badInput(path, "cannot stat: \(String(cString: strerror(errno)))")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw IntuneWinError.badInput(path, "not a regular file")
        }
        self.path = path
        self.fd = fd
        self.size = UInt64(st.st_size)
        self.base = 0
        self.owner = nil
    }

    private init(parent: FileRegion, offset: UInt64, length: UInt64) {
        path = parent.path
        fd = parent.fd
        size = length
        base = parent.base + offset
        owner = parent
    }

    /// A view of `length` bytes from `offset` (must lie inside this region).
    public func region(offset: UInt64, length: UInt64) throws -> FileRegion {
        guard offset <= size, length <= size - offset else {
            throw IntuneWinError.badInput(path, "region \(offset)+\(length) lies outside the file (\(size) bytes)")
        }
        return FileRegion(parent: self, offset: offset, length: length)
    }

    deinit { if owner == nil { close(fd) } }

    /// Reads with `pread` (safe from several threads at once); returns fewer bytes only at the end of the region.
    public func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard offset < size else { return 0 }
        let want = Int(min(UInt64(buffer.count), size - offset))
        let done = SystemCall.readFully(fd, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]), at: base + offset)
        guard done >= 0 else { throw IntuneWinError.badInput(path, "read failed: \(SystemCall.lastError)") }
        return done
    }
}
