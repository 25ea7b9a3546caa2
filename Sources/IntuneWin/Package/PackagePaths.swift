import Foundation

/// Names and paths of a package: the fixed entry names, and how `pack` resolves its arguments the way
/// Microsoft's tool does (output named after the setup file) while refusing what it lets slip
/// (setup outside the source folder, output inside it).
public enum PackagePaths {
    /// The outer zip's folder for the encrypted content.
    public static let contentFolder = "IntuneWinPackage/Contents/"
    /// The outer zip's entry holding Detection.xml.
    public static let detectionEntry = "IntuneWinPackage/Metadata/Detection.xml"
    /// The encrypted content's file name (Detection.xml's `<FileName>`).
    public static let contentFileName = "IntunePackage.intunewin"

    /// A path made absolute against the current directory, with `.`/`..` resolved and symbolic links
    /// resolved in the longest part that exists (so a not-yet-created output under a link is placed right).
    static func canonical(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var existing = URL(fileURLWithPath: absolute).standardizedFileURL
        var missing: [String] = []
        while !FileManager.default.fileExists(atPath: existing.path) && existing.path != "/" {
            missing.insert(existing.lastPathComponent, at: 0)
            existing.deleteLastPathComponent()
        }
        var resolved = existing.resolvingSymlinksInPath()
        for part in missing { resolved.appendPathComponent(part) }
        return resolved.standardizedFileURL.path
    }

    /// True when `path` is `folder` or lies below it (real path containment, not a string prefix).
    static func isInside(_ path: String, folder: String) -> Bool {
        path == folder || path.hasPrefix(folder.hasSuffix("/") ? folder : folder + "/")
    }

    /// Resolves the setup file: a name relative to the source folder, or a path (relative to the
    /// current directory or absolute) that lies inside it. Returns its path components below the source.
    static func resolveSetup(_ setup: String, source: String) throws -> [String] {
        let fm = FileManager.default
        var candidates: [String] = []
        if !setup.hasPrefix("/") { candidates.append(source + "/" + setup) }
        candidates.append(setup)
        var isDirectory: ObjCBool = false
        guard let found = candidates.first(where: { fm.fileExists(atPath: $0, isDirectory: &isDirectory) }) else {
            throw IntuneWinError.usage(setup, "setup file not found in \(source)")
        }
        let resolved = canonical(found)
        guard isInside(resolved, folder: source), resolved != source else {
            throw IntuneWinError.usage(setup, "setup file should be in folder \(source)")
        }
        _ = fm.fileExists(atPath: resolved, isDirectory: &isDirectory)
        guard !isDirectory.boolValue else { throw IntuneWinError.usage(setup, "setup file is a folder") }
        return resolved.dropFirst(source.count).split(separator: "/").map(String.init)
    }

    /// The output file: `output` itself when it ends in `.intunewin`, else `output/<setup base name>.intunewin`.
    static func resolveOutput(_ output: String, setupName: String) -> (folder: String, file: String) {
        if output.lowercased().hasSuffix(".intunewin") {
            let absolute = canonical(output)
            return ((absolute as NSString).deletingLastPathComponent, absolute)
        }
        let folder = canonical(output)
        let base = (setupName as NSString).deletingPathExtension
        return (folder, folder + "/" + base + ".intunewin")
    }
}
