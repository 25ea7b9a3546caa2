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
    /// Relative paths ("/") the excludes (and the output folder) left out.
    let excluded: [String]
    /// The output folder's path below the source ("/"), when pack writes into a folder inside it: the
    /// folder and everything in it are left out of the package, as Microsoft's tool does.
    let outputFolderLeftOut: String?
    /// `--exclude` patterns (not the ignore file's) that matched nothing, as given.
    let unmatchedExcludes: [String]
    /// Entries the scan could not pack (broken links, links leaving the source, FIFOs, unreadable
    /// files), when `collectingProblems` was set; otherwise the scan stops at the first.
    let problems: [IntuneWinError]
    /// The setup's database, when the setup file is an `.msi` (by extension, as Microsoft decides).
    let msiDatabase: MSIDatabase?

    /// Throws the usage errors pack gives (setup outside the source or excluded, a bad pattern, the output
    /// folder being the source itself), and bad-input errors for a source that does not exist or an
    /// unreadable source or MSI.
    /// Symbolic links that leave the source folder are refused unless `followingLinksOutside` is set; the
    /// setup file is one of the entries, so the same rule holds for it.
    /// `output` is pack's `-o` (`\\` already turned into `/`): a folder inside the source is left out of the
    /// package; the source folder itself is refused.
    /// With `collectingProblems` (lint), entries that cannot be packed are gathered in `problems` instead
    /// of ending the scan.
    init(sourceFolder: String, setupFile: String, excludes: [String], followingLinksOutside: Bool = false,
         output: String? = nil, collectingProblems: Bool = false) throws {
        let sourceFolder = try PathArgument.local(sourceFolder, what: "source folder")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: sourceFolder, isDirectory: &isDirectory) else { throw IntuneWinError.noSuchPath(sourceFolder) }
        guard isDirectory.boolValue else {
            throw IntuneWinError.usage(sourceFolder, "source folder is not a folder")
        }
        source = PackagePaths.canonical(sourceFolder)
        _ = try PathArgument.local(setupFile, what: "setup file")  // a drive or network path names nothing here
        setupComponents = try PackagePaths.resolveSetup(setupFile, source: source)
        var outputComponents: [String]? = nil
        // The output folder does not depend on the setup's name: known before the scan, which leaves it out.
        if let output, case let outputFolder = PackagePaths.resolveOutput(output, setupName: "setup").folder,
           PackagePaths.isInside(outputFolder, folder: source) {
            guard outputFolder != source else {
                throw IntuneWinError.usage(output, "output would be written into the source folder \(source) itself (and packed next time)",
                                           remedy: .outputOutsideSource)
            }
            outputComponents = outputFolder.dropFirst(source.count).split(separator: "/").map(String.init)
        }
        let inOutput: ([String]) -> Bool = { components in
            guard let outputComponents, components.count >= outputComponents.count else { return false }
            return Array(components.prefix(outputComponents.count)) == outputComponents
        }
        outputFolderLeftOut = outputComponents?.joined(separator: "/")
        if inOutput(setupComponents) {
            throw IntuneWinError.usage(setupFile, "the setup file is in the output folder \(outputFolderLeftOut!), which is left out of the package")
        }
        let rules = try ExcludeRules(patterns: excludes, source: source)
        if rules.isExcluded(setupComponents) || setupComponents == [ExcludeRules.ignoreFileName] {
            throw IntuneWinError.usage(setupFile, "the setup file is excluded (by an exclude pattern or \(ExcludeRules.ignoreFileName))")
        }
        var problems: [IntuneWinError] = []
        let scanned = try SourceTree.scan(root: source, skipping: { rules.isExcluded($0) || inOutput($0) },
                                          followingLinksOutside: followingLinksOutside,
                                          problems: collectingProblems ? { problems.append($0) } : nil)
        self.problems = problems
        unmatchedExcludes = rules.unmatchedCommandLinePatterns(in: scanned)
        kept = rules.apply(to: outputComponents == nil ? scanned : scanned.filter { !inOutput($0.components) }).kept
        // Everything else, in scan order (kept is a subsequence of scanned).
        var left: [String] = [], next = kept.startIndex
        for entry in scanned {
            if next < kept.endIndex, kept[next].components == entry.components { next += 1; continue }
            left.append(entry.components.joined(separator: "/"))
        }
        excluded = left
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
