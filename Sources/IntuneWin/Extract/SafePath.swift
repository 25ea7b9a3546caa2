import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns a zip entry name into path components that stay inside the output folder, or refuses it.
/// Both `/` and `\` separate folders (Microsoft writes `\`). Refused: absolute paths (`/x`, `\x`,
/// `\\server\share`), drive letters and other `:` (`C:\x`, `C:x`), `..`, NUL bytes, empty names.
/// Names are split and compared as UTF-8 bytes, never as `Character`s: a grapheme cluster would hide a
/// separator followed by a combining mark (`../\u{301}x` is `..` then `\u{301}x` to the file system).
public enum SafePath {
    /// The path components of the entry `name`; throws `badInput` for a name that could leave the output folder.
    public static func components(of name: String) throws -> [String] {
        var result: [String] = []
        if let why = check(name, part: { result.append(String(decoding: $0, as: UTF8.self)) }) {
            throw IntuneWinError.badInput(name.replacingOccurrences(of: "\0", with: "\\0"), unsafe + why)
        }
        return result
    }

    /// Why `name` could leave the output folder (the reason `components(of:)` would throw), or nil when it
    /// cannot; builds nothing (`list` asks it of every entry).
    public static func unsafeReason(of name: String) -> String? {
        check(name, part: { _ in }).map { unsafe + $0 }
    }

    private static let unsafe = "unsafe entry name: "

    /// One pass over the name's bytes: the refusal, or nil after `part` was given every component
    /// (empty and `.` components skipped). Splitting valid UTF-8 at ASCII bytes leaves valid UTF-8.
    private static func check(_ name: String, part: (UnsafeBufferPointer<UInt8>) -> Void) -> String? {
        var name = name
        return name.withUTF8 { b -> String? in
            guard let base = b.baseAddress, !b.isEmpty else { return "empty" }
            let slash = UInt8(ascii: "/"), backslash = UInt8(ascii: "\\"), dot = UInt8(ascii: ".")
            if memchr(base, 0, b.count) != nil { return "contains a NUL byte" }
            if b[0] == slash || b[0] == backslash { return "absolute path" }
            if memchr(base, Int32(UInt8(ascii: ":")), b.count) != nil { return "drive letter or ':' in name" }
            var from = 0, parts = 0
            for i in 0...b.count where i == b.count || b[i] == slash || b[i] == backslash {
                defer { from = i + 1 }
                switch i - from {
                case 0: continue
                case 1 where b[from] == dot: continue
                case 2 where b[from] == dot && b[from + 1] == dot: return "'..' leaves the output folder"
                default:
                    part(UnsafeBufferPointer(rebasing: b[from..<i]))
                    parts += 1
                }
            }
            return parts == 0 ? "names no file" : nil
        }
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
