/// What the Intune portal asks for after the `.intunewin` is uploaded, computed from what `pack` made:
/// the program's command lines and install behavior, a detection rule, the return codes and the maximum
/// run time. Field names are Microsoft Graph's (`win32LobApp` and its complex types) where Graph has
/// one, so that a later `publish` can send them as they are.
public struct IntuneAppSettings: Sendable, Codable, Equatable {
    /// The portal's default "Maximum run time (minutes)".
    public static let defaultMaximumRunTimeMinutes = 60

    /// The app's name as the portal pre-fills it (Graph `displayName`): Detection.xml's Name, or for a
    /// nested-zip package the real setup's MSI ProductName or app name.
    public var displayName: String
    /// The MSI's Manufacturer (Graph `publisher`); nil when there is no MSI to say (the portal requires one).
    public var publisher: String?
    /// The package's SetupFile (Graph `setupFilePath`).
    public var setupFilePath: String
    /// The install command line (Graph `installCommandLine`).
    public var installCommandLine: String
    /// The uninstall command line (Graph `uninstallCommandLine`); nil when it cannot be known from the
    /// package (an .exe or script setup): `notes` then says what to enter.
    public var uninstallCommandLine: String?
    /// Install behavior and restart behavior (Graph `installExperience`).
    public var installExperience: IntuneInstallExperience
    /// The suggested detection rules (Graph `rules`, all of type detection).
    public var rules: [IntuneDetectionRule]
    /// True when `rules` hold placeholders in `<>` to replace with what the setup really installs.
    public var rulesAreTemplates: Bool
    /// What the detection rule should check, in one sentence.
    public var detectionHint: String
    /// Return codes and their meaning (Graph `returnCodes`): the portal's defaults.
    public var returnCodes: [IntuneReturnCode]
    /// The MSI facts Intune keeps (Graph `msiInformation`): only when the package's SetupFile is the MSI
    /// itself, as the portal fills them from Detection.xml (nil for a nested-zip package: docs/FORMAT.md 9.6).
    public var msiInformation: IntuneMsiInformation?
    /// The portal's "Maximum run time (minutes)" (Graph beta `installExperience.maxRunTimeInMinutes`).
    public var maximumRunTimeMinutes: Int
    /// What the user still has to fill in or check, one sentence each.
    public var notes: [String]

    /// The settings for `result`. `maximumRunTimeMinutes` is the portal's default (60) unless the caller
    /// knows better: for a nested-zip package, the launcher's timeout plus a margin.
    public init(_ result: PackResult, maximumRunTimeMinutes: Int = IntuneAppSettings.defaultMaximumRunTimeMinutes) {
        let detection = result.detection
        let msi = result.setupMsi
        setupFilePath = detection.setupFile
        publisher = msi?.publisher
        self.maximumRunTimeMinutes = maximumRunTimeMinutes
        returnCodes = IntuneReturnCode.defaults
        // A per-user MSI (ALLUSERS empty, or ALLUSERS=2 with MSIINSTALLPERUSER) installs for the signed-in
        // user; run as SYSTEM it would install into SYSTEM's profile. Anything else runs as SYSTEM.
        installExperience = IntuneInstallExperience(runAsAccount: (msi?.isUserInstall ?? false) ? .user : .system)
        var notes: [String] = []

        if let nested = result.nested {
            displayName = msi?.name ?? nested.launcher.appName
            installCommandLine = nested.installCommand
            uninstallCommandLine = nested.uninstallCommand
            msiInformation = nil
            if let msi {
                let uninstall = nested.launcher.uninstallCommand == nil ? "msiexec /x on uninstall" : "the given uninstall command on uninstall"
                notes.append("the launcher runs \(nested.launcher.setupFile) through msiexec /i on install and \(uninstall) (product code \(msi.productCode))")
            }
        } else {
            displayName = detection.name
            let setup = detection.setupFile
            let quoted = "\"\(setup)\""
            let lower = setup.lowercased()
            if let msi {
                installCommandLine = "msiexec /i \(quoted) /qn"
                uninstallCommandLine = "msiexec /x \(msi.productCode) /qn"
                msiInformation = IntuneMsiInformation(msi)
            } else if lower.hasSuffix(".ps1") {
                installCommandLine = "powershell.exe -ExecutionPolicy Bypass -NoProfile -File \(quoted)"
                uninstallCommandLine = nil
                msiInformation = nil
                notes.append("uninstall command: the script's own uninstall (for example the same script with its uninstall switch)")
            } else {
                installCommandLine = setup.contains(" ") ? quoted : setup
                uninstallCommandLine = nil
                msiInformation = nil
                notes.append("install command: add the installer's silent switch if it has one (for example /S, /quiet or /silent)")
                notes.append("uninstall command: the vendor's silent uninstall (QuietUninstallString or UninstallString under HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\<app>)")
            }
        }

        if let msi {
            rules = [.productCode(.init(productCode: msi.productCode, productVersion: msi.productVersion, productVersionOperator: .greaterThanOrEqual))]
            rulesAreTemplates = false
            detectionHint = "MSI product code \(msi.productCode), version \(msi.productVersion) or later"
        } else {
            let template = IntuneDetectionRule.FileSystem(path: "%ProgramFiles%\\<install folder>", fileOrFolderName: "<program>.exe")
            rules = [.fileSystem(template)]
            rulesAreTemplates = true
            let what = "a file the setup installs exists (\(template.path)\\\(template.fileOrFolderName): replace the <> parts), " +
                "or a registry rule on the DisplayVersion value under HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\<app>"
            if let nested = result.nested {
                detectionHint = "\(what); not \(nested.launcher.extractTo)\\.intunewin-payload, which only proves the payload was expanded"
            } else {
                detectionHint = what
            }
        }
        self.notes = notes
    }

    private enum CodingKeys: String, CodingKey {
        case displayName, publisher, setupFilePath, installCommandLine, uninstallCommandLine, installExperience, rules,
             rulesAreTemplates, detectionHint, returnCodes, msiInformation, maximumRunTimeMinutes, notes
    }

    /// Every field, absent values as null (so a JSON reader sees the same keys for every package).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(displayName, forKey: .displayName); try c.encode(publisher, forKey: .publisher)
        try c.encode(setupFilePath, forKey: .setupFilePath); try c.encode(installCommandLine, forKey: .installCommandLine)
        try c.encode(uninstallCommandLine, forKey: .uninstallCommandLine); try c.encode(installExperience, forKey: .installExperience)
        try c.encode(rules, forKey: .rules); try c.encode(rulesAreTemplates, forKey: .rulesAreTemplates)
        try c.encode(detectionHint, forKey: .detectionHint); try c.encode(returnCodes, forKey: .returnCodes)
        try c.encode(msiInformation, forKey: .msiInformation); try c.encode(maximumRunTimeMinutes, forKey: .maximumRunTimeMinutes)
        try c.encode(notes, forKey: .notes)
    }
}
