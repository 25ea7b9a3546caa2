#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes pulled a buffer at a time: what `CMTraceReader` (and the `.reg` reader) read a log from. Each
/// implementation holds at most a bounded buffer, whatever the size of what it reads.
public protocol LogByteStream: AnyObject {
    /// Fills up to `buffer.count` bytes; returns how many, 0 only at the end. Throws `IntuneWinError`.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// A file, or standard input, read with `read(2)`.
public final class FileByteStream: LogByteStream {
    /// The name errors give (the path, or `-` for standard input).
    public let name: String
    private let fd: Int32
    private let owned: Bool

    /// Opens a file (a pipe such as `<(zcat log.gz)` too; a folder is refused with `badInput`).
    public init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IntuneWinError.badInput(path, "cannot open the log for reading: \(SystemCall.lastError)") }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) != S_IFDIR else {
            close(fd)
            throw IntuneWinError.badInput(path, "a folder, not a log file")
        }
        self.fd = fd
        owned = true
        name = path
    }

    /// Standard input (not closed when done).
    public init(standardInputNamed name: String = "-") {
        fd = 0
        owned = false
        self.name = name
    }

    deinit { if owned { close(fd) } }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        let n = SystemCall.retryingInterrupts { systemRead(fd, base, buffer.count) }
        guard n >= 0 else { throw IntuneWinError.badInput(name, "cannot read the log: \(SystemCall.lastError)") }
        return n
    }
}

/// `read(2)` (a method named `read` hides it inside the classes).
private func systemRead(_ fd: Int32, _ base: UnsafeMutableRawPointer, _ count: Int) -> Int { read(fd, base, count) }

/// Bytes already in memory (tests, fuzzing, small excerpts).
public final class MemoryByteStream: LogByteStream {
    private let bytes: [UInt8]
    private var position = 0

    /// A stream over `bytes`.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - position)
        guard n > 0, let target = buffer.baseAddress else { return 0 }
        bytes.withUnsafeBytes { target.copyMemory(from: $0.baseAddress! + position, byteCount: n) }
        position += n
        return n
    }
}

extension LogByteStream {
    /// Everything left, up to `limit` bytes; throws `badInput` naming `name` past it (for small files
    /// such as results.xml, never for logs).
    func readAll(limit: Int, name: String) throws -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try read(into: $0) }
            if n == 0 { return out }
            guard out.count + n <= limit else { throw IntuneWinError.badInput(name, "larger than \(limit) bytes, more than such a file ever holds") }
            out.append(contentsOf: chunk[0..<n])
        }
    }
}
