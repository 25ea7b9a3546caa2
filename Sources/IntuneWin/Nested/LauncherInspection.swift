import Foundation

/// What a nested-zip package carries as its launcher, as `info` reports it: which launcher, its SHA-256,
/// and whether it is the one this tool embeds (so a user can tell a package made by another version, or
/// a launcher replaced by hand).
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

    /// Largest launcher entry read (the native one is ~130 KiB).
    static let sizeLimit: UInt64 = 16 << 20

    /// The launcher of `package`, or nil when the package is not in the nested-zip layout (its SetupFile
    /// a launcher beside `payload.zip`). Decrypts only the launcher entry.
    public static func inspect(_ package: IntuneWinPackage) throws -> LauncherInspection? {
        let setup = package.detection.setupFile
        let kind: LauncherKind
        switch setup.lowercased() {
        case NativeLauncher.executableName: kind = .native
        case LauncherScript.fileName: kind = .powershell
        default: return nil
        }
        let zip = try package.innerZip()
        guard zip.entries.contains(where: { $0.name.lowercased() == NestedStaging.payloadName }),
              let entry = zip.entries.first(where: { $0.name.lowercased() == setup.lowercased() }) else { return nil }
        guard entry.uncompressedSize <= sizeLimit else {
            throw IntuneWinError.badInput(package.path, "\(entry.name) is \(entry.uncompressedSize) bytes: too large for a launcher")
        }
        let sha = SHA256()
        try zip.extract(entry) { sha.update($0) }
        let digest = sha.finalize().map { String(format: "%02x", Int($0)) }.joined()
        return LauncherInspection(kind: kind, file: entry.name, sha256: digest,
                                  isThisToolsLauncher: kind == .native && digest == NativeLauncher.sha256)
    }
}
