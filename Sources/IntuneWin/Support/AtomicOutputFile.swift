#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// An output file written under a temporary name in the target folder and renamed into place
/// only when complete; removed on failure, deinit or interrupt. Buffered appends, plus `patch`
/// to rewrite earlier bytes (zip headers whose sizes are known only at the end).
final class AtomicOutputFile {
    let finalPath: String
    let temporaryPath: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private let bufferLimit = 1 << 20
    private(set) var offset: UInt64 = 0
    private var committed = false

    /// Creates `.<name>.partial-XXXXXX` beside `finalPath`, mode 0600 until committed.
    init(finalPath: String) throws {
        self.finalPath = finalPath
        let folder = (finalPath as NSString).deletingLastPathComponent
        let name = (finalPath as NSString).lastPathComponent
        var template = Array(((folder.isEmpty ? "." : folder) + "/." + name + ".partial-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw IntuneWinError.cannotWrite(finalPath, "cannot create a file in \(folder.isEmpty ? "." : folder): \(String(cString: strerror(errno)))")
        }
        self.fd = fd
        temporaryPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        buffer.reserveCapacity(bufferLimit)
        CleanupRegistry.register(temporaryPath, isDirectory: false)
    }

    deinit { if !committed { discard() } }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.count + bytes.count > bufferLimit { try flush() }
        if bytes.count >= bufferLimit {
            try writeAll(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
        offset += UInt64(bytes.count)
    }

    func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let n = Glibc_write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw IntuneWinError.cannotWrite(finalPath, "write failed: \(String(cString: strerror(errno)))")
            }
            done += n
        }
    }

    /// Overwrites bytes already written at `at` (flushes first).
    func patch(_ bytes: [UInt8], at position: UInt64) throws {
        try flush()
        let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress!, $0.count, off_t(position)) }
        guard n == bytes.count else {
            throw IntuneWinError.cannotWrite(finalPath, "write failed: \(String(cString: strerror(errno)))")
        }
    }

    /// Flushes, syncs, and renames into place. Without `replace`, an existing file is never overwritten.
    func commit(replace: Bool, mode: mode_t = 0o644) throws {
        try flush()
        guard fsync(fd) == 0 else { throw IntuneWinError.cannotWrite(finalPath, "fsync failed: \(String(cString: strerror(errno)))") }
        fchmod(fd, mode & ~currentUmask())
        close(fd)
        fd = -1
        if replace {
            guard rename(temporaryPath, finalPath) == 0 else {
                throw IntuneWinError.cannotWrite(finalPath, "cannot rename into place: \(String(cString: strerror(errno)))")
            }
        } else {
            // link() fails with EEXIST instead of replacing: no overwrite even if the file appeared meanwhile.
            guard link(temporaryPath, finalPath) == 0 else {
                let reason = errno == EEXIST ? "already exists (use --force to overwrite)" : "cannot move into place: \(String(cString: strerror(errno)))"
                throw IntuneWinError.cannotWrite(finalPath, reason)
            }
            unlink(temporaryPath)
        }
        committed = true
        CleanupRegistry.unregister(temporaryPath)
    }

    /// Removes the partial file.
    func discard() {
        if fd >= 0 { close(fd); fd = -1 }
        unlink(temporaryPath)
        CleanupRegistry.unregister(temporaryPath)
    }
}

private func Glibc_write(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, p, n)
    #else
    return Darwin.write(fd, p, n)
    #endif
}

/// The process umask, read without changing it for longer than an instant.
func currentUmask() -> mode_t {
    let old = umask(0o022)
    umask(old)
    return old
}
