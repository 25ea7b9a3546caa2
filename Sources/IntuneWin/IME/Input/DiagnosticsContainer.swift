import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One file of a diagnostics collection: its path inside it (`/`-separated, as untrusted data: it is
/// only ever compared and shown, never used to write anything) and its declared size.
struct DiagnosticsFile: Equatable {
    var path: String
    var size: UInt64
    /// The zip entry it is, for a zip.
    var entry: ZipEntry?

    /// The last path component.
    var fileName: String { path.split(separator: "/").last.map(String.init) ?? path }
    /// Everything before the last component ("" at the top).
    var folder: String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }
}

/// The files of a diagnostics collection or of a folder that may hold IME logs: a zip read in place
/// (its central directory) or a folder on disk walked to a bounded depth without following links to
/// folders. Gives each file's bytes as a `LogByteStream`, a zip entry's through bounded inflate.
final class DiagnosticsContainer {
    /// The zip or folder path as given.
    let path: String
    /// Every regular file, in name order.
    let files: [DiagnosticsFile]
    /// The zip, when the container is one.
    let zip: ZipReader?

    /// Deepest folder level searched below a folder, or inside a zip.
    static let maximumDepth = 8
    /// Most files looked at in a folder tree (a home folder given by mistake stops here).
    static let maximumFiles = 50_000
    /// Largest entry a log may declare (IME rotates its logs at a few MB).
    static let maximumLogEntry: UInt64 = 2 << 30
    /// Largest `.reg` entry read.
    static let maximumRegistryEntry: UInt64 = RegistryExport.maximumBytes
    /// An entry larger than this must not declare more than `maximumRatio` bytes per compressed byte.
    static let ratioAppliesAbove: UInt64 = 64 << 20
    /// Most declared bytes per compressed byte (deflate cannot do better than ~1032:1 anyway).
    static let maximumRatio: UInt64 = 1000

    /// A zip read in place. Refuses, as unpack does, a zip whose entries declare more than 64 GiB in
    /// all or (beyond 1 GiB) more than 1000 bytes per byte of archive.
    init(zipAt path: String) throws {
        let zip = try ZipReader(source: FileRegion(path: path))
        let limits = SizeLimits(maximumTotal: 64 << 30, maximumRatio: Self.maximumRatio, ratioAppliesAbove: 1 << 30, checksFreeSpace: false)
        do { try limits.check(zip) } catch let error as IntuneWinError {
            throw IntuneWinError(error.kind, path: error.path, error.reason.replacingOccurrences(of: " (a zip bomb?)", with: ": refused as a zip bomb"))
        }
        self.path = path
        self.zip = zip
        files = zip.entries.filter { !$0.isDirectory }
            .map { DiagnosticsFile(path: $0.portableName, size: $0.uncompressedSize, entry: $0) }
            .sorted { $0.path < $1.path }
    }

    /// A folder tree, walked to `maximumDepth` levels (links to folders are not followed, so no loops).
    init(folderAt path: String) throws {
        self.path = path
        zip = nil
        var found: [DiagnosticsFile] = []
        var pending: [(String, Int)] = [("", 0)]
        while let (relative, depth) = pending.popLast() {
            let full = relative.isEmpty ? path : path + "/" + relative
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: full) else {
                if relative.isEmpty { throw IntuneWinError.badInput(path, "cannot list the folder") }
                continue
            }
            for name in names.sorted() {
                let child = relative.isEmpty ? name : relative + "/" + name
                var st = stat()
                guard lstat(full + "/" + name, &st) == 0 else { continue }
                var mode = st.st_mode & S_IFMT
                if mode == S_IFLNK {
                    // A link to a file is read; a link to a folder is not followed (no loops).
                    guard stat(full + "/" + name, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
                    mode = S_IFREG
                }
                if mode == S_IFDIR {
                    if depth < Self.maximumDepth { pending.append((child, depth + 1)) }
                } else if mode == S_IFREG {
                    found.append(DiagnosticsFile(path: child, size: UInt64(max(st.st_size, 0)), entry: nil))
                    guard found.count <= Self.maximumFiles else {
                        throw IntuneWinError(.nothingFound, path: path, "more than \(Self.maximumFiles) files below the folder: give the IME Logs folder or the diagnostics zip itself")
                    }
                }
            }
        }
        files = found.sorted { $0.path < $1.path }
    }

    /// The name a file's records and messages carry: `zip:entry` or the file's path.
    func displayName(_ file: DiagnosticsFile) -> String {
        zip != nil ? "\((path as NSString).lastPathComponent):\(file.path)" : path + "/" + file.path
    }

    /// Where a log file is read from.
    func logSource(_ file: DiagnosticsFile) throws -> IMELogSource {
        guard let entry = file.entry else { return IMELogSource(.file(path + "/" + file.path)) }
        try checkEntry(entry, limit: Self.maximumLogEntry)
        return IMELogSource(.zipEntry(archive: path, entry: entry.name, offset: entry.localHeaderOffset), name: displayName(file))
    }

    /// The bytes of a (small or streamed) file, after the per-entry bomb checks.
    func open(_ file: DiagnosticsFile, limit: UInt64) throws -> LogByteStream {
        guard let entry = file.entry, let zip else { return try FileByteStream(path: path + "/" + file.path) }
        try checkEntry(entry, limit: limit)
        return try ZipEntryByteStream(zip: zip, entry: entry)
    }

    /// Refuses an entry that declares more than `limit` bytes, or (over 64 MiB) a ratio over 1000:1.
    private func checkEntry(_ entry: ZipEntry, limit: UInt64) throws {
        guard entry.uncompressedSize <= limit else {
            throw IntuneWinError.badInput(path, "\(entry.name): declares \(entry.uncompressedSize) bytes, over the \(limit) a file of its kind can hold: refused as a zip bomb")
        }
        if entry.uncompressedSize > Self.ratioAppliesAbove, entry.uncompressedSize / max(entry.compressedSize, 1) > Self.maximumRatio {
            throw IntuneWinError.badInput(path, "\(entry.name): declares \(entry.uncompressedSize) bytes from \(entry.compressedSize), a ratio over \(Self.maximumRatio):1: refused as a zip bomb")
        }
    }

    /// Whether the regular file at `path` starts like a zip (a local header, or an empty zip's end record).
    static func looksLikeZip(_ path: String) -> Bool {
        // Only a regular file is looked into: reading a pipe's first bytes would take them from the log.
        var st = stat()
        guard stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG, let stream = try? FileByteStream(path: path) else { return false }
        var head = [UInt8](repeating: 0, count: 4)
        let n = (try? head.withUnsafeMutableBytes { try stream.read(into: $0) }) ?? 0
        return n == 4 && head[0] == 0x50 && head[1] == 0x4B && ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6))
    }

    /// The folders holding IME logs (`IMELogFiles.ordered` finds names in them), best first: folders
    /// named like IME's Logs folder (`… IntuneManagementExtension_Logs`, `…/IntuneManagementExtension/Logs`)
    /// when there are any, else every folder with IME log names; at most `maximumDepth` levels down.
    func imeLogFolders() -> [(folder: String, files: [DiagnosticsFile])] {
        var byFolder: [String: [DiagnosticsFile]] = [:]
        for file in files where file.path.split(separator: "/").count <= Self.maximumDepth + 1 {
            byFolder[file.folder, default: []].append(file)
        }
        var found: [(String, [DiagnosticsFile], Bool)] = []
        for (folder, list) in byFolder {
            let byName = Dictionary(list.map { ($0.fileName, $0) }, uniquingKeysWith: { a, _ in a })
            let ordered = IMELogFiles.ordered(Array(byName.keys).sorted()).compactMap { byName[$0] }
            guard !ordered.isEmpty else { continue }
            let squeezed = folder.lowercased().filter { $0.isLetter || $0.isNumber }
            found.append((folder, ordered, squeezed.hasSuffix("intunemanagementextensionlogs")))
        }
        let named = found.filter(\.2)
        return (named.isEmpty ? found : named).sorted { $0.0 < $1.0 }.map { ($0.0, $0.1) }
    }
}
