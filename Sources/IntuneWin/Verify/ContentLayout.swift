/// The shape of a package's content as IME uses it: it extracts the inner zip into a folder and runs
/// SetupFile from that folder's root. Answers whether SetupFile names a file there (not a folder, not a
/// file one level deeper) and whether every entry sits under one extra top folder, as some packers
/// write it when they zip the source folder itself rather than what is inside it.
struct ContentLayout {
    /// Files, by lower-cased `/`-separated name (Windows matches names without regard to case).
    private var files: Set<String> = []
    /// Folders, named or implied by the files in them, lower-cased, without the trailing `/`.
    private var folders: Set<String> = []
    /// The one folder every entry is under, as written; nil when an entry lies at the root.
    let topFolder: String?

    init(_ zip: ZipReader) {
        var top: String? = nil
        var shared = !zip.entries.isEmpty
        for entry in zip.entries {
            let name = entry.portableName
            let parts = name.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
            guard !parts.isEmpty else { shared = false; continue }
            let lower = parts.map { $0.lowercased() }
            if entry.isDirectory { folders.insert(lower.joined(separator: "/")) } else { files.insert(lower.joined(separator: "/")) }
            for depth in 1..<max(1, lower.count) { folders.insert(lower[0..<depth].joined(separator: "/")) }
            // An entry at the root (a file, or a second folder) means there is no single top folder.
            if parts.count == 1 && !entry.isDirectory { shared = false }
            if let top, top.lowercased() != lower[0] { shared = false }
            if top == nil { top = parts[0] }
        }
        topFolder = shared ? top : nil
    }

    /// SetupFile as IME looks it up: `\` separated, relative to the content's root.
    private static func normalized(_ setupFile: String) -> String {
        setupFile.replacingOccurrences(of: "\\", with: "/").split(separator: "/").joined(separator: "/").lowercased()
    }

    /// Whether `setupFile` names a file at the content's root; the detail says what it names otherwise.
    func setupFileCheck(_ setupFile: String) -> (Bool, String) {
        let name = Self.normalized(setupFile)
        if name.isEmpty { return (false, "SetupFile is empty") }
        if files.contains(name) { return (true, "\(setupFile) is in the content") }
        if folders.contains(name) { return (false, "\(setupFile) names a folder in the content, not a file IME can run") }
        if let topFolder, files.contains(topFolder.lowercased() + "/" + name) {
            return (false, "\(setupFile) is not at the content's root: it is \(topFolder)/\(setupFile), one folder deeper")
        }
        return (false, "\(setupFile) is not in the content")
    }

    /// Whether the content starts at its root. Nil (the check is skipped) when every entry is under one
    /// folder and there is no SetupFile to say whether that folder is meant.
    func rootCheck(setupFile: String?) -> (Bool?, String) {
        guard let topFolder else { return (true, "the content has entries at its root") }
        guard let setupFile else { return (nil, "every entry is under \(topFolder)/ (no SetupFile to check that against)") }
        let name = Self.normalized(setupFile)
        if name.hasPrefix(topFolder.lowercased() + "/") {
            return (true, "every entry is under \(topFolder)/, and SetupFile names that folder")
        }
        return (false, "every entry is under one extra folder, \(topFolder)/: IME extracts the content and runs SetupFile from the folder above it")
    }
}
