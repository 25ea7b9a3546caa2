import Foundation

/// What the nested-zip mode produced.
public struct NestedResult: Sendable {
    /// Which launcher the package holds.
    public var kind: LauncherKind
    /// The launcher's file name in the package (`install.exe` or `install.ps1`), the package's SetupFile.
    public var launcherFile: String
    /// SHA-256 of the launcher file in the package, lowercase hex.
    public var launcherSHA256: String
    /// The values the launcher reads (`launcher.ini`, or the script's data block).
    public var launcher: LauncherSettings
    /// The install command to paste into Intune.
    public var installCommand: String
    /// The uninstall command to paste into Intune.
    public var uninstallCommand: String
    /// A detection-rule suggestion for Intune.
    public var detectionHint: String

    /// The maximum run time to set for the app in Intune, in minutes: the launcher's timeout plus a margin
    /// (see `LauncherSettings.maximumRunTime(forTimeout:)`), so IME does not end the launcher first.
    public var maximumRunTimeMinutes: Int { LauncherSettings.maximumRunTime(forTimeout: launcher.timeoutMinutes) }
}
