import ArgumentParser
import Foundation
import IntuneWin

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two packages, encrypted contents, zips or folders; exit 1 when they differ.",
        discussion: """
        Each side is a .intunewin, an encrypted .bin (give its keys with --key-a/--iv-a/--mac-key-a or \
        --encryption-info-a with a Detection.xml, .intunewin or key JSON; the same with -b), a plain zip or a folder, told apart by content, not by name. \
        When both sides have a Detection.xml its fields are compared (never keys, IV, MAC or digest). Files and \
        empty folders are compared by path: size, bytes (CRC-32 from the zip directories, SHA-256 of both \
        streams when those agree) and modification time at the zip's 2-second resolution (local time), so a \
        package and the folder it was packed from compare identical (empty folders: presence only). \
        A --nested-zip package is compared by the files inside its payload.zip, and its launcher settings \
        as metadata (launcher.setup_args, ...), so two nested packages show which files changed.
        Output: `* Field: a -> b`, `- path` (A only), `+ path` (B only), `~ path (size ..., content, mtime ...)`.
        Exit 0 identical, 1 different, 2 usage error (encrypted content without keys), 3 unreadable input.
        """
    )

    @Argument(help: ArgumentHelp("Side A: package, .bin, zip or folder.", valueName: "a"), completion: .file())
    var a: String

    @Argument(help: ArgumentHelp("Side B: package, .bin, zip or folder.", valueName: "b"), completion: .file())
    var b: String

    @Option(name: .customLong("key-a"), help: ArgumentHelp("A's EncryptionKey, base64 (32 bytes), when A is a .bin.", valueName: "b64"))
    var keyA: String?
    @Option(name: .customLong("iv-a"), help: ArgumentHelp("A's InitializationVector, base64 (16 bytes); checked.", valueName: "b64"))
    var ivA: String?
    @Option(name: .customLong("mac-key-a"), help: ArgumentHelp("A's MacKey, base64 (32 bytes).", valueName: "b64"))
    var macKeyA: String?
    @Option(name: .customLong("encryption-info-a"), help: ArgumentHelp("A's key material from a Detection.xml, .intunewin, or Graph/DecryptInfo JSON.", valueName: "file"), completion: .file())
    var encryptionInfoA: String?

    @Option(name: .customLong("key-b"), help: ArgumentHelp("B's EncryptionKey, base64 (32 bytes), when B is a .bin.", valueName: "b64"))
    var keyB: String?
    @Option(name: .customLong("iv-b"), help: ArgumentHelp("B's InitializationVector, base64 (16 bytes); checked.", valueName: "b64"))
    var ivB: String?
    @Option(name: .customLong("mac-key-b"), help: ArgumentHelp("B's MacKey, base64 (32 bytes).", valueName: "b64"))
    var macKeyB: String?
    @Option(name: .customLong("encryption-info-b"), help: ArgumentHelp("B's key material from a Detection.xml, .intunewin, or Graph/DecryptInfo JSON.", valueName: "file"), completion: .file())
    var encryptionInfoB: String?

    @Flag(name: .customLong("ignore-mtime"), help: "Do not compare modification times.")
    var ignoreMtime = false

    @OptionGroup var format: OutputFormatOptions

    /// The key options of one side.
    private struct KeyOptions {
        let suffix: String
        let key: String?, iv: String?, macKey: String?, encryptionInfo: String?

        var given: Bool { key != nil || iv != nil || macKey != nil || encryptionInfo != nil }

        func validate() throws {
            if encryptionInfo != nil && (key != nil || iv != nil || macKey != nil) {
                throw ValidationError("--encryption-info-\(suffix) replaces --key-\(suffix)/--iv-\(suffix)/--mac-key-\(suffix); give one or the other")
            }
            if key == nil && (iv != nil || macKey != nil) {
                throw ValidationError("--iv-\(suffix) and --mac-key-\(suffix) need --key-\(suffix)")
            }
            // Values that cannot be keys are refused before anything is read (as a usage error: validate()
            // turns any other error into exit 1, which diff means as "different").
            do { _ = try source() } catch let error as IntuneWinError { throw ValidationError(error.description) }
        }

        /// The key source of this side, through the resolver every command uses; nil when none was given.
        func source() throws -> KeySource? {
            if let encryptionInfo { return .file(encryptionInfo) }
            guard let key else { return nil }
            let options: [KeyField: String] = [.encryptionKey: "--key-\(suffix)", .initializationVector: "--iv-\(suffix)",
                                               .macKey: "--mac-key-\(suffix)"]
            return .keys(try ContentKeys(base64: key, initializationVector: iv, macKey: macKey,
                                         source: { options[$0] ?? $0.rawValue }))
        }

        /// The side at `path`, with these keys when it is encrypted content.
        func side(_ path: String) throws -> ContentSide {
            let kind = try ContentKind.detect(path)
            if kind != .bin && given {
                Terminal.warning("\(path) is a \(kind.rawValue): the keys given for side \(suffix.uppercased()) are not used")
            }
            let keys = kind == .bin ? try source()?.contentKeys() : nil
            if kind == .bin && keys == nil {
                throw IntuneWinError(.usage, path: path, "not a folder, zip or package; to read it as encrypted content give --key-\(suffix) (with --iv-\(suffix), --mac-key-\(suffix)) or --encryption-info-\(suffix)")
            }
            return try ContentSide(path, kind: kind, keys: keys)
        }
    }

    private var optionsA: KeyOptions { KeyOptions(suffix: "a", key: keyA, iv: ivA, macKey: macKeyA, encryptionInfo: encryptionInfoA) }
    private var optionsB: KeyOptions { KeyOptions(suffix: "b", key: keyB, iv: ivB, macKey: macKeyB, encryptionInfo: encryptionInfoB) }

    func validate() throws {
        try optionsA.validate()
        try optionsB.validate()
    }

    func run() throws {
        let sideA = try optionsA.side(a), sideB = try optionsB.side(b)
        let report = try Differ.diff(sideA, sideB, options: DiffOptions(compareModificationTimes: !ignoreMtime))
        if format.json {
            try Terminal.json(DiffJSON(report, a: sideA, b: sideB))
        } else {
            DiffOutput.lines(report, a: a, b: b).forEach(Terminal.line)
        }
        if !report.identical { throw ExitCode(1) }
    }
}

/// A diff report as text lines or as JSON, with the same facts.
enum DiffOutput {
    static func lines(_ report: DiffReport, a: String, b: String) -> [String] {
        var lines = report.metadata.map { "* \($0.field): \($0.a ?? "(none)") → \($0.b ?? "(none)")" }
        // One sorted list: a path's removal and addition stay next to the paths around them.
        var files: [(String, String)] = report.removed.map { ($0.path, "- \($0.path)\(moved($0))") }
        files += report.added.map { ($0.path, "+ \($0.path)\(moved($0))") }
        files += report.changed.map { ($0.path, "~ \($0.path) (\(facets($0).joined(separator: ", ")))") }
        lines += files.sorted { $0.0 < $1.0 }.map(\.1)
        if report.identical {
            lines.append("\(a) and \(b) are identical (\(report.entriesA) \(report.entriesA == 1 ? "entry" : "entries"))")
        } else {
            var counts: [String] = []
            if !report.metadata.isEmpty { counts.append("\(report.metadata.count) metadata field\(report.metadata.count == 1 ? "" : "s")") }
            counts += ["\(report.added.count) added", "\(report.removed.count) removed", "\(report.changed.count) changed",
                       "\(report.unchanged) unchanged"]
            lines.append("\(a) and \(b) differ: " + counts.joined(separator: ", "))
        }
        return lines
    }

    private static func moved(_ item: DiffItem) -> String {
        item.sameContentAs.map { " (same content as \($0))" } ?? ""
    }

    private static func facets(_ change: ChangedItem) -> [String] {
        var facets: [String] = []
        if let size = change.size { facets.append("size \(size.a) → \(size.b)") }
        if change.contentDiffers { facets.append("content") }
        if let time = change.modified { facets.append("mtime \(time.a.text) → \(time.b.text)") }
        return facets
    }
}
