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
        let selection = try SourceSelection(sourceFolder: request.sourceFolder, setupFile: request.setupFile, excludes: request.excludes)
        source = selection.source
        setupComponents = selection.setupComponents
        (outputFolder, outputFile) = PackagePaths.resolveOutput(request.output, setupName: selection.setupName)
        guard !PackagePaths.isInside(outputFile, folder: source) else {
            throw IntuneWinError.usage(outputFile, "output must not be inside the source folder \(source)")
        }
        if FileManager.default.fileExists(atPath: outputFile) && !request.overwrite {
            throw IntuneWinError.cannotWrite(outputFile, "already exists", remedy: .allowOverwrite)
        }
        excluded = selection.excluded
        var entries = selection.kept
        if let catalog = request.catalogFolder {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: catalog, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw IntuneWinError.usage(catalog, "catalog folder does not exist or is not a folder")
            }
            let topLevel = try FileManager.default.contentsOfDirectory(atPath: source)
            entries = try CatalogFolder.entries(catalog: catalog, sourceTopLevelNames: topLevel) + entries
        }
        self.entries = entries
        // An .msi setup gives Name and MsiInfo; its source check (external cabinets, …) is the linter's
        // msi-needs-source rule, from the same database.
        msi = try selection.msiDatabase.map { try MsiInfo(database: $0, fileName: selection.setupName) }
        var findings = try selection.lint(outputFile: outputFile)
        // The nested-zip mode is what chained installers and MSIs that need their source are told to use:
        // packed that way, those findings are answered.
        if request.nested != nil { findings.removeAll { $0.remedy == .packNested } }
        self.findings = findings
    }

    /// Bytes of the files to pack.
    var sourceBytes: UInt64 { entries.fileBytes }

    func createOutputFolder() throws {
        guard !FileManager.default.fileExists(atPath: outputFolder) else { return }
        do { try FileManager.default.createDirectory(atPath: outputFolder, withIntermediateDirectories: true) } catch {
            throw IntuneWinError.cannotWrite(outputFolder, "cannot create output folder: \(error.localizedDescription)")
        }
    }
}
