import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Redacted copies of log files: each file is copied byte for byte except the identifiers `IMERedactor`
/// replaces (the CMTrace envelope, line ends, BOMs, also in the middle of a file, stay as they are).
public enum IMELogRedaction {
    /// Writes a redacted copy of each of `files` into `folder` (created if missing) under the same name,
    /// and returns the paths written, in order.
    ///
    /// Two streaming passes: the first numbers every identifier in file order and learns names (so a name
    /// first seen in a strong context is replaced in earlier lines too), the second writes. Each copy is
    /// written under a temporary name and moved into place when complete. Without `overwrite` an existing
    /// copy is an error (`cannotWrite` with the `allowOverwrite` remedy); a copy is never written over its
    /// own source, and two files with the same name are an error. Files that start with a UTF-16 BOM are
    /// redacted as UTF-16 and written back in the same encoding. Memory stays flat: lines longer than
    /// `maxLineBytes` are redacted in pieces of that size.
    @discardableResult
    public static func writeRedactedCopies(of files: [String], to folder: String, redactor: IMERedactor, overwrite: Bool = false) throws -> [String] {
        var targets: [String] = []
        var names: Set<String> = []
        for file in files {
            let name = (file as NSString).lastPathComponent
            guard names.insert(name.lowercased()).inserted else {
                throw IntuneWinError.badInput(file, "two logs named \(name): their redacted copies would have the same name")
            }
            guard FileManager.default.fileExists(atPath: file) else { throw IntuneWinError.badInput(file, "no such file") }
            let target = (folder as NSString).appendingPathComponent(name)
            if realPath(target) == realPath(file) {
                throw IntuneWinError.cannotWrite(target, "is the log itself: write redacted copies to another folder")
            }
            if !overwrite, FileManager.default.fileExists(atPath: target) {
                throw IntuneWinError.cannotWrite(target, "already exists", remedy: .allowOverwrite)
            }
            targets.append(target)
        }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw IntuneWinError.cannotWrite(folder, "cannot create the folder: \(error.localizedDescription)")
        }
        for file in files {
            try forEachLine(of: file) { line, encoding in learn(line, encoding, redactor) }
        }
        for (file, target) in zip(files, targets) {
            let output = try AtomicOutputFile(finalPath: target)
            try forEachLine(of: file) { line, encoding in
                if let redacted = redact(line, encoding, redactor) {
                    try output.write(redacted)
                } else {
                    try output.write(UnsafeRawBufferPointer(line))
                }
            }
            try output.commit(replace: overwrite)
        }
        return targets
    }

    /// `writeRedactedCopies` with a new redactor keeping `appIDs`; returns the redactor, whose mapping the
    /// caller can go on using (a report printed after the copies names the same placeholders).
    @discardableResult
    public static func writeRedactedCopies(of files: [String], to folder: String, appIDs: Set<String>, overwrite: Bool = false) throws -> IMERedactor {
        let redactor = IMERedactor(appIDs: appIDs)
        try writeRedactedCopies(of: files, to: folder, redactor: redactor, overwrite: overwrite)
        return redactor
    }

    /// A long line is redacted in pieces of this size (an identifier across a cut is not recognised).
    public static let maxLineBytes = 8 << 20

    // MARK: reading

    enum Encoding { case utf8, utf16LE, utf16BE }

    /// Calls `body` with every line of `path` including its line end (LF, or LF 00 / 00 LF in UTF-16),
    /// read in 64 KiB chunks.
    static func forEachLine(of path: String, _ body: (UnsafeBufferPointer<UInt8>, Encoding) throws -> Void) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw IntuneWinError.badInput(path, "cannot open the log for reading") }
        defer { try? handle.close() }
        let chunkSize = 1 << 16
        let chunk = UnsafeMutableRawPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { chunk.deallocate() }
        var pending: [UInt8] = []
        var encoding: Encoding?
        var first = true
        /// Emits the lines in `bytes` (searched for line ends from `resume`, where the previous search
        /// stopped), returns the offset up to which `bytes` was consumed.
        func emit(_ bytes: UnsafeBufferPointer<UInt8>, resume: Int, final: Bool) throws -> Int {
            let enc = encoding ?? .utf8
            let unit = enc == .utf8 ? 1 : 2
            var start = 0
            var k = resume
            while k + unit <= bytes.count {
                let isLF = enc == .utf8 ? bytes[k] == 0x0A
                    : enc == .utf16LE ? (bytes[k] == 0x0A && bytes[k + 1] == 0) : (bytes[k] == 0 && bytes[k + 1] == 0x0A)
                k += unit
                if isLF || k - start >= maxLineBytes {
                    try body(UnsafeBufferPointer(rebasing: bytes[start..<k]), enc)
                    start = k
                }
            }
            if final, start < bytes.count {
                try body(UnsafeBufferPointer(rebasing: bytes[start...]), enc)
                start = bytes.count
            }
            return start
        }
        var searched = 0
        while true {
            let n = SystemCall.retryingInterrupts { read(handle.fileDescriptor, chunk, chunkSize) }
            guard n >= 0 else { throw IntuneWinError.badInput(path, "cannot read the log: \(SystemCall.lastError)") }
            if n > 0 { pending.append(contentsOf: UnsafeRawBufferPointer(start: chunk, count: n).bindMemory(to: UInt8.self)) }
            if first, pending.count >= 2 || n == 0 {
                first = false
                if pending.count >= 2, pending[0] == 0xFF, pending[1] == 0xFE { encoding = .utf16LE }
                else if pending.count >= 2, pending[0] == 0xFE, pending[1] == 0xFF { encoding = .utf16BE }
                else { encoding = .utf8 }
            }
            if first { continue }
            let consumed = try pending.withUnsafeBufferPointer { try emit($0, resume: searched, final: n == 0) }
            if consumed > 0 { pending.removeSubrange(0..<consumed) }
            // What is left has no line end; the search resumes after it (at a whole UTF-16 unit).
            searched = encoding == .utf8 ? pending.count : pending.count & ~1
            if n == 0 { return }
        }
    }

    // MARK: redacting a line

    private static func learn(_ line: UnsafeBufferPointer<UInt8>, _ encoding: Encoding, _ redactor: IMERedactor) {
        switch encoding {
        case .utf8: redactor.learn(bytes: line)
        case .utf16LE, .utf16BE: redactor.learn(utf16Text(line, encoding))
        }
    }

    /// The redacted line in the file's encoding, or nil when nothing in it is replaced.
    private static func redact(_ line: UnsafeBufferPointer<UInt8>, _ encoding: Encoding, _ redactor: IMERedactor) -> [UInt8]? {
        switch encoding {
        case .utf8:
            return redactor.redact(bytes: line)
        case .utf16LE, .utf16BE:
            let text = utf16Text(line, encoding)
            let redacted = redactor.redact(text)
            guard redacted != text else { return nil }
            var out: [UInt8] = []
            out.reserveCapacity(redacted.utf16.count * 2)
            for unit in redacted.utf16 {
                if encoding == .utf16LE { out.append(UInt8(unit & 0xFF)); out.append(UInt8(unit >> 8)) }
                else { out.append(UInt8(unit >> 8)); out.append(UInt8(unit & 0xFF)) }
            }
            return out
        }
    }

    private static func utf16Text(_ line: UnsafeBufferPointer<UInt8>, _ encoding: Encoding) -> String {
        var units: [UInt16] = []
        units.reserveCapacity(line.count / 2)
        var k = 0
        while k + 1 < line.count {
            units.append(encoding == .utf16LE ? UInt16(line[k]) | UInt16(line[k + 1]) << 8 : UInt16(line[k]) << 8 | UInt16(line[k + 1]))
            k += 2
        }
        return String(decoding: units, as: UTF16.self)
    }

    private static func realPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return (path as NSString).standardizingPath }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
