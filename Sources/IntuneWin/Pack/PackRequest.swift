/// What to pack, and how. Mirrors IntuneWinAppUtil.exe's `-c -s -o -a -q`, plus our own options.
public struct PackRequest: Sendable {
    /// `-c`: the folder whose whole content goes into the package. In this and every path, `\` separates
    /// folders as `/` does; a Windows drive path (`C:\out`) is refused.
    public var sourceFolder: String
    /// `-s`: the setup file, relative to `sourceFolder` or a path inside it.
    public var setupFile: String
    /// `-o`: an output folder (file named after the setup file) or a path ending in `.intunewin`. A folder
    /// inside the source folder is left out of the package; the source folder itself is refused.
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
    /// Pack what symbolic links leaving the source folder point to (`--follow-links`); otherwise such a
    /// link is an error naming it, so files from elsewhere on the machine are never shipped by accident.
    public var followsLinksOutside: Bool = false
    /// Lint findings fail the pack instead of being warnings (`--strict`).
    public var strict: Bool = false
    /// Pack even names no Windows device can unpack (reserved names such as CON.txt, forbidden characters,
    /// names differing only in case): they are warnings then. Otherwise such a finding fails the pack.
    public var allowsUnsafeNames: Bool = false
    /// Ship the content as `payload.zip` plus a launcher that survives IME's cache cleanup (`--nested-zip`).
    public var nested: NestedOptions? = nil
    /// Refuse, before reading a byte, an output disk with less free space than the package may need.
    public var checksFreeSpace: Bool = true

    /// The three required arguments; every option starts at its default.
    public init(sourceFolder: String, setupFile: String, output: String) {
        self.sourceFolder = sourceFolder
        self.setupFile = setupFile
        self.output = output
    }
}
