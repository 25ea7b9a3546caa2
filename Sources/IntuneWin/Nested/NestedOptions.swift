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
    /// How long the launcher waits for the setup and the processes it started (IME gives 60 minutes).
    public var timeoutMinutes: Int = 50
    /// The launcher: the native `install.exe` (default) or the PowerShell `install.ps1`.
    public var launcher: LauncherKind = .native
    /// Tests only: the native launcher's timeout in seconds (see `LauncherSettings`).
    var timeoutSecondsForTesting: Int? = nil

    /// The defaults: a per-app folder under `%ProgramData%`, no arguments, 50 minutes.
    public init() {}
}
