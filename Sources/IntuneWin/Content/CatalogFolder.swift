/// Windows 10 S mode catalog files (`-a`): Microsoft's tool puts them in a folder of the inner zip named
/// `Cat_C029B285-222F-460B-8ECA-2CD7A8A424B7` (with `_N` when the source already uses that name), the
/// catalog's files first, then an entry for the folder itself, then the source content (FORMAT.md §9.3).
/// Detection.xml is unchanged. Its bugs are not copied: relative paths and trailing separators work, and
/// the index never collides with a name the source already holds.
public enum CatalogFolder {
    /// The folder name Microsoft's tool uses (`_N` is appended when the source already has it).
    public static let prefix = "Cat_C029B285-222F-460B-8ECA-2CD7A8A424B7"

    /// The folder name to use given the source folder's top-level names: the prefix alone when unused,
    /// else the prefix + `_N` with N one more than the largest index in use (the prefix alone is index 0).
    /// Names that start with the prefix but do not end in `_<integer>` are not indexes and are skipped.
    public static func folderName(topLevelNames: [String]) -> String {
        var largest: Int? = nil
        let upperPrefix = prefix.uppercased()
        for name in topLevelNames {
            let upper = name.uppercased()
            guard upper.hasPrefix(upperPrefix) else { continue }
            let rest = upper.dropFirst(upperPrefix.count)
            let index: Int?
            if rest.isEmpty { index = 0 }
            else if rest.first == "_", let n = Int(rest.dropFirst()), n >= 0, String(n) == String(rest.dropFirst()) { index = n }
            else { index = nil }
            if let index { largest = max(largest ?? index, index) }
        }
        guard let largest else { return prefix }
        return prefix + "_" + String(largest + 1)
    }

    /// The entries the catalog contributes, in Microsoft's order: its files (sub-folders kept) under the
    /// catalog folder name, then the folder entry itself. Symbolic links leaving the catalog folder follow
    /// the source folder's rule (`followingLinksOutside`).
    public static func entries(catalog: String, sourceTopLevelNames: [String],
                               followingLinksOutside: Bool = false) throws -> [SourceEntry] {
        let name = folderName(topLevelNames: sourceTopLevelNames)
        let files = try SourceTree.scan(root: catalog, followingLinksOutside: followingLinksOutside).map {
            SourceEntry(kind: $0.kind, components: [name] + $0.components, path: $0.path, modificationTime: $0.modificationTime)
        }
        let folder = SourceEntry(kind: .emptyFolder, components: [name], path: PackagePaths.canonical(catalog), modificationTime: 0)
        return files + [folder]
    }
}
