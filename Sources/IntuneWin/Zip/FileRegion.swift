#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

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

    /// A temporary file with no name (removed from its folder as soon as it is created, so nothing is
    /// left behind however the process ends), filled by `fill` through the writer it is given; `path`
    /// names it in messages (the file it was made from). For content that must be read at random
    /// offsets but arrives as a stream (a deflated entry), without holding it in memory.
    static func anonymous(path: String, fill: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws -> FileRegion {
        let folder = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((folder.hasSuffix("/") ? folder : folder + "/").utf8CString.dropLast()) + Array("intunewin-content-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else {
            throw IntuneWinError.cannotWrite(folder, "cannot create a temporary file: \(String(cString: strerror(errno)))")
        }
        unlink(template)
        var written: UInt64 = 0
        do {
            try fill { chunk in
                guard SystemCall.writeAll(fd, chunk) else {
                    throw IntuneWinError.cannotWrite(folder, "cannot write a temporary file: \(SystemCall.lastError)")
                }
                written += UInt64(chunk.count)
            }
        } catch {
            close(fd)
            throw error
        }
        return FileRegion(fd: fd, path: path, size: written)
    }

    private init(fd: Int32, path: String, size: UInt64) {
        self.fd = fd
        self.path = path
        self.size = size
        base = 0
        owner = nil
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
