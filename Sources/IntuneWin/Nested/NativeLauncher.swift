import Foundation

/// Which launcher `pack --nested-zip` puts beside the payload.
public enum LauncherKind: String, Sendable, Equatable, CaseIterable {
    /// `install.exe`, a native Windows program (Launcher/ in the repository), with its `launcher.ini`.
    case native
    /// `install.ps1`, a Windows PowerShell 5.1 script with its settings inside.
    case powershell
}

/// The native launcher of the nested-zip mode: `install.exe`, the same bytes in every package (built
/// from Launcher/src with the mingw-w64 cross compiler, committed, embedded here), and the settings file
/// `launcher.ini` that tells it what to do. It checks and expands the payload to a persistent folder, runs
/// the setup from there, waits for the setup and every process it started (a Job Object), and exits with
/// the setup's own exit code.
public enum NativeLauncher {
    /// The launcher's file name in the package (also the package's SetupFile).
    public static let executableName = "install.exe"
    /// The settings file beside it.
    public static let settingsName = "launcher.ini"
    /// The settings format `launcher.ini` declares (`format=1`); the launcher refuses others.
    public static let settingsFormat = 1

    /// SHA-256 of the embedded `install.exe`, lowercase hex: what `--version` and `info` name.
    public static var sha256: String { NativeLauncherImage.sha256 }

    /// The bytes of `install.exe`.
    public static func executable() -> [UInt8] {
        guard let data = Data(base64Encoded: NativeLauncherImage.base64, options: .ignoreUnknownCharacters),
              data.count == NativeLauncherImage.size else {
            preconditionFailure("NativeLauncherImage.swift is damaged: run scripts/embed-launcher.sh")
        }
        return [UInt8](data)
    }

    /// The command lines to paste into Intune (IME runs them from the package's cache folder).
    public static let installCommand = "install.exe"
    /// The uninstall command line to paste into Intune.
    public static let uninstallCommand = "install.exe /uninstall"
    /// The repair path: expands the payload again if needed and runs `msiexec /fa` on an MSI setup.
    public static let repairCommand = "install.exe /repair"

    /// The launcher's own exit codes (any other code is the setup's, passed through unchanged).
    public static let exitCodes: [(code: Int32, meaning: String)] = [
        (2, "payload.zip is missing and there is no complete persistent copy"),
        (3, "the setup file is not in the expanded payload"),
        (5, "the persistent folder cannot be created or written: access denied"),
        (50, "/uninstall or /repair, but the settings give no way to do it"),
        (112, "the disk filled up while the payload was expanded"),
        (161, "the payload has an entry name that would leave the folder, or two that clash"),
        (1392, "payload.zip does not have the expected SHA-256, or is a damaged zip"),
        (1460, "the setup or a process it started was still running at the timeout; the tree was ended"),
        (1610, "launcher.ini is missing or invalid"),
        (1627, "any other launcher failure (the log says which)"),
    ]

    /// The `launcher.ini` text for `settings`: UTF-8, CRLF, one `key=value` a line. Values cannot hold a
    /// line break (the launcher reads a value to the end of its line): such a value is a usage error.
    public static func settingsFile(_ settings: LauncherSettings) throws -> [UInt8] {
        var lines = [
            "; launcher.ini - written by intunewin (nested-zip mode), read by install.exe beside it.",
            "; Do not edit: the payload's SHA-256 below is checked before anything runs.",
            "format=\(settingsFormat)",
        ]
        var values: [(String, String)] = [
            ("app_name", settings.appName),
            ("payload", settings.payloadFileName),
            ("payload_sha256", settings.payloadSHA256),
            ("extract_to", settings.extractTo),
            ("setup", settings.setupFile),
            ("setup_args", settings.setupArguments),
        ]
        if let command = settings.uninstallCommand { values.append(("uninstall_command", command)) }
        if let arguments = settings.uninstallArguments { values.append(("uninstall_args", arguments)) }
        values.append(("timeout_minutes", String(settings.timeoutMinutes)))
        if let seconds = settings.timeoutSecondsForTesting { values.append(("timeout_seconds", String(seconds))) }
        for (key, value) in values {
            if let bad = value.unicodeScalars.first(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
                throw IntuneWinError(.usage, path: settingsName,
                                     "\(key) cannot hold a \(bad == "\0" ? "NUL" : "line break") character for the native launcher")
            }
            lines.append(key + "=" + value)
        }
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }
}
