import ArgumentParser
import IntuneWin

/// Catches what would otherwise fall into Microsoft-style `pack` with a confusing message: an unknown
/// command (`inf`, `pakc`) or option (`--contnet`), and `help` after a command. Each gets a one-line
/// error with "did you mean" and the command's help to read.
enum ArgumentCheck {
    /// A usage mistake found before parsing.
    struct Mistake: Error {
        let message: String
        let helpCommand: String
    }

    static let commands: [ParsableCommand.Type] = IntuneWinTool.configuration.subcommands
    /// Options swift-argument-parser answers itself, for any command.
    static let rootOptions: Set<String> = ["--help", "--version", "--generate-completion-script", "--experimental-dump-help"]

    /// Options declared with `parsing: .unconditional`: their value may start with a dash.
    static let anyValueOptions: Set<String> = ["--setup-args", "--uninstall-args", "--uninstall-cmd", "--launcher-timeout"]

    /// `args` with `help` after a command turned into `--help`; throws a `Mistake` for an unknown
    /// command or option.
    static func check(_ args: [String]) throws -> [String] {
        guard let first = args.first else { return ["--help"] }
        let names = commands.map { $0._commandName }
        let command: ParsableCommand.Type
        var rest = args[...]
        if let index = names.firstIndex(of: first) {
            command = commands[index]
            rest = args.dropFirst()
            if rest.first == "help" { return [first, "--help"] }
        } else if first == "help" {
            return args.count > 1 && names.contains(args[1]) ? [args[1], "--help"] : ["--help"]
        } else if !first.hasPrefix("-") {
            let near = closest(first, among: names)
            throw Mistake(message: "unknown command '\(first)'" + (near.map { "; did you mean '\($0)'?" } ?? ""), helpCommand: "")
        } else {
            command = Pack.self  // Microsoft's spelling: no command word
        }
        // The option names come from the generated help: built only when a long option is given (a command
        // line of short options and paths, as in scripts, starts without it).
        // The value after an option that takes any text (installer arguments start with dashes) is no option.
        let values = Set(rest.indices.filter { $0 > rest.startIndex && anyValueOptions.contains(rest[$0 - 1]) })
        rest = ArraySlice(rest.indices.filter { !values.contains($0) }.map { rest[$0] })
        let long = rest.filter { $0.hasPrefix("--") && $0.count > 2 }
        let known = long.isEmpty ? [] : optionNames(of: command)
        for arg in long {
            let name = String(arg.split(separator: "=", maxSplits: 1)[0])
            guard !known.contains(name), !rootOptions.contains(name) else { continue }
            let near = closest(name, among: Array(known))
            throw Mistake(message: "unknown option '\(name)' for \(command._commandName)" + (near.map { "; did you mean '\($0)'?" } ?? ""),
                          helpCommand: command._commandName)
        }
        if rest.contains(where: { $0 == "-v" || $0 == "-V" }), command != Pack.self || args.count > 1 {
            throw Mistake(message: "unknown option '-v' for \(command._commandName); the version is 'intunewin-tool --version'",
                          helpCommand: command._commandName)
        }
        return args
    }

    /// The subcommand `args` run: its own name, or `pack` for Microsoft's spelling; nil for the root alone.
    static func commandName(in args: [String]) -> String? {
        guard let first = args.first else { return nil }
        if commands.contains(where: { $0._commandName == first }) { return first }
        return first.hasPrefix("-") && !rootOptions.contains(first) ? Pack._commandName : nil
    }

    /// Every `--name` the command's help lists (the help is generated from the declarations, so it names them all).
    static func optionNames(of command: ParsableCommand.Type) -> Set<String> {
        let help = command.helpMessage(columns: 1000)
        var names = Set<String>()
        var index = help.startIndex
        while let range = help.range(of: "--", range: index..<help.endIndex) {
            var end = range.upperBound
            while end < help.endIndex, help[end].isLetter || help[end].isNumber || help[end] == "-" { end = help.index(after: end) }
            if end > range.upperBound { names.insert(String(help[range.lowerBound..<end])) }
            index = end
        }
        return names
    }

    /// The candidate nearest to `word` when it is near enough to be a typo (edit distance ≤ 2, or a prefix).
    static func closest(_ word: String, among candidates: [String]) -> String? {
        let scored = candidates.map { (PackagePaths.editDistance(Array(word.utf8), Array($0.utf8), limit: 2), $0) }.filter { $0.0 <= 2 || ($0.1.hasPrefix(word) && word.count >= 3) }
        return scored.min { ($0.0, $0.1) < ($1.0, $1.1) }?.1
    }
}
