#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The nested-zip mode's staging: the source folder goes into `payload.zip` (same rules as the inner
/// zip), beside a launcher that expands it to a folder IME does not clean and runs the real setup from
/// there, so chained installers and MSI repair keep their files (docs/IME.md §6.3): the native
/// `install.exe` with its `launcher.ini` (default), or a generated `install.ps1`. `Packager` then packs
/// the staged entries; the package's SetupFile is the launcher, the output still named after the
/// original setup file. The staging folder sits beside the output and is removed by `remove()` (and on
/// SIGINT/SIGTERM).
struct NestedStaging {
    static let payloadName = "payload.zip"

    /// The staged files (launcher, settings, payload), as `Packager` packs them.
    let entries: [SourceEntry]
    /// The launcher's file name: the package's Name and SetupFile.
    let launcherName: String
    /// What the launcher does and the commands to give Intune.
    let result: NestedResult
    /// Bytes of the source files that went into the payload.
    let sourceBytes: UInt64
    private let folder: String

    /// Removes the staging folder.
    func remove() {
        try? FileManager.default.removeItem(atPath: folder)
        CleanupRegistry.unregister(folder)
    }

    /// Writes payload.zip (reporting progress over the source bytes) and the launcher into a staging folder.
    init(_ plan: PackPlan, options: NestedOptions, request: PackRequest, progress: ((UInt64) -> Void)?) throws {
        // Checked before anything is written.
        if let name = options.name { try LauncherSettings.validateName(name) }
        guard LauncherSettings.timeoutRange.contains(options.timeoutMinutes) else {
            throw IntuneWinError.usage("", "the launcher timeout must be \(LauncherSettings.timeoutRange.lowerBound) to \(LauncherSettings.timeoutRange.upperBound) minutes, not \(options.timeoutMinutes)")
        }
        // Staging folder beside the output: payload.zip and install.ps1, removed whatever happens.
        let name = (plan.outputFile as NSString).lastPathComponent
        guard let staging = StagingName.makeFolder(in: plan.outputFolder, prefix: "." + name + ".nested-") else {
            throw IntuneWinError.cannotWrite(plan.outputFolder, "cannot create a staging folder: \(SystemCall.lastError)")
        }
        CleanupRegistry.register(staging, isDirectory: true)
        folder = staging
        var complete = false
        defer { if !complete { try? FileManager.default.removeItem(atPath: staging); CleanupRegistry.unregister(staging) } }

        // 1. payload.zip, hashed while written.
        let payloadPath = staging + "/" + Self.payloadName
        let payload = try AtomicOutputFile(finalPath: payloadPath)
        let sha = SHA256()
        let total = plan.entries.fileBytes
        let builder = InnerZipBuilder(options: request.compression,
                                      packingTime: DOSDateTime(unixTime: Int64(Date().timeIntervalSince1970)),
                                      spoolFolder: staging,
                                      progress: { n in progress?(n) },
                                      sink: { chunk in sha.update(chunk); try payload.write(chunk) })
        try builder.add(plan.entries)
        try builder.finish()
        try payload.commit(replace: false)
        let digest = sha.finalize().map { String(format: "%02x", Int($0)) }.joined()

        // 2. The launcher, with everything it needs fixed at pack time.
        let appName = options.name ?? NestedOptions.defaultName(output: request.output, source: plan.source,
                                                                 setupName: plan.setupName, msiName: plan.msi?.name)
        var settings = LauncherSettings(
            appName: appName, payloadFileName: Self.payloadName, payloadSHA256: digest,
            extractTo: options.extractTo ?? LauncherSettings.defaultExtractTo(appName: appName, payloadSHA256: digest),
            setupFile: plan.setupComponents.joined(separator: "\\"), setupArguments: options.setupArguments,
            uninstallCommand: options.uninstallCommand, uninstallArguments: options.uninstallArguments,
            timeoutMinutes: options.timeoutMinutes)
        settings.timeoutSecondsForTesting = options.timeoutSecondsForTesting
        let launcherName: String, launcherBytes: [UInt8], installCommand: String, uninstallCommand: String
        switch options.launcher {
        case .native:
            launcherName = NativeLauncher.executableName
            launcherBytes = NativeLauncher.executable()
            installCommand = NativeLauncher.installCommand
            uninstallCommand = NativeLauncher.uninstallCommand
            try Self.writeStaged(staging + "/" + NativeLauncher.settingsName, NativeLauncher.settingsFile(settings))
        case .powershell:
            launcherName = LauncherScript.fileName
            launcherBytes = LauncherScript.fileBytes(settings)
            installCommand = LauncherScript.installCommand
            uninstallCommand = LauncherScript.uninstallCommand
        }
        try Self.writeStaged(staging + "/" + launcherName, launcherBytes)

        // 3. What the package holds: launcher and payload, in Microsoft's order.
        entries = try SourceTree.scan(root: staging)
        self.launcherName = launcherName
        sourceBytes = total
        let hint: String
        if let msi = plan.msi {
            hint = "MSI product code \(msi.productCode) (version \(msi.productVersion)): use an MSI detection rule"
        } else {
            hint = "detect what the setup installs (a file, registry value or MSI product code), not the extracted folder: " +
                "\(settings.extractTo)\\.intunewin-payload only proves the payload was expanded"
        }
        let launcherDigest = SHA256.hash(launcherBytes).map { String(format: "%02x", Int($0)) }.joined()
        result = NestedResult(kind: options.launcher, launcherFile: launcherName, launcherSHA256: launcherDigest,
                              launcher: settings, installCommand: installCommand,
                              uninstallCommand: uninstallCommand, detectionHint: hint)
        complete = true
    }

    /// Writes one small file of the staging folder, complete or not at all.
    private static func writeStaged(_ path: String, _ bytes: [UInt8]) throws {
        let file = try AtomicOutputFile(finalPath: path)
        try file.write(bytes)
        try file.commit(replace: false)
    }
}
