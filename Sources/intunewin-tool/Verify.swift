import ArgumentParser
import IntuneWin

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a package end to end; exit 0 only if every check holds.",
        discussion: """
        Checks: outer layout, Detection.xml fields, header MAC and IV, HMAC-SHA256, PKCS#7 padding, \
        SHA-256 == FileDigest, size == UnencryptedContentSize, declared sizes within the size limits \
        (64 GiB, 1000:1 beyond 1 GiB; --no-size-limits lifts them), safe and distinct entry names, every \
        inner entry's CRC-32, SetupFile present; \
        with -c (--content, or --source), that the package holds exactly the folder's files with identical \
        bytes, leaving out what --exclude and the folder's .intunewinignore leave out when packing. \
        Exit 1 names each failed check; exit 3 when the file cannot be read as a package at all.
        """
    )

    @Argument(help: ArgumentHelp("A .intunewin package.", valueName: "file"), completion: .file(extensions: ["intunewin"]))
    var file: String

    @Option(name: [.customShort("c"), .customLong("content"), .customLong("source")], help: ArgumentHelp("Also compare with this folder (the one it was packed from; --source is the older spelling).", valueName: "folder"), completion: .directory)
    var content: String?

    @Option(name: .customLong("exclude"), help: ArgumentHelp("With -c: what pack left out (repeatable; the folder's .intunewinignore applies too).", valueName: "glob"))
    var exclude: [String] = []

    @Flag(name: .customLong("follow-links"), help: "With -c: follow symbolic links that leave the folder, as pack --follow-links did.")
    var followLinks = false

    @OptionGroup var format: OutputFormatOptions
    @OptionGroup var quietness: QuietOptions
    @OptionGroup var sizeLimits: SizeLimitOptions

    func validate() throws {
        if content == nil && !exclude.isEmpty { throw ValidationError("--exclude goes with -c (the source folder to compare)") }
        if content == nil && followLinks { throw ValidationError("--follow-links goes with -c (the source folder to compare)") }
    }

    func run() throws {
        let package = try IntuneWinPackage(path: file)
        let progress = ProgressLine(waiting: "opening \(file)", enabled: !(format.json || quietness.quiet))
        defer { progress.finish() }  // also on an error: the message starts on a clean line
        let report = try Verifier.verify(package, source: content, excludes: exclude,
                                         followingLinksOutside: followLinks, limits: sizeLimits.limits, progress: progress.update)
        progress.finish()
        if format.json {
            try Terminal.json(VerifyJSON(file: file, passed: report.passed, entryCount: report.entryCount,
                                         checks: report.checks.map { .init(name: $0.name, outcome: $0.outcome.rawValue, detail: $0.fullDetail) }))
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

/// `verify --json`: every check with its outcome and detail (remedies worded in this tool's options).
/// `entries` is the 0.1 name of `entryCount`, written until the next release.
struct VerifyJSON: Encodable {
    struct Check: Encodable { var name, outcome, detail: String }
    var file: String
    var passed: Bool
    var entryCount: Int
    var checks: [Check]
    var entries: Int { entryCount }

    enum CodingKeys: String, CodingKey { case file, passed, entryCount, checks, entries }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(file, forKey: .file); try c.encode(passed, forKey: .passed)
        try c.encode(entryCount, forKey: .entryCount); try c.encode(checks, forKey: .checks)
        try c.encode(entries, forKey: .entries)
    }
}
