import ArgumentParser
import IntuneWin

/// The root command. With no subcommand, arguments go to `pack`, so scripts written for
/// Microsoft's `IntuneWinAppUtil.exe -c … -s … -o … -q` run unchanged.
struct IntuneWinTool: ParsableCommand {
    static let version = "0.2.0"

    static let configuration = CommandConfiguration(
        commandName: "intunewin-tool",
        abstract: "Build, inspect, verify, unpack and decrypt Microsoft Intune Win32 app packages (.intunewin).",
        discussion: """
        Packages are byte-compatible with Microsoft's IntuneWinAppUtil.exe (Detection.xml ToolVersion \
        \(Packager.toolVersion)). Its flags work as they are: `intunewin-tool -c src -s setup.exe -o out -q`.

        Exit codes:
          0  success
          1  a check failed (verify, HMAC, digest, CRC)
          2  usage error (bad arguments, setup file outside the source folder, output inside it)
          3  input unreadable or malformed (no such path, not a zip, truncated, bad Detection.xml, unsafe entry names)
          4  output cannot be written (exists without -q/--force, permissions, disk full)
          5  nothing found (ime-log: no IME records in the logs, or the --app is not in them)
          130  interrupted by SIGINT (143: SIGTERM); partial output is removed
        """,
        version: "intunewin-tool \(version) (writes Microsoft tool version \(Packager.toolVersion); nested-zip launcher install.exe sha256 \(NativeLauncher.sha256))",
        // Every subcommand names itself (`commandName:`): a name derived from the type goes through
        // String(describing:), whose first use per type scans every protocol conformance in the binary,
        // about 0.1 ms a command on each start.
        subcommands: [Pack.self, Info.self, List.self, Verify.self, Unpack.self, Decrypt.self, Msi.self, Lint.self, Diff.self, ImeLog.self],
        defaultSubcommand: Pack.self
    )
}
