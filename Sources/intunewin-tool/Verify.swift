import ArgumentParser
import IntuneWin

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a package (or a Detection.xml, or an IME .bin) end to end; exit 0 only if every check holds.",
        discussion: """
        Checks: outer layout, content entry stored (as Microsoft's tool writes it), Detection.xml fields, \
        header MAC and IV, HMAC-SHA256, PKCS#7 padding, SHA-256 == FileDigest, size == UnencryptedContentSize, \
        declared sizes within the size limits (64 GiB, 1000:1 beyond 1 GiB; --no-size-limits lifts them), safe \
        and distinct entry names, every inner entry's CRC-32, SetupFile a file in the content, the content \
        not all under one extra top folder; \
        with -c (--content, or --source), that the package holds exactly the folder's files with identical \
        bytes, leaving out what --exclude and the folder's .intunewinignore leave out when packing.

        FILE may also be a Detection.xml: its fields are checked alone (required fields, base64 and sizes of \
        the keys, IV, MAC and digest, profile and digest algorithm, sizes, ToolVersion, SetupFile, MsiInfo \
        formats and consistency) and the content is reported as not checked, unless --content-file gives \
        the .bin IME downloaded: then it gets the same content checks as a package. FILE may be that .bin \
        itself, with key material from --encryption-info (a Detection.xml, or Graph's fileEncryptionInfo \
        JSON whose sizeEncrypted tells a truncated download) or --decrypt-info with --device-key.

        -q prints only the failed checks and the summary line. Exit 1 names each failed check; exit 3 when \
        the file cannot be read as a package, Detection.xml or encrypted content at all.
        """
    )

    @Argument(help: ArgumentHelp("A .intunewin package, a Detection.xml, or (with key options) an IME .bin.", valueName: "file"), completion: .file())
    var file: String

    @Option(name: [.customShort("c"), .customLong("content"), .customLong("source")], help: ArgumentHelp("Also compare with this folder (the one it was packed from; --source is the older spelling).", valueName: "folder"), completion: .directory)
    var content: String?

    @Option(name: .customLong("exclude"), help: ArgumentHelp("With -c: what pack left out (repeatable; the folder's .intunewinignore applies too).", valueName: "glob"))
    var exclude: [String] = []

    @Flag(name: .customLong("follow-links"), help: "With -c: follow symbolic links that leave the folder, as pack --follow-links did.")
    var followLinks = false

    @Option(name: .customLong("content-file"), help: ArgumentHelp("With a Detection.xml or key JSON: the encrypted content (the .bin IME downloads) to check with it.", valueName: "bin"), completion: .file())
    var contentFile: String?

    @OptionGroup var keySource: KeySourceOptions

    @OptionGroup var format: OutputFormatOptions
    @OptionGroup var quietness: QuietOptions
    @OptionGroup var sizeLimits: SizeLimitOptions

    func validate() throws {
        try keySource.validate()
        if content == nil && !exclude.isEmpty { throw ValidationError("--exclude goes with -c (the source folder to compare)") }
        if content == nil && followLinks { throw ValidationError("--follow-links goes with -c (the source folder to compare)") }
        if contentFile != nil && keySource.isGiven {
            throw ValidationError("--content-file goes with a Detection.xml or key JSON as FILE; with --encryption-info or --decrypt-info, FILE is the content")
        }
        if content != nil && (contentFile != nil || keySource.isGiven) {
            throw ValidationError("-c compares a package with its source folder; give a .intunewin without --content-file or key options")
        }
    }

    func run() throws {
        let progress = ProgressLine(waiting: "opening \(file)", enabled: !(format.json || quietness.quiet))
        defer { progress.finish() }  // also on an error: the message starts on a clean line
        let report = try verify(progress: progress)
        progress.finish()
        if format.json {
            try Terminal.json(VerifyJSON(file: file, contentFile: contentFile, passed: report.passed, entryCount: report.entryCount,
                                         checks: report.checks.map { .init(name: $0.name, outcome: $0.outcome.rawValue, detail: $0.fullDetail) }))
        } else {
            for check in report.checks where !quietness.quiet || check.outcome == .failed {
                let tag = check.outcome == .passed ? "ok  " : check.outcome == .failed ? "FAIL" : "skip"
                Terminal.line("\(tag)  \(check.name.padding(toLength: 17, withPad: " ", startingAt: 0))\(check.fullDetail)")
            }
            let failed = report.failures
            let passed = report.checks.filter { $0.outcome == .passed }.count
            let notChecked = report.checks.contains { $0.name == "content" && $0.outcome == .skipped } ? "; content not checked" : ""
            Terminal.line(failed.isEmpty ? "\(file): verified (\(passed) \(passed == 1 ? "check" : "checks") passed\(notChecked))"
                          : "\(file): FAILED \(failed.count) of \(DecryptReport.count(report.checks.count, "check")): \(failed.map(\.name).joined(separator: ", "))")
        }
        if !report.passed {
            // A size-limit refusal says how to lift it on the error line too.
            let limit = report.failures.first { $0.name == "size-limits" }.map { " (\($0.fullDetail))" } ?? ""
            Terminal.error("\(file): verification failed: \(report.failures.map(\.name).joined(separator: ", "))\(limit)")
            throw ExitCode(1)
        }
    }

    /// Runs the checks FILE calls for: a package's, a Detection.xml's (with its content when given), or
    /// those of encrypted content with key material from elsewhere.
    private func verify(progress: ProgressLine) throws -> VerificationReport {
        let limits = sizeLimits.limits
        if let source = try keySource.source(json: format.json) {
            return try Verifier.verify(contentFile: file, keys: try source.contentKeys(), setupFile: try setupFile(of: source),
                                       limits: limits, progress: progress.update)
        }
        let signature = try FileSignature(path: file)
        if signature == .xml {
            return try DetectionVerifier.verify(detectionAt: file, contentFile: contentFile, limits: limits, progress: progress.update)
        }
        if let contentFile {
            guard signature == .json else {
                throw IntuneWinError(.usage, path: file, "--content-file goes with a Detection.xml or key JSON, and this is \(signature.description)")
            }
            return try Verifier.verify(contentFile: contentFile, keys: try KeySource.file(file).contentKeys(),
                                       limits: limits, progress: progress.update)
        }
        let package = try IntuneWinPackage(path: file)
        return try Verifier.verify(package, source: content, excludes: exclude,
                                   followingLinksOutside: followLinks, limits: limits, progress: progress.update)
    }

    /// The SetupFile the key material names (a Detection.xml, or a package's), to check it is in the content.
    private func setupFile(of source: KeySource) throws -> String? {
        guard case .file(let path) = source, try FileSignature(path: path) == .xml || IntuneWinPackage.isZip(path) else { return nil }
        return try DetectionXML.read(path).setupFile
    }
}

/// `verify --json`: every check with its outcome and detail (remedies worded in this tool's options).
/// `entries` is the 0.1 name of `entryCount`, written until the next release.
struct VerifyJSON: Encodable {
    struct Check: Encodable { var name, outcome, detail: String }
    var file: String
    var contentFile: String?
    var passed: Bool
    var entryCount: Int
    var checks: [Check]
    var entries: Int { entryCount }

    enum CodingKeys: String, CodingKey { case file, contentFile, passed, entryCount, checks, entries }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(file, forKey: .file); try c.encodeIfPresent(contentFile, forKey: .contentFile); try c.encode(passed, forKey: .passed)
        try c.encode(entryCount, forKey: .entryCount); try c.encode(checks, forKey: .checks)
        try c.encode(entries, forKey: .entries)
    }
}
