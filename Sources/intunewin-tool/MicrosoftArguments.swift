/// Rewrites IntuneWinAppUtil.exe spellings into ours: its flags match case-insensitively (`-C`), `-qq`
/// means silent, `-v` the version, `-?` and `/?` ask for help; values may carry surrounding quotes left
/// by Windows scripts, and a folder value may end in `\` (`-c .\MyApp\`), which is dropped.
enum MicrosoftArguments {
    static let letters: Set<String> = ["-c", "-s", "-o", "-a", "-q", "-h"]
    /// Options whose value is a path: a trailing `\` is a Windows habit, not part of the name.
    static let pathOptions: Set<String> = ["-c", "-s", "-o", "-a", "--content", "--setup", "--output", "--catalog"]

    static func normalize(_ args: [String]) -> [String] {
        if args.count == 1, ["-?", "/?", "/h", "/help"].contains(args[0].lowercased()) { return ["--help"] }
        var previous = ""
        return args.map { arg in
            defer { previous = arg.lowercased() }
            let lower = arg.lowercased()
            if lower == "-qq" { return "--silent" }
            if lower == "-v" && args.count == 1 { return "--version" }
            if lower == "-?" || lower == "/?" { return "--help" }
            if letters.contains(lower) { return lower }
            if pathOptions.contains(previous) { return pathValue(arg) }
            if let equals = arg.firstIndex(of: "="), pathOptions.contains(String(arg[..<equals]).lowercased()) {
                return String(arg[..<equals]) + "=" + pathValue(String(arg[arg.index(after: equals)...]))
            }
            return unquoted(arg)
        }
    }

    /// A value without the quotes a Windows script left around it.
    static func unquoted(_ value: String) -> String {
        value.count >= 2 && value.hasPrefix("\"") && value.hasSuffix("\"") ? String(value.dropFirst().dropLast()) : value
    }

    /// A path value unquoted, without trailing `\` (kept when the path is nothing else).
    static func pathValue(_ value: String) -> String {
        var path = unquoted(value)
        if path.hasPrefix("\""), !path.dropFirst().contains("\"") { path.removeFirst() }  // `"C:\out\"` loses its closing quote to Windows' escaping
        while path.count > 1, path.hasSuffix("\\") { path.removeLast() }
        return path
    }
}
