import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One compiled exclude pattern (the syntax is described on `ExcludeRules`).
///
/// A pattern is matched one path component at a time: each `/`-separated part of the pattern is an
/// `fnmatch` glob for one name, so `*`, `?` and `[...]` never cross a folder boundary (what
/// `FNM_PATHNAME` gives on a whole path), and a `**` part stands for any number of folders.
struct ExcludePattern: Sendable, Equatable {
    /// The pattern as written (trailing spaces removed).
    let text: String
    /// Globs, one per path component; "**" matches zero or more components (one or more at the end).
    let parts: [String]
    /// Written with a "/" before its end: matched against the path from the source root, not any name.
    let anchored: Bool
    /// Written with a trailing "/": matches only folders.
    let foldersOnly: Bool

    /// Compiles one pattern; nil when it is blank. Throws a description of what is wrong for a pattern the
    /// rules do not support (the caller adds where it came from).
    static func compile(_ line: String) throws -> ExcludePattern? {
        // Trailing blanks are dropped (Windows names cannot end in a space anyway).
        var text = Substring(line)
        while let last = text.last, last == " " || last == "\t" || last == "\r" { text.removeLast() }
        if text.isEmpty { return nil }
        if text.hasPrefix("!") {
            throw PatternError("'\(text)': negation (!) is not supported; write patterns only for what to leave out (\\! matches a name starting with !)")
        }
        // `\` separates folders as `/` does (Windows spelling), except a leading `\#` or `\!` (gitignore's escapes).
        let escapedStart = text.hasPrefix("\\#") || text.hasPrefix("\\!")
        var body = Substring((escapedStart ? "\\" + text.dropFirst().prefix(1) : "")
                             + text.dropFirst(escapedStart ? 2 : 0).replacingOccurrences(of: "\\", with: "/"))
        let foldersOnly = body.hasSuffix("/")
        while body.hasSuffix("/") { body.removeLast() }
        let anchored = body.contains("/")
        let parts = body.split(separator: "/").map(String.init)
        guard !parts.isEmpty else { throw PatternError("'\(text)': names no file or folder") }
        return ExcludePattern(text: String(text), parts: parts, anchored: anchored, foldersOnly: foldersOnly)
    }

    /// Why a pattern cannot be used.
    struct PatternError: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// True when the path `components`, or one of its parent folders, matches. `isFolder` tells whether the
    /// last component is a folder (its parents always are).
    func matches(_ components: [String], isFolder: Bool) -> Bool {
        for end in components.indices {
            let folder = end < components.count - 1 || isFolder
            if foldersOnly && !folder { continue }
            let hit = anchored ? Self.match(parts[...], components[...end])
                               : Self.glob(parts[0], components[end])
            if hit { return true }
        }
        return false
    }

    /// Matches pattern parts against path components, "**" standing for any number of folders.
    private static func match(_ parts: ArraySlice<String>, _ names: ArraySlice<String>) -> Bool {
        guard let first = parts.first else { return names.isEmpty }
        guard first == "**" else {
            guard let name = names.first, glob(first, name) else { return false }
            return match(parts.dropFirst(), names.dropFirst())
        }
        let rest = parts.drop(while: { $0 == "**" })
        // A trailing "**" means "everything inside": at least one more component.
        if rest.isEmpty { return !names.isEmpty }
        for skip in 0...names.count where match(rest, names.dropFirst(skip)) { return true }
        return false
    }

    /// One glob against one name, case-sensitively; a leading dot is matched by `*` like any character.
    private static func glob(_ pattern: String, _ name: String) -> Bool {
        fnmatch(pattern, name, 0) == 0
    }
}
