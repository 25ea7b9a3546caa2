import Foundation

/// Everything `pack` decides before writing a byte: resolved paths, the ordered entries (catalog first,
/// excludes applied), MSI metadata, and lint findings. Building it fails fast on bad arguments.
struct PackPlan {
    let source: String
    let setupComponents: [String]
    var setupName: String { setupComponents.last! }
    let outputFolder: String
    let outputFile: String
    /// Entries in the order the inner zip gets them.
    let entries: [SourceEntry]
    let excluded: [String]
    let msi: MsiInfo?
    let findings: [LintFinding]

    init(_ request: PackRequest) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: request.sourceFolder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw IntuneWinError.usage(request.sourceFolder, "source folder does not exist or is not a folder")
        }
        source = PackagePaths.canonical(request.sourceFolder)
        let setupComponents = try PackagePaths.resolveSetup(request.setupFile, source: source)
        self.setupComponents = setupComponents
        let setupName = setupComponents.last!
        (outputFolder, outputFile) = PackagePaths.resolveOutput(request.output, setupName: setupName)
        guard !PackagePaths.isInside(outputFile, folder: source) else {
            throw IntuneWinError.usage(outputFile, "output must not be inside the source folder \(source)")
        }
        if fm.fileExists(atPath: outputFile) && !request.overwrite {
            throw IntuneWinError.cannotWrite(outputFile, "already exists", remedy: .allowOverwrite)
        }
        let rules = try ExcludeRules(patterns: request.excludes, source: source)
        let (kept, left) = rules.apply(to: try SourceTree.scan(root: source))
        guard kept.contains(where: { $0.components == setupComponents }) else {
            throw IntuneWinError.usage(request.setupFile, "the setup file is excluded (by an exclude pattern or \(ExcludeRules.ignoreFileName))")
        }
        excluded = left.map { $0.components.joined(separator: "/") }
        var entries = kept
        if let catalog = request.catalogFolder {
            guard fm.fileExists(atPath: catalog, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw IntuneWinError.usage(catalog, "catalog folder does not exist or is not a folder")
            }
            let topLevel = try fm.contentsOfDirectory(atPath: source)
            entries = try CatalogFolder.entries(catalog: catalog, sourceTopLevelNames: topLevel) + entries
        }
        self.entries = entries

        // An .msi setup file (extension only, as Microsoft decides) gives Name and MsiInfo; its source
        // check (external cabinets, …) is the linter's msi-needs-source rule.
        if (setupName as NSString).pathExtension.lowercased() == "msi" {
            let setupPath = source + "/" + setupComponents.joined(separator: "/")
            msi = try MsiInfo(database: try MSIDatabase(path: setupPath), fileName: setupName)
        } else {
            msi = nil
        }
        findings = try Linter.lint(source: source, setupComponents: setupComponents, entries: kept, outputFile: outputFile)
    }

    func createOutputFolder() throws {
        guard !FileManager.default.fileExists(atPath: outputFolder) else { return }
        do { try FileManager.default.createDirectory(atPath: outputFolder, withIntermediateDirectories: true) } catch {
            throw IntuneWinError.cannotWrite(outputFolder, "cannot create output folder: \(error.localizedDescription)")
        }
    }
}
