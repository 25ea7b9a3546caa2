#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSystem
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
    /// Bytes up to here have been handed to the kernel's writeback already (`startWriteback`).
    private var writebackStart: UInt64 = 0
    private var written: UInt64 = 0

    /// Creates `.<name>.partial-XXXXXX` beside `finalPath`, mode 0600 until committed.
    init(finalPath: String) throws {
        self.finalPath = finalPath
        let folder = (finalPath as NSString).deletingLastPathComponent
        let name = (finalPath as NSString).lastPathComponent
        guard let (fd, path) = StagingName.makeFile(in: folder, prefix: "." + name + ".partial-") else {
            throw IntuneWinError.cannotWrite(finalPath, "cannot create a file in \(folder.isEmpty ? "." : folder): \(SystemCall.lastError)")
        }
        self.fd = fd
        temporaryPath = path
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
        guard SystemCall.writeAll(fd, bytes) else {
            throw IntuneWinError.cannotWrite(finalPath, "write failed: \(SystemCall.lastError)")
        }
        written += UInt64(bytes.count)
        if written - writebackStart >= Self.writebackStep { startWriteback() }
    }

    /// Writeback is started every 8 MiB while the file is written, so the final fsync waits for the
    /// last few MiB only, not for the whole package (55 ms of a 1.8 s pack of 132 MiB without it).
    private static let writebackStep: UInt64 = 8 << 20

    private func startWriteback() {
        _ = csystem_start_writeback(fd, Int64(writebackStart), Int64(written - writebackStart))
        writebackStart = written
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
                if errno == EEXIST { throw IntuneWinError.cannotWrite(finalPath, "already exists", remedy: .allowOverwrite) }
                throw IntuneWinError.cannotWrite(finalPath, "cannot move into place: \(String(cString: strerror(errno)))")
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

/// The process umask, read without changing it for longer than an instant.
func currentUmask() -> mode_t {
    let old = umask(0o022)
    umask(old)
    return old
}
