import IntuneWin

/// Shared output of `unpack` and `decrypt`.
enum DecryptReport {
    /// `plain`: the content was not encrypted (NoEncryption) and was copied; `keySource`: where the keys came from.
    static func print(_ result: DecryptResult, json: Bool, plain: Bool = false, keySource: String? = nil) throws {
        if json {
            return try Terminal.json(DecryptJSON(output: result.outputPath, plainSize: result.plainSize, checked: result.checked,
                                                 notChecked: result.notChecked, encrypted: !plain, keySource: keySource,
                                                 files: result.extracted?.files, folders: result.extracted?.folders,
                                                 bytes: result.extracted?.bytes))
        }
        if let keySource { Terminal.line("Key material from \(keySource)") }
        if plain { Terminal.line("The content is not encrypted (ProfileIdentifier NoEncryption): taken as it is") }
        if let x = result.extracted {
            Terminal.line("Extracted \(x.files) files, \(x.folders) folders (\(Terminal.bytes(x.bytes))) to \(result.outputPath)")
        } else {
            Terminal.line("\(plain ? "Copied" : "Decrypted") \(Terminal.bytes(result.plainSize)) to \(result.outputPath)")
        }
        Terminal.line("  Checked: \(result.checked.joined(separator: ", "))")
        for item in result.notChecked { Terminal.warning("integrity not verified: \(item)") }
    }
}

/// `decrypt --json` and `unpack --json`: what was written and what was checked; files, folders and bytes
/// only when extracted into a folder, keySource only when the keys came from elsewhere.
struct DecryptJSON: Encodable {
    var output: String
    var plainSize: UInt64
    var checked: [String]
    var notChecked: [String]
    var encrypted: Bool
    var keySource: String?
    var files: Int?
    var folders: Int?
    var bytes: UInt64?
}
