/// Turns a zip entry name into path components that stay inside the output folder, or refuses it.
/// Both `/` and `\` separate folders (Microsoft writes `\`). Refused: absolute paths (`/x`, `\x`,
/// `\\server\share`), drive letters and other `:` (`C:\x`, `C:x`), `..`, NUL bytes, empty names.
/// Names are split and compared as UTF-8 bytes, never as `Character`s: a grapheme cluster would hide a
/// separator followed by a combining mark (`../\u{301}x` is `..` then `\u{301}x` to the file system).
public enum SafePath {
    /// The path components of the entry `name`; throws `badInput` for a name that could leave the output folder.
    public static func components(of name: String) throws -> [String] {
        func refuse(_ why: String) -> IntuneWinError {
            .badInput(name.replacingOccurrences(of: "\0", with: "\\0"), "unsafe entry name: \(why)")
        }
        let slash = UInt8(ascii: "/"), backslash = UInt8(ascii: "\\"), dot = UInt8(ascii: ".")
        let bytes = Array(name.utf8)
        guard let first = bytes.first else { throw refuse("empty") }
        guard !bytes.contains(0) else { throw refuse("contains a NUL byte") }
        guard first != slash, first != backslash else { throw refuse("absolute path") }
        guard !bytes.contains(UInt8(ascii: ":")) else { throw refuse("drive letter or ':' in name") }
        var result: [String] = []
        for part in bytes.split(omittingEmptySubsequences: true, whereSeparator: { $0 == slash || $0 == backslash }) {
            if part.elementsEqual([dot]) { continue }
            guard !part.elementsEqual([dot, dot]) else { throw refuse("'..' leaves the output folder") }
            // Splitting valid UTF-8 at ASCII bytes leaves valid UTF-8.
            result.append(String(decoding: part, as: UTF8.self))
        }
        guard !result.isEmpty else { throw refuse("names no file") }
        return result
    }
}

extension SafePath {
    /// Checks every entry of a zip before anything is written: each name safe; no two files for the
    /// same path, nor for paths that differ only in letter case (IME extracts on NTFS, where one would
    /// overwrite the other); no name that is a file in one entry and a folder in another. Folders may
    /// repeat, in any letter case (NTFS merges them). Returns each entry with its components.
    public static func plan(_ zip: ZipReader) throws -> [(entry: ZipEntry, components: [String])] {
        var plan: [(entry: ZipEntry, components: [String])] = []
        plan.reserveCapacity(zip.entries.count)
        // Exact paths of files; NTFS-folded paths of files and of folders (named or implied by a file's path).
        // Sized for every entry up front: 50,000-entry packages otherwise spend their time rehashing.
        var files = Set<ExactName>(minimumCapacity: zip.entries.count), folders = Set<ExactName>()
        var foldedFiles = [FoldedName: String](minimumCapacity: zip.entries.count)
        var foldedFolders: [FoldedName: String] = [:]
        func refuse(_ entry: ZipEntry, _ why: String) -> IntuneWinError {
            .badInput(zip.source.path, "\(entry.name.replacingOccurrences(of: "\0", with: "\\0")): \(why)")
        }
        for entry in zip.entries {
            let parts: [String]
            do { parts = try components(of: entry.name) } catch let error as IntuneWinError {
                throw IntuneWinError.badInput(zip.source.path, "\(error.path): \(error.reason)")  // name the file too
            }
            let path = parts.joined(separator: "/")
            if !entry.isDirectory {
                let folded = FoldedName(path)
                guard files.insert(ExactName(path)).inserted else { throw refuse(entry, "duplicate entry name") }
                if let other = foldedFiles[folded] {
                    throw refuse(entry, "duplicate entry name (differs only in letter case from \(other); Windows would overwrite one with the other)")
                }
                if foldedFolders[folded] != nil { throw refuse(entry, "entry name is both a file and a folder") }
                foldedFiles[folded] = path
            }
            // The folders this entry names or implies, deepest first; one seen before has its parents recorded too.
            for end in stride(from: entry.isDirectory ? parts.count : parts.count - 1, to: 0, by: -1) {
                let folder = parts[..<end].joined(separator: "/")
                guard folders.insert(ExactName(folder)).inserted else { break }
                let key = FoldedName(folder)
                if foldedFiles[key] != nil { throw refuse(entry, "entry name is both a file and a folder (\(folder))") }
                foldedFolders[key] = folder
            }
            plan.append((entry, parts))
        }
        return plan
    }
}

/// A path as NTFS compares names (upper-cased UTF-16 units), hashed as one block of bytes rather than
/// unit by unit.
private struct FoldedName: Hashable {
    let units: [UInt16]

    init(_ path: String) { units = ntfsSortKey(path) }

    func hash(into hasher: inout Hasher) { units.withUnsafeBytes { hasher.combine(bytes: $0) } }
}

/// A path as its exact UTF-8 bytes (not as a Swift `String`, whose equality would merge NFC and NFD
/// spellings that file systems keep apart), hashed as one block of bytes.
private struct ExactName: Hashable {
    let bytes: [UInt8]

    init(_ path: String) { bytes = Array(path.utf8) }

    func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }
}
