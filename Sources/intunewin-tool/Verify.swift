import ArgumentParser
import IntuneWin

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a package end to end; exit 0 only if every check holds.",
        discussion: """
        Checks: outer layout, Detection.xml fields, header MAC and IV, HMAC-SHA256, PKCS#7 padding, \
        SHA-256 == FileDigest, size == UnencryptedContentSize, declared sizes within the size limits \
        (64 GiB, 1000:1 beyond 1 GiB; --no-size-limits lifts them), safe and distinct entry names, every \
        inner entry's CRC-32, SetupFile present; \
        with --source, that the package holds exactly the folder's files with identical bytes. \
        Exit 1 names each failed check; exit 3 when the file cannot be read as a package at all.
        """
    )

    @Argument(help: ArgumentHelp("A .intunewin package.", valueName: "file"))
    var file: String

    @Option(name: .customLong("source"), help: ArgumentHelp("Also compare with this folder (the one it was packed from).", valueName: "folder"))
    var source: String?

    @Flag(name: .customLong("json"), help: "Print the report as JSON.")
    var json = false

    @Flag(name: .customLong("no-size-limits"), help: "Inflate every entry even when they declare more than 64 GiB, or more than 1000 times the package beyond 1 GiB.")
    var noSizeLimits = false

    func run() throws {
        let package = try IntuneWinPackage(path: file)
        let progress = ProgressLine("verifying", total: package.content.ciphertextSize, enabled: !json)
        let report = try Verifier.verify(package, source: source, limits: noSizeLimits ? .none : .default) { progress.advance($0) }
        progress.finish()
        if json {
            Terminal.json([
                "file": file,
                "passed": report.passed,
                "entries": report.entryCount,
                "checks": report.checks.map { ["name": $0.name, "outcome": $0.outcome.rawValue, "detail": $0.fullDetail] },
            ] as [String: Any])
        } else {
            for check in report.checks {
                let tag = check.outcome == .passed ? "ok  " : check.outcome == .failed ? "FAIL" : "skip"
                Terminal.line("\(tag)  \(check.name.padding(toLength: 17, withPad: " ", startingAt: 0))\(check.fullDetail)")
            }
            let failed = report.failures
            Terminal.line(failed.isEmpty ? "\(file): verified (\(report.checks.count) checks passed)"
                          : "\(file): FAILED \(failed.count) of \(report.checks.count) checks: \(failed.map(\.name).joined(separator: ", "))")
        }
        if !report.passed {
            // A size-limit refusal says how to lift it on the error line too.
            let limit = report.failures.first { $0.name == "size-limits" }.map { " (\($0.fullDetail))" } ?? ""
            Terminal.error("\(file): verification failed: \(report.failures.map(\.name).joined(separator: ", "))\(limit)")
            throw ExitCode(1)
        }
    }
}
