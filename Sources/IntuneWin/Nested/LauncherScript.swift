import Foundation

/// What the launcher needs to know, all fixed at pack time.
public struct LauncherSettings: Sendable, Equatable {
    /// Used in folder and log names.
    public var appName: String
    /// The payload's name beside the launcher, normally `payload.zip`.
    public var payloadFileName: String
    /// The payload's SHA-256: 64 lowercase hex characters.
    public var payloadSHA256: String
    /// Persistent folder the payload is expanded to; `%VAR%` references are expanded on the device.
    public var extractTo: String
    /// The setup's path inside the payload, with `\` separators (`bin\setup.exe`).
    public var setupFile: String
    /// Arguments for the setup (may be empty).
    public var setupArguments: String
    /// A command line run through `cmd.exe /c` from the persistent folder on `-Uninstall`.
    public var uninstallCommand: String?
    /// Arguments for the setup on `-Uninstall` when there is no `uninstallCommand`.
    public var uninstallArguments: String?
    /// How long the launcher waits for the setup and every process it started, within `timeoutRange`.
    /// IME ends the launcher at the app's maximum run time set in Intune: see `maximumRunTime(forTimeout:)`.
    public var timeoutMinutes: Int
    /// Tests only: a timeout in seconds that overrides `timeoutMinutes` (the native launcher's
    /// `timeout_seconds`), so a hanging setup can be ended within a test's time.
    var timeoutSecondsForTesting: Int? = nil

    /// Settings with the defaults `pack --nested-zip` uses for what is not given.
    public init(appName: String, payloadFileName: String = "payload.zip", payloadSHA256: String, extractTo: String,
                setupFile: String, setupArguments: String = "", uninstallCommand: String? = nil,
                uninstallArguments: String? = nil, timeoutMinutes: Int = 50) {
        self.appName = appName
        self.payloadFileName = payloadFileName
        self.payloadSHA256 = payloadSHA256
        self.extractTo = extractTo
        self.setupFile = setupFile
        self.setupArguments = setupArguments
        self.uninstallCommand = uninstallCommand
        self.uninstallArguments = uninstallArguments
        self.timeoutMinutes = timeoutMinutes
    }

    /// The launcher timeouts accepted, in minutes: 1 minute to 24 hours.
    public static let timeoutRange = 1...1440

    /// Minutes IME's maximum run time (the app's "Installation time required" in Intune) should be for a
    /// launcher timeout of `timeoutMinutes`: the timeout plus 10 minutes, for the launcher to expand the
    /// payload before the setup starts and to end the process tree and log after the timeout, and never
    /// less than Intune's default of 60.
    public static func maximumRunTime(forTimeout timeoutMinutes: Int) -> Int {
        max(60, timeoutMinutes + 10)
    }

    /// Longest app name (`--name`) accepted: the persistent folder and the log are named after it.
    public static let nameLengthLimit = 64

    /// Checks a name given for the app (`--name`): it becomes a folder name and a file name on Windows, so
    /// it must be 1 to `nameLengthLimit` characters, with no path separator, no character Windows forbids
    /// in names (`: * ? " < > |`), no control character, no `%` (the launcher would expand it as an
    /// environment variable), not start with a space nor end with a dot or space, and not be a device
    /// name (`CON`, `NUL`, `COM1`...). Throws a `usage` error naming the problem.
    public static func validateName(_ name: String) throws {
        func refuse(_ why: String) -> IntuneWinError { .usage(name, "app name " + why) }
        guard !name.isEmpty else { throw IntuneWinError.usage("", "the app name is empty") }
        guard name.count <= nameLengthLimit else { throw refuse("is \(name.count) characters, more than \(nameLengthLimit)") }
        if let bad = name.first(where: { "\\/".contains($0) }) { throw refuse("holds a path separator (\(bad))") }
        if let bad = name.first(where: { ":*?\"<>|%".contains($0) }) { throw refuse("holds \(bad), which Windows forbids in a name or the launcher would expand") }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { throw refuse("holds a control character") }
        if name.hasPrefix(" ") { throw refuse("starts with a space") }
        if name.hasSuffix(".") || name.hasSuffix(" ") { throw refuse("ends with a dot or a space, which Windows drops") }
        if folderName(for: name) != name { throw refuse("is a Windows device name (CON, NUL, COM1...)") }
    }

    /// The default persistent folder: `%ProgramData%\IntuneWin\<app>\<first 12 hex digits of the payload SHA-256>`,
    /// with the app name made a safe folder name (see `folderName(for:)`).
    public static func defaultExtractTo(appName: String, payloadSHA256: String) -> String {
        "%ProgramData%\\IntuneWin\\" + folderName(for: appName) + "\\" + String(payloadSHA256.lowercased().prefix(12))
    }

    /// A Windows folder name for an app name: characters Windows forbids, control characters and `%` (which
    /// would be expanded as an environment variable) become `_`, trailing dots and spaces go (Windows drops
    /// them), device names (`CON`, `NUL`, `COM1`…) get a `_`, and the name is cut to 64 characters; an
    /// app name with nothing left is `app`.
    static func folderName(for appName: String) -> String {
        let forbidden = Set("\\/:*?\"<>|%")
        var name = String(appName.map { c -> Character in
            if forbidden.contains(c) { return "_" }
            if c.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return "_" }
            return c
        })
        name = String(name.prefix(64))
        while let last = name.last, last == "." || last == " " { name.removeLast() }
        while let first = name.first, first == " " { name.removeFirst() }
        if name.isEmpty { return "app" }
        var stem = String(name.prefix { $0 != "." }).uppercased()
        while stem.last == " " { stem.removeLast() }
        let devices = ["CON", "PRN", "AUX", "NUL"] + (1...9).flatMap { ["COM\($0)", "LPT\($0)"] }
        if devices.contains(stem) { name += "_" }
        return name
    }
}

/// The generated `install.ps1` of the nested-zip mode: a data block with every pack-time value as a
/// PowerShell literal, followed by fixed logic (`LauncherTemplate`) that never embeds user text.
public enum LauncherScript {
    /// The script's file name in the package.
    public static let fileName = "install.ps1"

    /// The install.ps1 text (to be written as UTF-8 WITH a BOM: Windows PowerShell 5.1 reads BOM-less scripts in the ANSI code page).
    public static func render(_ settings: LauncherSettings) -> String {
        let assignments: [(String, String)] = [
            ("AppName", literal(settings.appName)),
            ("PayloadFileName", literal(settings.payloadFileName)),
            ("PayloadSHA256", literal(settings.payloadSHA256)),
            ("ExtractTo", literal(settings.extractTo)),
            ("SetupFile", literal(settings.setupFile)),
            ("SetupArguments", literal(settings.setupArguments)),
            ("UninstallCommand", settings.uninstallCommand.map(literal) ?? "$null"),
            ("UninstallArguments", settings.uninstallArguments.map(literal) ?? "$null"),
            ("TimeoutMinutes", String(settings.timeoutMinutes)),
        ]
        let width = assignments.map(\.0.count).max() ?? 0
        let data = assignments.map { name, value in
            "$" + name + String(repeating: " ", count: width - name.count) + " = " + value
        }
        return LauncherTemplate.header
            + LauncherTemplate.dataStart + "\n"
            + data.joined(separator: "\n") + "\n"
            + LauncherTemplate.dataEnd + "\n"
            + LauncherTemplate.logic
    }

    /// The bytes to write: BOM + UTF-8 + CRLF line ends.
    public static func fileBytes(_ settings: LauncherSettings) -> [UInt8] {
        // render() has bare LF line ends only: values' CR and LF are written as [char] codes (see literal).
        [0xEF, 0xBB, 0xBF] + Array(render(settings).replacingOccurrences(of: "\n", with: "\r\n").utf8)
    }

    /// Command lines to paste into Intune (IME is 32-bit: Sysnative reaches the 64-bit PowerShell).
    public static let installCommand = "%SystemRoot%\\Sysnative\\WindowsPowerShell\\v1.0\\powershell.exe -ExecutionPolicy Bypass -NoProfile -File install.ps1"
    /// The uninstall command line to paste into Intune.
    public static let uninstallCommand = installCommand + " -Uninstall"

    /// Characters PowerShell takes as a single quote: `'` and the typographic ones (‘ ’ ‚ ‛). Inside a
    /// single-quoted string a pair of them stands for the second one, so each is doubled.
    static let singleQuotes: Set<Unicode.Scalar> = ["\u{27}", "\u{2018}", "\u{2019}", "\u{201A}", "\u{201B}"]

    /// A PowerShell expression with exactly the value `value`: a single-quoted literal (nothing inside
    /// is interpreted but quotes, which are doubled). Control characters other than tab (CR and LF above
    /// all) are written as `[char]N` joined with `+`, so every value stays on its line whatever line ends
    /// the file gets; such an expression always starts with a string literal, so `+` concatenates.
    static func literal(_ value: String) -> String {
        var parts: [String] = []
        var current = ""
        var open = false
        for scalar in value.unicodeScalars {
            if (scalar.value < 0x20 && scalar != "\t") || scalar.value == 0x7F {
                if open || parts.isEmpty { parts.append("'" + current + "'") }
                parts.append("[char]\(scalar.value)")
                current = ""
                open = false
            } else {
                if singleQuotes.contains(scalar) { current.unicodeScalars.append(scalar) }
                current.unicodeScalars.append(scalar)
                open = true
            }
        }
        if open || parts.isEmpty { parts.append("'" + current + "'") }
        return parts.joined(separator: " + ")
    }
}
