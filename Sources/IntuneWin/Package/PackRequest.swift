/// What to pack, and how. Mirrors IntuneWinAppUtil.exe's `-c -s -o -a -q`, plus our own options.
public struct PackRequest: Sendable {
    /// `-c`: the folder whose whole content goes into the package.
    public var sourceFolder: String
    /// `-s`: the setup file, relative to `sourceFolder` or a path inside it.
    public var setupFile: String
    /// `-o`: an output folder (file named after the setup file) or a path ending in `.intunewin`.
    public var output: String
    /// `-a`: a folder of Windows 10 S mode catalog files, laid out as Microsoft's tool does.
    public var catalogFolder: String? = nil
    /// Replace an existing output file (`-q`/`--force`); otherwise an existing file is an error.
    public var overwrite: Bool = false
    /// Reuse these keys and IV instead of fresh random ones. For reproducible builds and tests only:
    /// anyone holding the other package's Detection.xml can then decrypt this one.
    public var keys: EncryptionKeys? = nil
    /// Written as Detection.xml's ToolVersion: the newest Microsoft tool whose output we match.
    public var toolVersion: String = Packager.toolVersion
    /// Deflate level, threads, exact (Microsoft-identical) or chunked-parallel compression.
    public var compression = CompressionOptions()
    /// Glob patterns of files to leave out (`--exclude`), on top of the source's `.intunewinignore`.
    public var excludes: [String] = []
    /// Lint findings fail the pack instead of being warnings (`--strict`).
    public var strict: Bool = false
    /// Ship the content as `payload.zip` plus a launcher that survives IME's cache cleanup (`--nested-zip`).
    public var nested: NestedOptions? = nil

    /// The three required arguments; every option starts at its default.
    public init(sourceFolder: String, setupFile: String, output: String) {
        self.sourceFolder = sourceFolder
        self.setupFile = setupFile
        self.output = output
    }
}

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
