import Foundation

/// What `pack` made.
public struct PackResult: Sendable {
    /// The `.intunewin` written.
    public var outputPath: String
    /// The package's Detection.xml, keys included.
    public var detection: DetectionXML
    /// Entries of the inner zip.
    public var entryCount: Int
    /// Sum of the source files' sizes.
    public var sourceBytes: UInt64
    /// Size of the `.intunewin` written.
    public var packageSize: UInt64
    /// Size of the encrypted content (what Intune calls sizeEncrypted).
    public var encryptedSize: UInt64
    /// Lint findings about the content (a chained installer, an MSI that needs its source, …).
    public var findings: [LintFinding] = []
    /// The findings as one line each: `rule: path: message`.
    public var warnings: [String] { findings.map { "\($0.rule.rawValue): \($0.path.isEmpty ? "" : $0.path + ": ")\($0.message)" } }
    /// Paths (relative, `/`) left out by `--exclude` and `.intunewinignore`.
    public var excluded: [String] = []
    /// The output folder's path below the source (`/`), when `-o` named a folder inside it: left out of the package.
    public var outputFolderLeftOut: String? = nil
    /// Set in nested-zip mode: what the launcher does and the commands to paste into Intune.
    public var nested: NestedResult? = nil
    /// The MSI facts of the real setup file when it is an .msi: the package's own setup, or in nested-zip
    /// mode the setup inside payload.zip (whose facts Detection.xml does not carry: docs/FORMAT.md §9.6).
    public var setupMsi: MsiInfo? = nil

    /// What to enter in Intune for this package (install and uninstall commands, install behavior,
    /// detection rule, return codes, maximum run time).
    public var intune: IntuneAppSettings {
        // The portal's default maximum run time, or for a nested-zip package the launcher's timeout plus a margin.
        IntuneAppSettings(self, maximumRunTimeMinutes: nested?.maximumRunTimeMinutes ?? IntuneAppSettings.defaultMaximumRunTimeMinutes)
    }
}
