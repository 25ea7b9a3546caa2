#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
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
    /// The output folder's path below the source, when it is inside it (left out of the package).
    let outputFolderLeftOut: String?
    let msi: MsiInfo?
    let findings: [LintFinding]

    init(_ request: PackRequest) throws {
        // `\` separates folders in every path argument, as on Windows; a drive path is refused.
        let output = try PathArgument.local(request.output, what: "output")
        let catalog = try request.catalogFolder.map { try PathArgument.local($0, what: "catalog folder") }
        let selection = try SourceSelection(sourceFolder: request.sourceFolder, setupFile: request.setupFile, excludes: request.excludes,
                                            followingLinksOutside: request.followsLinksOutside, output: output)
        source = selection.source
        setupComponents = selection.setupComponents
        (outputFolder, outputFile) = PackagePaths.resolveOutput(output, setupName: selection.setupName)
        outputFolderLeftOut = selection.outputFolderLeftOut
        var outputIsFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: outputFile, isDirectory: &outputIsFolder) {
            // Found now, not after all the packing: a folder is never replaced, a file only when asked.
            guard !outputIsFolder.boolValue else {
                throw IntuneWinError.cannotWrite(outputFile, "is a folder: give the folder to write into, or another file name")
            }
            guard request.overwrite else { throw IntuneWinError.cannotWrite(outputFile, "already exists", remedy: .allowOverwrite) }
        }
        excluded = selection.excluded
        var entries = selection.kept
        if let catalog {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: catalog, isDirectory: &isDirectory) else { throw IntuneWinError.noSuchPath(catalog) }
            guard isDirectory.boolValue else {
                throw IntuneWinError.usage(catalog, "catalog folder is not a folder")
            }
            let topLevel = try FileManager.default.contentsOfDirectory(atPath: source)
            entries = try CatalogFolder.entries(catalog: catalog, sourceTopLevelNames: topLevel,
                                                followingLinksOutside: request.followsLinksOutside) + entries
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

    /// The most the output folder may have to hold: the package (deflate can only grow incompressible
    /// data by a few bytes per 16 KiB block, plus headers) and, while packing, the spool of the largest
    /// file; in nested-zip mode payload.zip as well. Refuses before any work when the disk has less.
    func checkFreeSpace(nested: Bool) throws {
        let files = entries.filter { if case .file = $0.kind { return true } else { return false } }
        let largest = files.map { entry -> UInt64 in if case .file(let size) = entry.kind { return size } else { return 0 } }.max() ?? 0
        let package = sourceBytes + sourceBytes / 1024 + UInt64(entries.count) * 256 + (1 << 20)
        let needed = package * (nested ? 2 : 1) + largest
        guard let available = SizeLimits.availableBytes(near: outputFolder), needed > available else { return }
        throw IntuneWinError.cannotWrite(outputFolder, "the package may need up to \(needed) bytes here (\(sourceBytes) bytes of source, uncompressed), \(available) available", remedy: .liftSizeLimits)
    }

    /// Creates the output folder and any missing parents; returns the folders created (outermost first),
    /// registered for removal if the pack is interrupted (they go again on failure, when still empty).
    func createOutputFolder() throws -> [String] {
        var missing: [String] = []
        var folder = outputFolder
        var isDirectory: ObjCBool = false
        while !FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), folder != "/" {
            missing.insert(folder, at: 0)
            folder = (folder as NSString).deletingLastPathComponent
        }
        guard isDirectory.boolValue else {
            throw IntuneWinError.cannotWrite(outputFolder, "cannot create the output folder: \(folder) is a file")
        }
        for path in missing {
            guard mkdir(path, 0o777) == 0 || errno == EEXIST else {
                let reason = SystemCall.lastError
                CleanupRegistry.removeCreatedFolders(missing)
                throw IntuneWinError.cannotWrite(path, "cannot create the output folder: \(reason)")
            }
            CleanupRegistry.register(path, kind: .createdFolder)
        }
        return missing
    }
}
