import ArgumentParser
import IntuneWin

extension LauncherKind: ExpressibleByArgument {}

/// `pack --nested-zip` and the options that shape its launcher.
struct NestedPackOptions: ParsableArguments {
    @Flag(name: .customLong("nested-zip"), help: "Ship the content as payload.zip plus a launcher (install.exe) that expands it to a persistent folder, so chained installers and MSI repair survive IME's cache cleanup.")
    var nestedZip = false

    @Option(name: .customLong("launcher"), help: ArgumentHelp("With --nested-zip: native (install.exe + launcher.ini, default) or powershell (install.ps1).", valueName: "kind"))
    var launcher: LauncherKind?

    @Option(name: .customLong("extract-to"), help: ArgumentHelp("With --nested-zip: persistent folder on the device (default %ProgramData%\\IntuneWin\\<name>\\<payload digest prefix>).", valueName: "path"))
    var extractTo: String?

    @Option(name: .customLong("name"), help: ArgumentHelp("With --nested-zip: the app's name on the device, naming the persistent folder (%ProgramData%\\IntuneWin\\<name>\\...) and the log (<name>-launcher.log). Default: the output file's name when -o names a .intunewin, else an MSI's ProductName, else the source folder's name (setup, install and installer are passed over while another name is known). At most 64 characters; no \\ / : * ? \" < > | or %.", valueName: "name"))
    var name: String?

    @Option(name: .customLong("setup-args"), parsing: .unconditional, help: ArgumentHelp("With --nested-zip: arguments for the setup (MSI setups get msiexec /i <msi> /qn). May start with a dash: --setup-args=-silent or --setup-args \"--mode unattended\".", valueName: "args"))
    var setupArgs: String?

    @Option(name: .customLong("uninstall-cmd"), parsing: .unconditional, help: ArgumentHelp("With --nested-zip: command line that the launcher's uninstall (install.exe /uninstall, or install.ps1 -Uninstall) runs from the persistent folder.", valueName: "cmd"))
    var uninstallCmd: String?

    @Option(name: .customLong("uninstall-args"), parsing: .unconditional, help: ArgumentHelp("With --nested-zip: arguments for the setup on uninstall (MSI: msiexec /x is used).", valueName: "args"))
    var uninstallArgs: String?

    @Option(name: .customLong("launcher-timeout"), parsing: .unconditional, help: ArgumentHelp("With --nested-zip: minutes the launcher waits for the setup and its child processes, 1 to 1440 (default 50). Set the app's maximum run time in Intune to at least this plus 10 minutes (pack prints it): IME ends the launcher at that time.", valueName: "minutes"))
    var launcherTimeout: Int = 50

    func validate() throws {
        if !nestedZip && (extractTo != nil || setupArgs != nil || uninstallCmd != nil || uninstallArgs != nil || name != nil) {
            throw ValidationError("--name, --extract-to, --setup-args, --uninstall-cmd and --uninstall-args go with --nested-zip")
        }
        if !nestedZip && launcher != nil {
            throw ValidationError("--launcher goes with --nested-zip")
        }
        let range = LauncherSettings.timeoutRange
        if !range.contains(launcherTimeout) {
            throw ValidationError("--launcher-timeout must be \(range.lowerBound) to \(range.upperBound) minutes, not \(launcherTimeout)")
        }
        if let name {
            do { try LauncherSettings.validateName(name) } catch let error as IntuneWinError {
                throw ValidationError("--name \"\(Terminal.printable(name))\": \(error.reason)")
            }
        }
    }

    /// The library's options, nil without --nested-zip.
    var options: NestedOptions? {
        guard nestedZip else { return nil }
        var options = NestedOptions()
        options.name = name
        options.extractTo = extractTo
        options.setupArguments = setupArgs ?? ""
        options.uninstallCommand = uninstallCmd
        options.uninstallArguments = uninstallArgs
        options.timeoutMinutes = launcherTimeout
        options.launcher = launcher ?? .native
        return options
    }
}
