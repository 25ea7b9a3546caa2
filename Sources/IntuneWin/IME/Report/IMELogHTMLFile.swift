import Foundation

extension IMELogHTML {
    /// Throws when `path` exists and `overwrite` is false (or when it is a folder): checked before the logs
    /// are read, so a long analysis is not wasted on a report that cannot be written.
    public static func checkTarget(_ path: String, overwrite: Bool) throws {
        let target = PackagePaths.canonical(path)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target, isDirectory: &isFolder) else { return }
        if isFolder.boolValue { throw IntuneWinError.cannotWrite(target, "is a folder; name the HTML file to write") }
        if !overwrite { throw IntuneWinError.cannotWrite(target, "already exists", remedy: .allowOverwrite) }
    }

    /// Writes the page to `path` under a temporary name in the same folder, renamed into place when complete
    /// (an interrupted write leaves nothing); an existing file is replaced only with `overwrite`.
    /// Returns the path written.
    @discardableResult
    public static func write(_ report: IMELogReport, title: String? = nil, toFile path: String, overwrite: Bool) throws -> String {
        try checkTarget(path, overwrite: overwrite)
        let target = PackagePaths.canonical(path)
        let file = try AtomicOutputFile(finalPath: target)
        try write(report, title: title) { piece in try file.write(Array(piece.utf8)) }
        try file.commit(replace: overwrite)
        return target
    }
}
