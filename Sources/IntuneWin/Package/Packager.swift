import Foundation

/// What to pack, and how. Mirrors IntuneWinAppUtil.exe's `-c -s -o -q`.
public struct PackRequest: Sendable {
    /// `-c`: the folder whose whole content goes into the package.
    public var sourceFolder: String
    /// `-s`: the setup file, relative to `sourceFolder` or a path inside it.
    public var setupFile: String
    /// `-o`: an output folder (file named after the setup file) or a path ending in `.intunewin`.
    public var output: String
    /// Replace an existing output file (`-q`/`--force`); otherwise an existing file is an error.
    public var overwrite: Bool = false
    /// Reuse these keys and IV instead of fresh random ones. For reproducible builds and tests only:
    /// anyone holding the other package's Detection.xml can then decrypt this one.
    public var keys: EncryptionKeys? = nil
    /// Written as Detection.xml's ToolVersion: the newest Microsoft tool whose output we match.
    public var toolVersion: String = Packager.toolVersion
    /// Deflate level for the inner zip; 1 is what Microsoft's tool uses.
    public var compressionLevel: Int32 = 1

    public init(sourceFolder: String, setupFile: String, output: String) {
        self.sourceFolder = sourceFolder
        self.setupFile = setupFile
        self.output = output
    }
}

/// What `pack` made.
public struct PackResult: Sendable {
    public var outputPath: String
    public var detection: DetectionXML
    public var entryCount: Int
    /// Sum of the source files' sizes.
    public var sourceBytes: UInt64
    /// Size of the `.intunewin` written.
    public var packageSize: UInt64
    /// Size of the encrypted content (what Intune calls sizeEncrypted).
    public var encryptedSize: UInt64
    /// Things the user should know about the content (an MSI that needs its source after installation, …).
    public var warnings: [String] = []
}

/// Builds a `.intunewin` in one streaming pass: source files → deflate → inner zip → SHA-256 and
/// AES-256-CBC → HMAC → outer zip, written to a temporary file renamed into place only when complete.
public enum Packager {
    /// The ToolVersion we write (Microsoft's IntuneWinAppUtil 1.8.7, whose layout we reproduce).
    public static let toolVersion = "1.8.7.0"

    /// Packs `request`. `progress` receives (source bytes done, total source bytes).
    public static func pack(_ request: PackRequest, progress: ((UInt64, UInt64) -> Void)? = nil) throws -> PackResult {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: request.sourceFolder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw IntuneWinError.usage(request.sourceFolder, "source folder does not exist or is not a folder")
        }
        let source = PackagePaths.canonical(request.sourceFolder)
        let setupComponents = try PackagePaths.resolveSetup(request.setupFile, source: source)
        let setupName = setupComponents.last!
        let (outFolder, outFile) = PackagePaths.resolveOutput(request.output, setupName: setupName)
        guard !PackagePaths.isInside(outFile, folder: source) else {
            throw IntuneWinError.usage(outFile, "output must not be inside the source folder \(source)")
        }
        if fm.fileExists(atPath: outFile) && !request.overwrite {
            throw IntuneWinError.cannotWrite(outFile, "already exists (use -q or --force to overwrite)")
        }
        let plan = try SourceTree.scan(root: source)
        // An .msi setup file (extension only, as Microsoft decides) gives Name and MsiInfo.
        var msi: MsiInfo? = nil
        var warnings: [String] = []
        if (setupName as NSString).pathExtension.lowercased() == "msi" {
            let setupPath = source + "/" + setupComponents.joined(separator: "/")
            let database = try MSIDatabase(path: setupPath)
            msi = try MsiInfo(database: database, fileName: setupName)
            let resiliency = try SourceResiliency(database: database, folder: (setupPath as NSString).deletingLastPathComponent)
            warnings += resiliency.findings.map {
                "\(setupName) needs its source after installation: \($0). IME deletes IMECache after the install, so repair, self-heal and uninstall can fail; consider the nested-zip mode"
            }
        }
        if !fm.fileExists(atPath: outFolder) {
            do { try fm.createDirectory(atPath: outFolder, withIntermediateDirectories: true) } catch {
                throw IntuneWinError.cannotWrite(outFolder, "cannot create output folder: \(error.localizedDescription)")
            }
        }

        var result = try write(plan: plan, name: msi?.name ?? setupName, setupFile: setupComponents.joined(separator: "\\"),
                               msiInfo: msi?.fields, to: outFile, request: request, progress: progress)
        result.warnings = warnings
        return result
    }

    /// Writes a package holding `plan` (already in order) to `outFile`. Separate from `pack` so tests can
    /// write packages with entries no real folder produces (hostile names).
    static func write(plan: [SourceEntry], name: String, setupFile: String, msiInfo: [MsiInfoField]? = nil, to outFile: String,
                      request: PackRequest, progress: ((UInt64, UInt64) -> Void)? = nil) throws -> PackResult {
        let totalBytes = plan.reduce(UInt64(0)) { sum, e in
            if case .file(let size) = e.kind { return sum + size } else { return sum }
        }
        let keys = request.keys ?? .random()
        let now = DOSDateTime(unixTime: Int64(Date().timeIntervalSince1970))

        let file = try AtomicOutputFile(finalPath: outFile)
        var outer = OuterZipWriter()
        try outer.beginEntry(name: PackagePaths.contentFolder + PackagePaths.contentFileName, time: now, to: file)
        let contentStart = file.offset
        let encryptor = try ContentEncryptor(keys: keys, output: file)
        var done: UInt64 = 0
        let inner = InnerZipBuilder(compressionLevel: request.compressionLevel, packingTime: now,
                                    progress: { n in done += n; progress?(done, totalBytes) },
                                    sink: { try encryptor.write($0) })
        for entry in plan { try inner.add(entry) }
        try inner.finish()
        let sealed = try encryptor.finish()
        precondition(file.offset - contentStart == sealed.encryptedSize)
        try outer.endEntry(size: sealed.encryptedSize, crc: sealed.crc32, in: file)

        let detection = DetectionXML(
            toolVersion: request.toolVersion,
            name: name,
            unencryptedContentSize: sealed.plainSize,
            fileName: PackagePaths.contentFileName,
            setupFile: setupFile,
            encryptionInfo: EncryptionInfo(
                encryptionKey: keys.encryptionKey, macKey: keys.macKey, initializationVector: keys.initializationVector,
                mac: sealed.mac, profileIdentifier: "ProfileVersion1", fileDigest: sealed.fileDigest,
                fileDigestAlgorithm: "SHA256"),
            msiInfo: msiInfo)
        try outer.addEntry(name: PackagePaths.detectionEntry, time: now, bytes: detection.serialized(), to: file)
        try outer.finish(to: file)
        let packageSize = file.offset
        try file.commit(replace: request.overwrite)
        return PackResult(outputPath: outFile, detection: detection, entryCount: inner.entryCount,
                          sourceBytes: totalBytes, packageSize: packageSize, encryptedSize: sealed.encryptedSize)
    }
}
