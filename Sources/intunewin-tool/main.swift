import ArgumentParser
import Foundation
import IntuneWin

// Entry point: Microsoft-compatible argument spelling, signal cleanup, and one place that turns
// errors into a one-line message and an exit code.

MemoryTuning.apply()
SignalCleanup.install()
let arguments = MicrosoftArguments.normalize(Array(CommandLine.arguments.dropFirst()))
do {
    var command = try IntuneWinTool.parseAsRoot(arguments)
    try command.run()
} catch let error as IntuneWinError {
    Terminal.error(error.description)
    exit(error.exitCode)
} catch let code as ExitCode {
    exit(code.rawValue)
} catch {
    let code = IntuneWinTool.exitCode(for: error)
    if code == .success {
        print(IntuneWinTool.fullMessage(for: error))
        exit(0)
    }
    Terminal.error(IntuneWinTool.message(for: error))
    if code == .validationFailure { Terminal.hint("see 'intunewin-tool --help'") }
    exit(code == .validationFailure ? 2 : code.rawValue)
}
