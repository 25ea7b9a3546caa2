import Foundation

/// What `pack` and `lint` read from a source folder, decided once with pack's rules: the canonical
/// source, the setup file below it, the exclude rules (with `.intunewinignore`), the entries kept and
/// those left out, and the setup's MSI database when the setup is an `.msi` (read once, used for
/// MsiInfo and for the source-resiliency lint).
struct SourceSelection {
    let source: String
    let setupComponents: [String]
    var setupName: String { setupComponents.last! }
    /// Entries to pack, in scan order, excludes applied.
    let kept: [SourceEntry]
    /// Relative paths ("/") the excludes left out.
    let excluded: [String]
    /// The setup's database, when the setup file is an `.msi` (by extension, as Microsoft decides).
    let msiDatabase: MSIDatabase?

    /// Throws the usage errors pack gives (setup outside the source or excluded, a bad pattern), and
    /// bad-input errors for a source that does not exist or an unreadable source or MSI.
    /// Symbolic links that leave the source folder are refused unless `followingLinksOutside` is set; the
    /// setup file is one of the entries, so the same rule holds for it.
    init(sourceFolder: String, setupFile: String, excludes: [String], followingLinksOutside: Bool = false) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: sourceFolder, isDirectory: &isDirectory) else { throw IntuneWinError.noSuchPath(sourceFolder) }
        guard isDirectory.boolValue else {
            throw IntuneWinError.usage(sourceFolder, "source folder is not a folder")
        }
        source = PackagePaths.canonical(sourceFolder)
        setupComponents = try PackagePaths.resolveSetup(setupFile, source: source)
        let rules = try ExcludeRules(patterns: excludes, source: source)
        if rules.isExcluded(setupComponents) || setupComponents == [ExcludeRules.ignoreFileName] {
            throw IntuneWinError.usage(setupFile, "the setup file is excluded (by an exclude pattern or \(ExcludeRules.ignoreFileName))")
        }
        let (kept, left) = rules.apply(to: try SourceTree.scan(root: source, skipping: { rules.isExcluded($0) },
                                                              followingLinksOutside: followingLinksOutside))
        self.kept = kept
        excluded = left.map { $0.components.joined(separator: "/") }
        if (setupComponents.last! as NSString).pathExtension.lowercased() == "msi" {
            msiDatabase = try MSIDatabase(path: (source.hasSuffix("/") ? source : source + "/") + setupComponents.joined(separator: "/"))
        } else {
            msiDatabase = nil
        }
    }

    /// The setup file's full path.
    var setupPath: String { (source.hasSuffix("/") ? source : source + "/") + setupComponents.joined(separator: "/") }

    /// The lint findings for what would be packed; `outputFile` is the planned output, nil if unknown.
    func lint(outputFile: String?) throws -> [LintFinding] {
        try Linter.lint(self, outputFile: outputFile)
    }
}
