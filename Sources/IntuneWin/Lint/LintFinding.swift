/// One problem the pre-pack lint found in a source folder: which rule, where, and what to do about it.
/// Findings are warnings: the package can still be built, but it would likely fail or misbehave on devices.
public struct LintFinding: Sendable, Equatable {
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
    }

    /// The check that found it.
    public let rule: Rule
    /// Relative path with "/" ("" for the whole source).
    public let path: String
    /// One line: what is wrong (and what to do, where no `remedy` says it).
    public let message: String
    /// What would clear it, worded by the front end in its own options.
    public let remedy: IntuneWinError.Remedy?

    /// A finding of `rule` about `path`.
    public init(rule: Rule, path: String, message: String, remedy: IntuneWinError.Remedy? = nil) {
        self.rule = rule
        self.path = path
        self.message = message
        self.remedy = remedy
    }
}
