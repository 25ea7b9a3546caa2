#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Writes a zip's entries into a folder: into a temporary folder beside the target, renamed into place
/// only when every entry was written and checked (CRC-32, size). Entry names that would leave the folder
/// are refused before anything is written; modification times are restored from the entries.
public enum Extractor {
    /// Checks `zip` (``ExtractionPlan``) and extracts it; see `extract(_:to:overwrite:threads:progress:beforeCommit:)`.
    public static func extract(_ zip: ZipReader, to output: String, overwrite: Bool, threads: Int = defaultThreads,
                               limits: SizeLimits = .default,
                               progress: ProgressHandler? = nil, beforeCommit: () throws -> Void = {}) throws -> ExtractResult {
        let checked = try ExtractionPlan(zip, limits: limits)
        let meter = ProgressMeter(steps: 1, handler: progress)
        meter.begin("extracting", total: checked.declaredBytes)
        return try extract(checked, to: output, overwrite: overwrite, threads: threads, counter: meter.counter, beforeCommit: beforeCommit)
    }

    /// Extracts a checked zip, reporting its progress as one pass ("extracting", bytes of the files).
    public static func extract(_ checked: ExtractionPlan, to output: String, overwrite: Bool, threads: Int = defaultThreads,
                               progress: ProgressHandler?, beforeCommit: () throws -> Void = {}) throws -> ExtractResult {
        let meter = ProgressMeter(steps: 1, handler: progress)
        meter.begin("extracting", total: checked.declaredBytes)
        return try extract(checked, to: output, overwrite: overwrite, threads: threads, counter: meter.counter, beforeCommit: beforeCommit)
    }

    /// Extracts a checked zip. `beforeCommit` runs once every file is written, before the folder is moved
    /// into place: a check that fails there (e.g. a digest computed alongside) leaves nothing behind. The
    /// target's free space is checked against the declared sizes before anything is written.
    static func extract(_ checked: ExtractionPlan, to output: String, overwrite: Bool, threads: Int = defaultThreads,
                        counter progress: ((UInt64) -> Void)?, beforeCommit: () throws -> Void = {}) throws -> ExtractResult {
        let fm = FileManager.default
        let target = PackagePaths.canonical(output)
        let zip = checked.zip, plan = checked.entries
        try checkTarget(target, overwrite: overwrite)
        try checked.limits.checkFreeSpace(checked.declaredBytes, for: target)
        let parent = (target as NSString).deletingLastPathComponent
        if !fm.fileExists(atPath: parent) {
            do { try fm.createDirectory(atPath: parent, withIntermediateDirectories: true) } catch {
                throw IntuneWinError.cannotWrite(parent, "cannot create folder: \(SystemCall.reason(error))")
            }
        }
        guard let staging = StagingName.makeFolder(in: parent, prefix: "." + (target as NSString).lastPathComponent + ".partial-") else {
            throw IntuneWinError.cannotWrite(target, "cannot create a folder in \(parent): \(SystemCall.lastError)")
        }
        CleanupRegistry.register(staging, isDirectory: true)
        var committed = false
        defer {
            if !committed {
                try? fm.removeItem(atPath: staging)
                CleanupRegistry.unregister(staging)
            }
        }

        var result = ExtractResult(outputFolder: target, files: 0, folders: 0, bytes: 0)
        var folderTimes: [(String, Int64)] = []
        // Folders first, serially (each once); then files in parallel, each worker taking the next entry.
        var madeFolders: Set<String> = [staging]
        func makeFolders(_ path: String) throws {
            guard !madeFolders.contains(path) else { return }
            do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
                throw IntuneWinError.cannotWrite(path, "cannot create folder (a file of that name exists?)")
            }
            madeFolders.insert(path)
        }
        var files: [(ZipEntry, [String])] = []
        for (entry, parts) in plan {
            let path = staging + "/" + parts.joined(separator: "/")
            if entry.isDirectory {
                try makeFolders(path)
                if let t = entry.modified.unixTime() { folderTimes.append((path, t)) }
                result.folders += 1
            } else {
                try makeFolders((path as NSString).deletingLastPathComponent)
                files.append((entry, parts))
                result.bytes += entry.uncompressedSize  // no overflow: all entries together are `declared`
            }
        }
        result.files = files.count
        let fileMode = 0o644 & ~currentUmask()
        let shared = ExtractionState(files.count)
        // `progress` is called from one thread at a time. A plain lock: a Locked<Void> hands a zero-size
        // value out `inout`, which ThreadSanitizer reports as a race on the box itself.
        let progressLock = NSLock()
        DispatchQueue.concurrentPerform(iterations: max(1, min(threads, files.count))) { _ in
            while let index = shared.next() {
                let (entry, parts) = files[index]
                let shown = target + "/" + parts.joined(separator: "/")
                do {
                    try writeFile(entry, from: zip, to: staging + "/" + parts.joined(separator: "/"), shown: shown, mode: fileMode) { n in
                        progressLock.lock(); progress?(n); progressLock.unlock()
                    }
                } catch {
                    shared.fail(error)
                }
            }
        }
        if let error = shared.error { throw error }
        try beforeCommit()
        // Folder times last: writing children changes them.
        for (path, t) in folderTimes.reversed() { setTimes(path: path, t) }

        if overwrite, fm.fileExists(atPath: target) {
            do { try fm.removeItem(atPath: target) } catch {
                throw IntuneWinError.cannotWrite(target, "cannot replace: \(SystemCall.reason(error))")
            }
        } else if isEmptyFolder(target) {
            rmdir(target)
        }
        // mkdtemp made the staging folder 0700; the result gets an ordinary folder's mode, as its subfolders.
        chmod(staging, 0o777 & ~currentUmask())
        guard rename(staging, target) == 0 else {
            throw IntuneWinError.cannotWrite(target, "cannot move into place: \(String(cString: strerror(errno)))")
        }
        committed = true
        CleanupRegistry.unregister(staging)
        return result
    }

    /// One writer per active processor.
    public static let defaultThreads = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Writes one entry's bytes to a new file (never following or replacing anything), then its mode and time.
    private static func writeFile(_ entry: ZipEntry, from zip: ZipReader, to path: String, shown: String, mode: mode_t,
                                  progress: (UInt64) -> Void) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw IntuneWinError.cannotWrite(shown, "cannot create: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        try zip.extract(entry) { chunk in
            try writeAll(fd, chunk, path: shown)
            progress(UInt64(chunk.count))
        }
        fchmod(fd, mode)
        if let t = entry.modified.unixTime() { setTimes(fd: fd, t) }
    }

    /// Work handed out to extraction threads, and the first failure.
    private final class ExtractionState: Sendable {
        private let state = Locked((cursor: 0, error: Error?.none))
        private let count: Int

        init(_ count: Int) { self.count = count }

        var error: Error? { state.withLock { $0.error } }

        func next() -> Int? {
            state.withLock { state in
                guard state.error == nil, state.cursor < count else { return nil }
                state.cursor += 1
                return state.cursor - 1
            }
        }

        func fail(_ e: Error) { state.withLock { if $0.error == nil { $0.error = e } } }
    }

    /// An existing target is refused unless it is an empty folder or `overwrite` is set.
    static func checkTarget(_ target: String, overwrite: Bool) throws {
        var st = stat()
        guard lstat(target, &st) == 0 else { return }
        if overwrite || isEmptyFolder(target) { return }
        throw IntuneWinError.cannotWrite(target, "already exists and is not empty", remedy: .allowOverwrite)
    }

    static func isEmptyFolder(_ path: String) -> Bool {
        guard let items = try? FileManager.default.contentsOfDirectory(atPath: path) else { return false }
        var st = stat()
        return items.isEmpty && lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        guard SystemCall.writeAll(fd, bytes) else { throw IntuneWinError.cannotWrite(path, "write failed: \(SystemCall.lastError)") }
    }

    private static func timespecs(_ t: Int64) -> [timespec] {
        [timespec(tv_sec: Int(t), tv_nsec: 0), timespec(tv_sec: Int(t), tv_nsec: 0)]
    }

    private static func setTimes(fd: Int32, _ t: Int64) { _ = futimens(fd, timespecs(t)) }
    private static func setTimes(path: String, _ t: Int64) { _ = utimensat(AT_FDCWD, path, timespecs(t), AT_SYMLINK_NOFOLLOW) }
}
