import ArgumentParser
import IntuneWin

// Options several commands share, declared once (as swift-argument-parser's Math example does), so each
// is spelled, explained and validated the same way everywhere.

/// `--json`: the result as JSON for scripts (schemas in docs/schemas/).
struct OutputFormatOptions: ParsableArguments {
    @Flag(name: .customLong("json"), help: "Print the result as JSON (schemas in docs/schemas/).")
    var json = false
}

/// `--force`: replace an output that exists.
struct OverwriteOptions: ParsableArguments {
    @Flag(name: .customLong("force"), help: "Overwrite an existing output.")
    var force = false
}

/// `--no-size-limits`: accept content over the size limits that stop zip bombs.
struct SizeLimitOptions: ParsableArguments {
    @Flag(name: .customLong("no-size-limits"), help: "Accept entries that declare more than 64 GiB in all, more than 1000 times the package beyond 1 GiB, or more than the free space.")
    var noSizeLimits = false

    /// The limits the library applies.
    var limits: SizeLimits { noSizeLimits ? .none : .default }
}

/// The source folder, its setup file and what to leave out, as Microsoft's tool spells them (`-c -s`).
struct SourceOptions: ParsableArguments {
    @Option(name: [.customShort("c"), .customLong("content")], help: ArgumentHelp("Source folder: all of its files are packed.", valueName: "folder"), completion: .directory)
    var content: String

    @Option(name: [.customShort("s"), .customLong("setup")], help: ArgumentHelp("Setup file: a name in the source folder or a path inside it.", valueName: "file"), completion: .file())
    var setup: String

    @Option(name: .customLong("exclude"), help: ArgumentHelp("Leave out files matching this pattern (repeatable; .gitignore-like: *.log, .git, docs/*.md, build/; also read from <source>/.intunewinignore).", valueName: "glob"))
    var exclude: [String] = []

    @Flag(name: .customLong("follow-links"), help: "Pack what symbolic links leaving the source folder point to (otherwise such a link is an error naming it; links inside the folder are always followed).")
    var followLinks = false
}

/// `-q`: no progress line (pack's `-q` also overwrites, as Microsoft's tool does; elsewhere `--force` does).
struct QuietOptions: ParsableArguments {
    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "No progress line.")
    var quiet = false
}
