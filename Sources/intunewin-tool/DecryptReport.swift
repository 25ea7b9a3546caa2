import IntuneWin

/// Shared output of `unpack` and `decrypt`.
enum DecryptReport {
    /// `plain`: the content was not encrypted (NoEncryption) and was copied; `keySource`: where the keys came from.
    static func print(_ result: DecryptResult, json: Bool, plain: Bool = false, keySource: String? = nil) throws {
        if json {
            return try Terminal.json(DecryptJSON(output: result.outputPath, unencryptedContentSize: result.plainSize, checked: result.checked,
                                                 notChecked: result.notChecked, encrypted: !plain, keySource: keySource,
                                                 fileCount: result.extracted?.files, folderCount: result.extracted?.folders,
                                                 extractedBytes: result.extracted?.bytes))
        }
        if let keySource { Terminal.line("Key material from \(keySource)") }
        if plain { Terminal.line("The content is not encrypted (ProfileIdentifier NoEncryption): taken as it is") }
        if let x = result.extracted {
            Terminal.line("Extracted \(count(x.files, "file")), \(count(x.folders, "folder")) (\(Terminal.bytes(x.bytes))) to \(result.outputPath)")
        } else {
            Terminal.line("\(plain ? "Copied" : "Decrypted") \(Terminal.bytes(result.plainSize)) to \(result.outputPath)")
        }
        Terminal.line("  Checked: \(result.checked.joined(separator: ", "))")
        for item in result.notChecked { Terminal.warning("integrity not verified: \(item)") }
    }

    /// "1 file", "2 files", "0 files".
    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
}

/// `decrypt --json` and `unpack --json`: what was written and what was checked; the counts and bytes
/// extracted only when extracted into a folder, keySource only when the keys came from elsewhere.
/// `plainSize`, `files`, `folders` and `bytes` are the 0.1 names of `unencryptedContentSize`, `fileCount`,
/// `folderCount` and `extractedBytes`, written until the next release.
struct DecryptJSON: Encodable {
    var output: String
    var unencryptedContentSize: UInt64
    var checked: [String]
    var notChecked: [String]
    var encrypted: Bool
    var keySource: String?
    var fileCount: Int?
    var folderCount: Int?
    var extractedBytes: UInt64?

    enum CodingKeys: String, CodingKey {
        case output, unencryptedContentSize, checked, notChecked, encrypted, keySource, fileCount, folderCount, extractedBytes
        case plainSize, files, folders, bytes  // the 0.1 names, until the next release
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(output, forKey: .output)
        try c.encode(unencryptedContentSize, forKey: .unencryptedContentSize)
        try c.encode(checked, forKey: .checked); try c.encode(notChecked, forKey: .notChecked)
        try c.encode(encrypted, forKey: .encrypted)
        try c.encodeIfPresent(keySource, forKey: .keySource)
        try c.encodeIfPresent(fileCount, forKey: .fileCount); try c.encodeIfPresent(folderCount, forKey: .folderCount)
        try c.encodeIfPresent(extractedBytes, forKey: .extractedBytes)
        try c.encode(unencryptedContentSize, forKey: .plainSize)
        try c.encodeIfPresent(fileCount, forKey: .files); try c.encodeIfPresent(folderCount, forKey: .folders)
        try c.encodeIfPresent(extractedBytes, forKey: .bytes)
    }
}
