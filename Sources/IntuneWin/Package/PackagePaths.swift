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
    /// Windows habits work: `\` separates folders (`bin\setup.exe`, `.\setup.exe`), and a name that
    /// matches one file only when letter case is ignored finds it (`SETUP.EXE`), as on Windows. The last
    /// component keeps the name given: a setup that is a symbolic link is packed under its own name.
    static func resolveSetup(_ setup: String, source: String) throws -> [String] {
        let given = setup.replacingOccurrences(of: "\\", with: "/")
        let fm = FileManager.default
        var candidates: [String] = []
        if !given.hasPrefix("/") { candidates.append(source + "/" + given) }
        candidates.append(given.hasPrefix("/") ? given : fm.currentDirectoryPath + "/" + given)
        var isDirectory: ObjCBool = false
        var found = candidates.first { fm.fileExists(atPath: $0, isDirectory: &isDirectory) }
        if found == nil {
            // Windows finds SETUP.EXE as setup.exe: the same here, when exactly one name matches.
            found = try candidates.lazy.compactMap { try matchIgnoringCase($0, within: source, given: setup) }.first
            if let found { _ = fm.fileExists(atPath: found, isDirectory: &isDirectory) }
        }
        guard let found else {
            let near = nearNames(for: (given as NSString).lastPathComponent, in: source)
            throw IntuneWinError.usage(setup, "setup file not found in \(source)" + (near.isEmpty ? "" : " (did you mean \(near.joined(separator: ", "))?)"))
        }
        // The folder is resolved (links and all); the file keeps the name given.
        let standardized = URL(fileURLWithPath: found).standardizedFileURL.path
        let name = (standardized as NSString).lastPathComponent
        let resolved = canonical((standardized as NSString).deletingLastPathComponent) + "/" + name
        guard isInside(resolved, folder: source), resolved != source, name != ".." else {
            throw IntuneWinError.usage(setup, "setup file should be in folder \(source)")
        }
        guard !isDirectory.boolValue else { throw IntuneWinError.usage(setup, "setup file is a folder") }
        return resolved.dropFirst(source.count).split(separator: "/").map(String.init)
    }

    /// `path` found component by component ignoring letter case, below `source` only; nil when some
    /// component matches nothing. Two matches for one component is a usage error naming them.
    private static func matchIgnoringCase(_ path: String, within source: String, given: String) throws -> String? {
        let standardized = URL(fileURLWithPath: path).standardizedFileURL.path
        let sourcePrefix = source.hasSuffix("/") ? source : source + "/"
        guard standardized.hasPrefix(sourcePrefix) else { return nil }
        var current = source
        for part in standardized.dropFirst(sourcePrefix.count).split(separator: "/").map(String.init) {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: current)) ?? []
            if names.contains(part) { current += "/" + part; continue }
            let matches = names.filter { $0.caseInsensitiveCompare(part) == .orderedSame }.sorted()
            guard !matches.isEmpty else { return nil }
            guard matches.count == 1 else {
                throw IntuneWinError.usage(given, "setup file is ambiguous when letter case is ignored: \(matches.joined(separator: ", "))")
            }
            current += "/" + matches[0]
        }
        return current
    }

    /// Up to three file names in the source that are close to `name` (edit distance at most 2, or the
    /// same name with another extension), for "did you mean".
    static func nearNames(for name: String, in source: String) -> [String] {
        guard let entries = FileManager.default.enumerator(atPath: source) else { return [] }
        let wanted = name.lowercased(), wantedBase = (wanted as NSString).deletingPathExtension
        var scored: [(Int, String)] = []
        var seen = 0
        while let relative = entries.nextObject() as? String, seen < 10_000 {
            seen += 1
            let candidate = (relative as NSString).lastPathComponent.lowercased()
            let distance = editDistance(Array(wanted.utf8), Array(candidate.utf8), limit: 2)
            if distance <= 2 || (candidate as NSString).deletingPathExtension == wantedBase {
                scored.append((distance, relative))
            }
        }
        return scored.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.prefix(3).map(\.1)
    }

    /// Levenshtein distance between `a` and `b`, stopping early at anything above `limit` (for "did you
    /// mean": the library's near setup names and the tool's near commands and options).
    public static func editDistance(_ a: [UInt8], _ b: [UInt8], limit: Int) -> Int {
        guard abs(a.count - b.count) <= limit else { return limit + 1 }
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var row = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, y) in b.enumerated() {
                row[j + 1] = min(previous[j + 1] + 1, row[j] + 1, previous[j] + (x == y ? 0 : 1))
            }
            guard row.min()! <= limit else { return limit + 1 }
            previous = row
        }
        return previous[b.count]
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
