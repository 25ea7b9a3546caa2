import ArgumentParser
import Foundation
import IntuneWin

// Entry point: Microsoft-compatible argument spelling, signal cleanup, and one place that turns
// errors into a one-line message and an exit code.

MemoryTuning.apply()
SignalCleanup.install()
do {
    let arguments = try ArgumentCheck.check(MicrosoftArguments.normalize(Array(CommandLine.arguments.dropFirst())))
    var command = try IntuneWinTool.parseAsRoot(arguments)
    try command.run()
} catch let error as IntuneWinError {
    // Interrupted meanwhile: the signal handler reports and exits (130/143), not this error.
    SignalCleanup.deferToInterrupt()
    // A partial output is removed by its owner's deinit, which may still be pending when the error arrives
    // here (pipeline threads hold the last reference for a moment); exit() would skip it. Nothing is
    // registered once an output is complete, so whatever is left is partial.
    CleanupRegistry.removeAll()
    Terminal.error(error.message)
    exit(error.exitCode)
} catch let mistake as ArgumentCheck.Mistake {
    // One line: what is wrong, the likely meaning, and where the command's options are listed.
    Terminal.error("\(mistake.message) (see 'intunewin-tool \(mistake.helpCommand.isEmpty ? "" : mistake.helpCommand + " ")--help')")
    exit(2)
} catch let code as ExitCode {
    SignalCleanup.deferToInterrupt()
    CleanupRegistry.removeAll()
    exit(code.rawValue)
} catch {
    SignalCleanup.deferToInterrupt()
    CleanupRegistry.removeAll()
    let code = IntuneWinTool.exitCode(for: error)
    if code == .success {
        print(IntuneWinTool.fullMessage(for: error))
        exit(0)
    }
    // One line, pointing to the help of the command that was meant.
    let help = code == .validationFailure ? " (see 'intunewin-tool \(ArgumentCheck.commandName(in: Array(CommandLine.arguments.dropFirst())).map { $0 + " " } ?? "")--help')" : ""
    Terminal.error(IntuneWinTool.message(for: error) + help)
    exit(code == .validationFailure ? 2 : code.rawValue)
}
