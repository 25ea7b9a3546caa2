import Foundation

/// What `ime-log PATH…` reads, resolved: the logs in the order to read them, and the diagnostics
/// collections among the paths (evidence present and missing, registry facts).
///
/// Each path may be a log file; `-` (standard input); a Logs folder (`IMELogFiles` rules: IME's stems,
/// rotated generations oldest first, live file last, names matched case-insensitively); a folder holding
/// an IME Logs folder at any depth up to `DiagnosticsContainer.maximumDepth` (an extracted diagnostics
/// zip); or a zip (a `DiagLogs-<device>-<time>.zip` or any zip holding IME logs), read in place.
public struct IMELogInput: Sendable, Equatable {
    /// The logs to read, in order (hand them to `CMTraceBatchReader.forEach(sources:)`).
    public var logs: [IMELogSource]
    /// The diagnostics collections found (one per diagnostics zip or extracted folder).
    public var diagnostics: [DiagnosticsCollection]

    /// The registry facts of every collection together.
    public var registry: IMERegistryFacts { .combined(diagnostics) }

    /// Resolves `paths` (see the type's description). Throws `badInput` for a path that does not exist,
    /// `-` given twice, or a zip that is damaged or a bomb; `nothingFound` for a folder without logs or a
    /// zip that is neither a diagnostics zip nor holds IME logs. A file that is not a log is kept (the
    /// reader then finds no records in it).
    public static func resolve(_ paths: [String]) throws -> IMELogInput {
        var input = IMELogInput(logs: [], diagnostics: [])
        var sawStandardInput = false
        for path in paths {
            if path == "-" {
                guard !sawStandardInput else { throw IntuneWinError(.usage, path: "-", "standard input given more than once") }
                sawStandardInput = true
                input.logs.append(IMELogSource(.standardInput))
                continue
            }
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw IntuneWinError.badInput(path, "no such file or folder")
            }
            if isFolder.boolValue {
                try resolveFolder(path, into: &input)
            } else if DiagnosticsContainer.looksLikeZip(path) || (path.lowercased().hasSuffix(".zip") && isRegularFile(path)) {
                try resolveZip(path, into: &input)
            } else {
                input.logs.append(IMELogSource(.file(path)))
            }
        }
        return input
    }

    private static func isRegularFile(_ path: String) -> Bool {
        (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeRegular
    }

    /// A folder: its own IME logs (`IMELogFiles`), else an IME Logs folder below it, else its `*.log` files.
    private static func resolveFolder(_ path: String, into input: inout IMELogInput) throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        if !IMELogFiles.ordered(names).isEmpty {
            input.logs += try IMELogFiles.expand([path]).map { IMELogSource(.file($0)) }
            return
        }
        let container = try DiagnosticsContainer(folderAt: path)
        let folders = container.imeLogFolders()
        if !folders.isEmpty {
            input.logs += try folders.flatMap { try $0.files.map(container.logSource) }
            // The collection's root: where results.xml is, at the top or beside the logs folder.
            let roots = [""] + folders.map { ($0.folder as NSString).deletingLastPathComponent }
            if let root = roots.first(where: { r in container.files.contains { $0.path.lowercased() == ((r.isEmpty ? "" : r + "/") + "results.xml").lowercased() } }) {
                let inside = folders.map(\.folder).filter { root.isEmpty || $0.hasPrefix(root + "/") }
                input.diagnostics.append(DiagnosticsCollection.read(container, root: root, logFolders: inside))
            }
            return
        }
        // No IME names anywhere: the folder's own *.log files (logs collected and renamed), as before.
        input.logs += try IMELogFiles.expand([path]).map { IMELogSource(.file($0)) }
    }

    /// A zip read in place.
    private static func resolveZip(_ path: String, into input: inout IMELogInput) throws {
        let container = try DiagnosticsContainer(zipAt: path)
        let folders = container.imeLogFolders()
        let hasResults = container.files.contains { $0.path.lowercased() == "results.xml" }
        let named = DiagnosticsCollection.parseName(path) != nil
        let flattened = container.files.contains { DiagnosticsCollection.numberedName($0.path.split(separator: "/").first.map(String.init) ?? "") != nil }
        guard !folders.isEmpty || hasResults || (named && flattened) else {
            let nested = container.files.first { file in [".zip", ".cab", ".7z"].contains { file.fileName.lowercased().hasSuffix($0) } }
            throw IntuneWinError(.nothingFound, path: path, "neither a diagnostics zip (no results.xml) nor a zip holding IME logs (no "
                + IMELogFiles.stems.map { "\($0)*.log" }.joined(separator: ", ") + ")"
                + (nested.map { "; archives inside it (\($0.fileName)) are not opened" } ?? ""))
        }
        input.logs += try folders.flatMap { try $0.files.map(container.logSource) }
        if hasResults || named || flattened {
            input.diagnostics.append(DiagnosticsCollection.read(container, root: "", logFolders: folders.map(\.folder)))
        }
    }
}
