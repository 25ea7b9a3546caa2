#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import CSystem

/// The compressed bytes of one large entry, held until its CRC-32 and compressed size are known, since
/// Microsoft's layout puts both in the local header before the data: in memory up to `memoryLimit`, the
/// rest in a temporary file in `folder` (the output's folder) that is unlinked as soon as it is created,
/// so no exit path (error, signal, crash) can leave it behind. Each entry is deflated once.
final class CompressedSpool {
    private let folder: String
    private let memoryLimit: Int
    private var memory: [UInt8] = []
    private var fd: Int32 = -1
    private(set) var count: UInt64 = 0
    private var fileBytes: UInt64 = 0

    init(folder: String, memoryLimit: Int) {
        self.folder = folder.isEmpty ? "." : folder
        self.memoryLimit = memoryLimit
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Keeps `bytes` after what is already held.
    func append(_ bytes: [UInt8]) throws {
        count += UInt64(bytes.count)
        if fd < 0 && memory.count + bytes.count <= memoryLimit {
            memory.append(contentsOf: bytes)
            return
        }
        if fd < 0 { try openFile() }
        try bytes.withUnsafeBytes { try writeAll($0) }
        fileBytes += UInt64(bytes.count)
    }

    /// Hands everything held to `sink`, in order, then lets it go.
    func drain(into sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try memory.withUnsafeBytes { try sink($0) }
        memory = []
        guard fd >= 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var offset: UInt64 = 0
        while offset < fileBytes {
            let want = Int(min(UInt64(buffer.count), fileBytes - offset))
            let n = buffer.withUnsafeMutableBytes { SystemCall.readFully(fd, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want]), at: offset) }
            guard n == want else { throw failure("cannot read the temporary file back") }
            try buffer.withUnsafeBytes { try sink(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            // What has been read is freed at once (pages and blocks): the output written next reuses those
            // pages instead of taking fresh memory, and the spool never reaches the disk. Best effort: a file
            // system without hole punching frees it all at close instead.
            _ = csystem_punch_hole(fd, Int64(offset), Int64(n))
            offset += UInt64(n)
        }
        close(fd)
        fd = -1
        fileBytes = 0
    }

    private func openFile() throws {
        guard let (opened, path) = StagingName.makeFile(in: folder, prefix: ".intunewin-spool-") else {
            throw failure("cannot create a temporary file")
        }
        // Unlinked at once: the space is returned when the descriptor closes, whatever ends the process.
        unlink(path)
        fd = opened
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        guard SystemCall.writeAll(fd, bytes) else { throw failure("cannot write a temporary file for a large entry") }
    }

    private func failure(_ what: String) -> IntuneWinError {
        .cannotWrite(folder, "\(what): \(SystemCall.lastError)")
    }
}
