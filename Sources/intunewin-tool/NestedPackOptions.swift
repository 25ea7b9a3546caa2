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

    @Option(name: .customLong("setup-args"), help: ArgumentHelp("With --nested-zip: arguments for the setup (MSI setups get msiexec /i <msi> /qn).", valueName: "args"))
    var setupArgs: String?

    @Option(name: .customLong("uninstall-cmd"), help: ArgumentHelp("With --nested-zip: command line that install.ps1 -Uninstall runs from the persistent folder.", valueName: "cmd"))
    var uninstallCmd: String?

    @Option(name: .customLong("uninstall-args"), help: ArgumentHelp("With --nested-zip: arguments for the setup on uninstall (MSI: msiexec /x is used).", valueName: "args"))
    var uninstallArgs: String?

    @Option(name: .customLong("launcher-timeout"), parsing: .unconditional, help: ArgumentHelp("With --nested-zip: minutes the launcher waits for the setup and its child processes.", valueName: "minutes"))
    var launcherTimeout: Int = 50

    func validate() throws {
        if !nestedZip && (extractTo != nil || setupArgs != nil || uninstallCmd != nil || uninstallArgs != nil) {
            throw ValidationError("--extract-to, --setup-args, --uninstall-cmd and --uninstall-args go with --nested-zip")
        }
        if !nestedZip && launcher != nil {
            throw ValidationError("--launcher goes with --nested-zip")
        }
        if launcherTimeout < 1 || launcherTimeout > 59 {
            throw ValidationError("--launcher-timeout must be 1 to 59 minutes (IME stops waiting at 60)")
        }
    }

    /// The library's options, nil without --nested-zip.
    var options: NestedOptions? {
        guard nestedZip else { return nil }
        var options = NestedOptions()
        options.extractTo = extractTo
        options.setupArguments = setupArgs ?? ""
        options.uninstallCommand = uninstallCmd
        options.uninstallArguments = uninstallArgs
        options.timeoutMinutes = launcherTimeout
        options.launcher = launcher ?? .native
        return options
    }
}
