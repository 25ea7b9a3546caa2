import Foundation

/// Options of the nested-zip mode: where the launcher expands the payload and how it runs the setup.
public struct NestedOptions: Sendable, Equatable {
    /// Persistent folder (environment variables allowed); nil means `%ProgramData%\IntuneWin\<name>\<digest prefix>`.
    public var extractTo: String? = nil
    /// Arguments the launcher passes to the setup on install.
    public var setupArguments: String = ""
    /// A command line run from the persistent folder by `install.exe /uninstall` (`install.ps1 -Uninstall`).
    public var uninstallCommand: String? = nil
    /// Arguments for the setup on uninstall when no uninstall command is given.
    public var uninstallArguments: String? = nil
    /// The app's name on the device: the persistent folder (`%ProgramData%\IntuneWin\<name>\...`) and the
    /// launcher's log (`<name>-launcher.log`) are named after it. Checked with `LauncherSettings.validateName`;
    /// nil means `defaultName(...)`.
    public var name: String? = nil
    /// How long the launcher waits for the setup and the processes it started, within
    /// `LauncherSettings.timeoutRange`; set the app's maximum run time in Intune to
    /// `NestedResult.maximumRunTimeMinutes`.
    public var timeoutMinutes: Int = 50
    /// The launcher: the native `install.exe` (default) or the PowerShell `install.ps1`.
    public var launcher: LauncherKind = .native
    /// Tests only: the native launcher's timeout in seconds (see `LauncherSettings`).
    var timeoutSecondsForTesting: Int? = nil

    /// The defaults: a per-app folder under `%ProgramData%`, no arguments, 50 minutes.
    public init() {}

    /// Names too generic to tell apps apart on a device (every vendor's `setup.exe`).
    static let genericNames: Set<String> = ["setup", "install", "installer"]

    /// The app name when none is given: the output file's base name when `output` names a `.intunewin`,
    /// else the MSI's ProductName (`msiName`), else the source folder's name, else the setup file's base
    /// name. A candidate that is only the setup file's base name or a generic one (`setup`, `install`,
    /// `installer`) is passed over while a later one is not; each is made a safe folder name.
    static func defaultName(output: String, source: String, setupName: String, msiName: String?) -> String {
        let setupBase = (setupName as NSString).deletingPathExtension
        var candidates: [String] = []
        if output.lowercased().hasSuffix(".intunewin") {
            candidates.append(((output as NSString).lastPathComponent as NSString).deletingPathExtension)
        }
        if let msiName { candidates.append(msiName) }
        candidates.append((source as NSString).lastPathComponent)
        candidates.append(setupBase)
        let usable = candidates.map { LauncherSettings.folderName(for: $0.trimmingCharacters(in: .whitespaces)) }
            .filter { $0 != "app" && $0 != "." && $0 != ".." && !$0.isEmpty }
        func generic(_ name: String) -> Bool {
            genericNames.contains(name.lowercased()) || name.lowercased() == setupBase.lowercased()
        }
        return usable.first { !generic($0) } ?? usable.first ?? "app"
    }
}
