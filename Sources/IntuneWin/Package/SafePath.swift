/// Turns a zip entry name into path components that stay inside the output folder, or refuses it.
/// Both `/` and `\` separate folders (Microsoft writes `\`). Refused: absolute paths (`/x`, `\x`,
/// `\\server\share`), drive letters and other `:` (`C:\x`, `C:x`), `..`, NUL bytes, empty names.
public enum SafePath {
    public static func components(of name: String) throws -> [String] {
        func refuse(_ why: String) -> IntuneWinError {
            .badInput(name.replacingOccurrences(of: "\0", with: "\\0"), "unsafe entry name: \(why)")
        }
        guard !name.isEmpty else { throw refuse("empty") }
        guard !name.unicodeScalars.contains("\0") else { throw refuse("contains a NUL byte") }
        guard let first = name.unicodeScalars.first, first != "/", first != "\\" else { throw refuse("absolute path") }
        guard !name.contains(":") else { throw refuse("drive letter or ':' in name") }
        let parts = name.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "/" || $0 == "\\" }).map(String.init)
        var result: [String] = []
        for part in parts {
            if part == "." { continue }
            guard part != ".." else { throw refuse("'..' leaves the output folder") }
            result.append(part)
        }
        guard !result.isEmpty else { throw refuse("names no file") }
        return result
    }
}

extension SafePath {
    /// Checks every entry of a zip before anything is written: each name safe, no two entries for the
    /// same path. Returns each entry with its components.
    public static func plan(_ zip: ZipReader) throws -> [(entry: ZipEntry, components: [String])] {
        var plan: [(entry: ZipEntry, components: [String])] = []
        var seen = Set<String>()
        for entry in zip.entries {
            let parts = try components(of: entry.name)
            let key = parts.joined(separator: "/")
            guard seen.insert(key).inserted || entry.isDirectory else {
                throw IntuneWinError.badInput(zip.source.path, "\(entry.name): duplicate entry name")
            }
            plan.append((entry, parts))
        }
        return plan
    }
}
