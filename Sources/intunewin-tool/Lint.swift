import ArgumentParser
import IntuneWin

struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check a source folder before packing; exit 1 when anything should be fixed first.",
        discussion: """
        Looks at what `pack` would put into the package (after --exclude and .intunewinignore) and prints \
        one line per finding: rule, path, what is wrong and what to do, every finding (not only the first). \
        Errors (E) make the package fail on every device, or cannot be packed: pack refuses them. \
        Warnings (W) may be fine: pack shows them.

        Rules:
          long-path          W over 259 characters under C:\\Windows\\IMECache\\<app id>_1\\
          package-in-source  W a .intunewin in the source, or the output (-o) in the source folder itself
          leftover           W .git, Thumbs.db, .DS_Store, desktop.ini, __MACOSX
          windows-name       E CON, NUL.txt, COM1, <>:"|?*; W a trailing dot or space (Windows drops it)
          case-collision     E files that differ only in case; W folders (Windows merges them)
          chained-installer  W an .exe setup beside other installers, or ServiceUI.exe
          msi-needs-source   W an MSI setup that needs its source after the install
          unreadable         E a broken or outside symbolic link, a FIFO, an unreadable file
          unmatched-exclude  W an --exclude pattern that matches nothing

        Exit codes: 0 no findings, 1 findings, 2 usage error (setup outside the source, bad pattern), \
        3 unreadable source or MSI. `pack` shows the same findings as warnings, fails with exit 3 on the \
        errors (unless --allow-unsafe-names) and on every finding with --strict.

        Examples:
          intunewin-tool lint -c ./app -s setup.exe
          intunewin-tool lint -c ./app -s install.ps1 --exclude '*.log' --exclude docs/
          intunewin-tool lint -c ./app -s setup.msi -o ./out --json
        """
    )

    @OptionGroup var source: SourceOptions

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("The output pack will write (folder or .intunewin path), to check it is outside the source.", valueName: "path"), completion: .directory)
    var output: String?

    @OptionGroup var format: OutputFormatOptions

    func run() throws {
        let (findings, excluded) = try Linter.lint(sourceFolder: source.content, setupFile: source.setup, excludes: source.exclude, output: output,
                                                       followingLinksOutside: source.followLinks)
        if format.json {
            try Terminal.json(LintJSON(source: source.content, setupFile: source.setup, clean: findings.isEmpty,
                                       findings: findings.map { .init(rule: $0.rule.rawValue, severity: $0.severity.rawValue, path: $0.path, message: $0.fullMessage) },
                                       excluded: excluded))
        } else {
            Terminal.lintFindings(findings)
            let left = excluded.isEmpty ? "" : " (\(excluded.count) excluded)"
            let errors = Linter.errors(in: findings).count
            let refused = errors == 0 ? "" : ", \(errors) error\(errors == 1 ? "" : "s") pack refuses"
            Terminal.line(findings.isEmpty ? "\(source.content): no findings\(left)"
                          : "\(source.content): \(findings.count) finding\(findings.count == 1 ? "" : "s")\(refused)\(left)")
        }
        if !findings.isEmpty { throw ExitCode(1) }
    }
}

/// `lint --json`: the findings with their remedies worded in this tool's options.
struct LintJSON: Encodable {
    struct Finding: Encodable { var rule: String; var severity: String; var path: String; var message: String }
    var source: String
    var setupFile: String
    var clean: Bool
    var findings: [Finding]
    var excluded: [String]
}

extension Terminal {
    /// Lint findings, one per line: `rule  E|W  path  message`, columns aligned ("." for the whole source;
    /// E an error pack refuses, W a warning).
    static func lintFindings(_ findings: [LintFinding]) {
        let ruleWidth = findings.map(\.rule.rawValue.count).max() ?? 0
        let pathWidth = min(40, findings.map { max($0.path.count, 1) }.max() ?? 0)
        for finding in findings {
            let path = finding.path.isEmpty ? "." : finding.path
            let severity = finding.severity == .error ? "E" : "W"
            line("\(pad(finding.rule.rawValue, ruleWidth))  \(severity)  \(pad(path, pathWidth))  \(finding.fullMessage)")
        }
    }

    /// `text` followed by spaces up to `width` characters (never cut).
    private static func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }
}
