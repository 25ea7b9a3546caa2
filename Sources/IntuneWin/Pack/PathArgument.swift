/// A folder or file path given as an argument (`-c`, `-o`, `-a`), spelled as on Windows or here: `\`
/// separates folders as `/` does (`.\MyApp\`, `..\out\w5`), so no folder the tool creates ever has a `\`
/// in its name; a drive path (`C:\out`, `C:out`) or a network path (`\\server\share`) names a place on
/// another machine and is refused.
enum PathArgument {
    /// `path` with every `\` turned into `/`. Throws a usage error naming `path` and `what` it is (for
    /// example "output folder") for a drive or network path, and for an empty path.
    static func local(_ path: String, what: String) throws -> String {
        guard !path.isEmpty else { throw IntuneWinError.usage(path, "\(what): an empty path names no folder") }
        let scalars = Array(path.unicodeScalars.prefix(2))
        if scalars.count == 2, scalars[1] == ":", scalars[0].isASCII, scalars[0].properties.isAlphabetic {
            throw IntuneWinError.usage(path, "\(what) is a Windows drive path; give a path on this machine (such as ./out or /mnt/c/out)")
        }
        if path.hasPrefix("\\\\") {
            throw IntuneWinError.usage(path, "\(what) is a Windows network path; give a path on this machine (mount the share first)")
        }
        return path.replacingOccurrences(of: "\\", with: "/")
    }
}
