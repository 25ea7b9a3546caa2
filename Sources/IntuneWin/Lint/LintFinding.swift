/// One problem the pre-pack lint found in a source folder: which rule, where, how bad, and what to do.
/// An error finding makes the package fail on every device (IME cannot unpack it), or cannot be packed
/// at all: `pack` refuses it. A warning may be fine on some devices or for some apps: `pack` builds the
/// package and shows it.
public struct LintFinding: Sendable, Equatable {
    /// How bad a finding is.
    public enum Severity: String, Sendable, CaseIterable {
        /// The package may still work (a long path on devices with long-path support, a leftover file).
        case warning
        /// The package would fail on every device, or cannot be built: pack refuses it.
        case error
    }

    /// What kind of problem it is; the raw value is the name the tool prints.
    public enum Rule: String, Sendable, CaseIterable {
        /// A path longer than Windows' MAX_PATH once IME unpacks it into its cache folder.
        case longPath = "long-path"
        /// A `.intunewin` package inside the source, or the planned output inside the source folder.
        case packageInSource = "package-in-source"
        /// Version-control or file-manager metadata (.git, Thumbs.db, .DS_Store, desktop.ini, __MACOSX).
        case leftover = "leftover"
        /// A name Windows cannot create (reserved device name, forbidden character, trailing dot or space).
        case windowsName = "windows-name"
        /// Two names in one folder that differ only in case: Windows keeps only one of them.
        case caseCollision = "case-collision"
        /// An `.exe` setup beside other installers, or ServiceUI.exe: likely a chained install.
        case chainedInstaller = "chained-installer"
        /// An MSI setup that needs its source files after the install (IME deletes them).
        case msiNeedsSource = "msi-needs-source"
        /// An entry pack cannot read: a broken or looping symbolic link, a link leaving the source, a FIFO,
        /// socket or device, an unreadable file or folder, a name that is not UTF-8.
        case unreadable = "unreadable"
        /// An exclude pattern that matches nothing in the source (a typo, or a path from another machine).
        case unmatchedExclude = "unmatched-exclude"
    }

    /// The check that found it.
    public let rule: Rule
    /// Relative path with "/" ("" for the whole source).
    public let path: String
    /// One line: what is wrong (and what to do, where no `remedy` says it).
    public let message: String
    /// What would clear it, worded by the front end in its own options.
    public let remedy: IntuneWinError.Remedy?
    /// Whether the package would fail on every device (pack refuses it) or may be fine.
    public let severity: Severity

    /// A finding of `rule` about `path`.
    public init(rule: Rule, path: String, message: String, remedy: IntuneWinError.Remedy? = nil, severity: Severity = .warning) {
        self.rule = rule
        self.path = path
        self.message = message
        self.remedy = remedy
        self.severity = severity
    }
}
