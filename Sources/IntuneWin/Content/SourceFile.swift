#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A source file open for packing, read front to back: exactly the declared number of bytes, each read
/// checked against the size the plan saw, so a file that shrinks, grows or is rewritten while it is read
/// fails the pack instead of producing an entry that disagrees with its header. Owns its descriptor.
struct SourceFile: ~Copyable {
    let path: String
    private let fd: Int32

    init(_ path: String) throws {
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IntuneWinError.badInput(path, "cannot read: \(SystemCall.lastError)") }
        self.path = path
    }

    deinit { close(fd) }

    /// Reads exactly `length` bytes; a shorter file changed while packing.
    func read(_ length: Int, expectedTotal: UInt64) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: length)
        let n = buffer.withUnsafeMutableBytes { SystemCall.readFully(fd, into: $0) }
        if n < 0 { throw IntuneWinError.badInput(path, "cannot read: \(SystemCall.lastError)") }
        if n < length { throw IntuneWinError.badInput(path, "file changed while packing (shorter than \(expectedTotal) bytes)") }
        return buffer
    }

    /// After the declared size, the file must end.
    func expectEnd(expected: UInt64) throws {
        var probe: UInt8 = 0
        let n = withUnsafeMutableBytes(of: &probe) { SystemCall.readFully(fd, into: $0) }
        if n < 0 { throw IntuneWinError.badInput(path, "cannot read: \(SystemCall.lastError)") }
        if n > 0 { throw IntuneWinError.badInput(path, "file changed while packing (grew beyond \(expected) bytes)") }
    }

    /// Size, modification and change time of an open file: a write to it moves the change time, which
    /// no user call can set back, so a large file rewritten while it is read is caught.
    struct ChangeStamp: Equatable {
        var size: Int64, mtime: Int, mtimeNanos: Int, ctime: Int, ctimeNanos: Int
    }

    func changeStamp() throws -> ChangeStamp {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw IntuneWinError.badInput(path, "cannot read: \(SystemCall.lastError)") }
        #if canImport(Darwin)
        return ChangeStamp(size: Int64(info.st_size), mtime: info.st_mtimespec.tv_sec, mtimeNanos: info.st_mtimespec.tv_nsec,
                           ctime: info.st_ctimespec.tv_sec, ctimeNanos: info.st_ctimespec.tv_nsec)
        #else
        return ChangeStamp(size: Int64(info.st_size), mtime: info.st_mtim.tv_sec, mtimeNanos: info.st_mtim.tv_nsec,
                           ctime: info.st_ctim.tv_sec, ctimeNanos: info.st_ctim.tv_nsec)
        #endif
    }

    func expectUnchanged(since stamp: ChangeStamp) throws {
        guard try changeStamp() == stamp else {
            throw IntuneWinError.badInput(path, "file changed while packing (modified while it was read)")
        }
    }

    /// A zero-byte file of the plan must still be empty when it is written.
    static func checkStillEmpty(_ path: String) throws {
        try SourceFile(path).expectEnd(expected: 0)
    }
}
