/// Rewrites IntuneWinAppUtil.exe spellings into ours: its flags match case-insensitively (`-C`), `-qq`
/// means silent, `-v` the version; values may carry surrounding quotes left by Windows scripts.
enum MicrosoftArguments {
    static let letters: Set<String> = ["-c", "-s", "-o", "-a", "-q", "-h"]

    static func normalize(_ args: [String]) -> [String] {
        args.map { arg in
            let lower = arg.lowercased()
            if lower == "-qq" { return "--silent" }
            if lower == "-v" && args.count == 1 { return "--version" }
            if letters.contains(lower) { return lower }
            if arg.count >= 2, arg.hasPrefix("\""), arg.hasSuffix("\"") { return String(arg.dropFirst().dropLast()) }
            return arg
        }
    }
}
