import Foundation

/// What a nested-zip package carries as its launcher, as `info` reports it: which launcher, its SHA-256,
/// whether it is the one this tool embeds (so a user can tell a package made by another version, or
/// a launcher replaced by hand), and the settings it runs with.
public struct LauncherInspection: Sendable, Equatable {
    /// The launcher's kind.
    public var kind: LauncherKind
    /// Its entry name in the inner zip (`install.exe` or `install.ps1`).
    public var file: String
    /// SHA-256 of the launcher entry, lowercase hex.
    public var sha256: String
    /// True when the entry is byte for byte this tool's embedded `install.exe` (always false for a script,
    /// whose bytes hold the package's own settings).
    public var isThisToolsLauncher: Bool
    /// The settings the launcher reads (`launcher.ini`, or the script's data block); nil when they cannot
    /// be read, and then `settingsProblem` says why.
    public var settings: LauncherSettings? = nil
    /// Why `settings` is nil (no `launcher.ini`, a line not understood, …).
    public var settingsProblem: String? = nil

    /// Largest launcher entry read (the native one is ~130 KiB).
    static let sizeLimit: UInt64 = 16 << 20

    /// The launcher of `package`, or nil when the package is not in the nested-zip layout (its SetupFile
    /// a launcher beside `payload.zip`). Decrypts only the launcher entries.
    public static func inspect(_ package: IntuneWinPackage) throws -> LauncherInspection? {
        try inspect(package.innerZip(), setupFile: package.detection.setupFile, path: package.path)
    }

    /// The launcher in `zip`, the inner zip of a package whose SetupFile is `setupFile`.
    static func inspect(_ zip: ZipReader, setupFile setup: String, path: String) throws -> LauncherInspection? {
        let kind: LauncherKind
        switch setup.lowercased() {
        case NativeLauncher.executableName: kind = .native
        case LauncherScript.fileName: kind = .powershell
        default: return nil
        }
        guard zip.entries.contains(where: { $0.name.lowercased() == NestedStaging.payloadName }),
              let entry = zip.entries.first(where: { $0.name.lowercased() == setup.lowercased() }) else { return nil }
        let launcher = try read(entry, in: zip, path: path)
        let digest = SHA256.hash(launcher).map { String(format: "%02x", Int($0)) }.joined()
        var inspection = LauncherInspection(kind: kind, file: entry.name, sha256: digest,
                                            isThisToolsLauncher: kind == .native && digest == NativeLauncher.sha256)
        do {
            switch kind {
            case .powershell:
                inspection.settings = try LauncherSettingsReader.script(launcher, path: path)
            case .native:
                guard let ini = zip.entries.first(where: { $0.name.lowercased() == NativeLauncher.settingsName }) else {
                    throw IntuneWinError.badInput(path, "no \(NativeLauncher.settingsName) beside \(entry.name)")
                }
                inspection.settings = try LauncherSettingsReader.ini(try read(ini, in: zip, path: path), path: path)
            }
        } catch let error as IntuneWinError where error.kind == .badInput {
            inspection.settingsProblem = error.reason
        }
        return inspection
    }

    /// The bytes of a small entry (a launcher or its settings), refusing one over `sizeLimit`.
    private static func read(_ entry: ZipEntry, in zip: ZipReader, path: String) throws -> [UInt8] {
        guard entry.uncompressedSize <= sizeLimit else {
            throw IntuneWinError.badInput(path, "\(entry.name) is \(entry.uncompressedSize) bytes: too large for a launcher")
        }
        var bytes: [UInt8] = []
        try zip.extract(entry) { bytes.append(contentsOf: $0) }
        return bytes
    }
}
