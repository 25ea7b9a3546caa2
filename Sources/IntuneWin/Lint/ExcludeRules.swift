import Foundation

/// Which files of the source folder to leave out of the package: `--exclude` patterns plus the lines of
/// `<source>/.intunewinignore`. Microsoft's tool has no such option; a package built with excludes holds
/// exactly the files that are kept, in the usual order.
///
/// Pattern syntax, a subset of `.gitignore`:
/// - Blank lines and lines starting with `#` are ignored (in the ignore file); trailing spaces are dropped.
/// - A pattern without `/` matches a file or folder name at any depth: `*.log`, `.git`, `Thumbs.db`.
/// - A pattern with `/` matches the path from the source root (a leading `/` is optional): `docs/*.md`,
///   `/build`. There, `*`, `?` and `[...]` match within one name; `**` matches any number of folders
///   (`**/cache`, `logs/**`, `a/**/b`).
/// - A trailing `/` matches folders only (`build/`): a folder holding files, or an empty folder.
/// - When a folder matches, everything below it is left out.
/// - `\` separates folders as `/` does, as Windows users type it (`redist\*` is `redist/*`), except at
///   the very start before `#` or `!`, where it keeps them literal (`\#notes`, `\!keep`). Windows names
///   cannot hold `*` or `?`; a literal `[` is `[[]`.
/// - Globs follow `fnmatch`; `*` also matches a leading dot.
/// - Matching is case-sensitive, as on Linux and in Git: `*.LOG` does not match `app.log`.
/// - `!` negation is not supported: such a pattern is a usage error, named with its line number.
///
/// A folder whose files are all excluded disappears from the package (it is not kept as an empty folder).
public struct ExcludeRules: Sendable {
    /// The ignore file read from the source folder's root (only there, not in sub-folders).
    public static let ignoreFileName = ".intunewinignore"

    /// All active patterns as written, command line first, then the ignore file's.
    public var patterns: [String] { compiled.map(\.text) }
    /// True when `<source>/.intunewinignore` exists (and was read).
    public let ignoreFileFound: Bool

    private let compiled: [ExcludePattern]
    /// How many of `compiled` came from the command line (they come first).
    private let commandLineCount: Int

    /// `patterns` from --exclude (repeatable), plus the lines of `<source>/.intunewinignore` when present.
    /// Throws a usage error for a pattern the rules do not support (negation, an empty pattern), naming
    /// `--exclude` or the ignore file and its line; a bad-input error when the ignore file cannot be read.
    public init(patterns: [String], source: String) throws {
        var compiled: [ExcludePattern] = []
        for pattern in patterns {
            do {
                guard let rule = try ExcludePattern.compile(pattern) else {
                    throw ExcludePattern.PatternError("an empty pattern excludes nothing")
                }
                compiled.append(rule)
            } catch let error as ExcludePattern.PatternError {
                throw IntuneWinError.usage(pattern, "exclude pattern: \(error.reason)")
            }
        }
        commandLineCount = compiled.count
        let ignoreFile = (source.hasSuffix("/") ? source : source + "/") + Self.ignoreFileName
        var isFolder: ObjCBool = false
        ignoreFileFound = FileManager.default.fileExists(atPath: ignoreFile, isDirectory: &isFolder)
        if ignoreFileFound {
            guard !isFolder.boolValue else { throw IntuneWinError.badInput(ignoreFile, "is a folder, expected a file of patterns") }
            compiled += try Self.read(ignoreFile)
        }
        self.compiled = compiled
    }

    /// True when the file at `components` (below the source) or any of its parent folders matches.
    public func isExcluded(_ components: [String]) -> Bool {
        isExcluded(components, isFolder: false)
    }

    /// True when the path or any of its parent folders matches; `isFolder` tells whether the path itself is a
    /// folder (which `name/` patterns need).
    public func isExcluded(_ components: [String], isFolder: Bool) -> Bool {
        compiled.contains { $0.matches(components, isFolder: isFolder) }
    }

    /// The command-line patterns (as written) that match no entry of `entries`, nor a folder on their
    /// way: most likely a typo or a path from another machine. The ignore file's lines are not judged (a
    /// shared ignore file names what may or may not be there).
    public func unmatchedCommandLinePatterns(in entries: [SourceEntry]) -> [String] {
        compiled.prefix(commandLineCount).filter { pattern in
            !entries.contains { pattern.matches($0.components, isFolder: $0.kind == .emptyFolder) }
        }.map(\.text)
    }

    /// Splits a scan into what is packed and what is left out, both in scan order.
    /// `.intunewinignore` itself is always left out.
    public func apply(to entries: [SourceEntry]) -> (kept: [SourceEntry], excluded: [SourceEntry]) {
        var kept: [SourceEntry] = [], excluded: [SourceEntry] = []
        for entry in entries {
            let isIgnoreFile = entry.components == [Self.ignoreFileName] && entry.kind != .emptyFolder
            if isIgnoreFile || isExcluded(entry.components, isFolder: entry.kind == .emptyFolder) {
                excluded.append(entry)
            } else {
                kept.append(entry)
            }
        }
        return (kept, excluded)
    }

    /// The ignore file's patterns (UTF-8, with or without a byte-order mark; LF or CRLF lines).
    private static func read(_ path: String) throws -> [ExcludePattern] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw IntuneWinError.badInput(path, "cannot read: \(SystemCall.reason(error))")
        }
        guard var text = String(data: data, encoding: .utf8) else { throw IntuneWinError.badInput(path, "not UTF-8 text") }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var patterns: [ExcludePattern] = []
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            if line.hasPrefix("#") { continue }
            do {
                if let pattern = try ExcludePattern.compile(String(line)) { patterns.append(pattern) }
            } catch let error as ExcludePattern.PatternError {
                throw IntuneWinError.usage(path, "line \(index + 1): \(error.reason)")
            }
        }
        return patterns
    }
}
