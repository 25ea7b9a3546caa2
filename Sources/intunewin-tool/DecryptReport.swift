import IntuneWin

/// Shared output of `unpack` and `decrypt`.
enum DecryptReport {
    /// `plain`: the content was not encrypted (NoEncryption) and was copied; `keySource`: where the keys came from.
    static func print(_ result: DecryptResult, json: Bool, plain: Bool = false, keySource: String? = nil) {
        if json {
            var object: [String: Any] = ["output": result.outputPath, "plainSize": result.plainSize,
                                         "checked": result.checked, "notChecked": result.notChecked, "encrypted": !plain]
            if let keySource { object["keySource"] = keySource }
            if let x = result.extracted { object["files"] = x.files; object["folders"] = x.folders; object["bytes"] = x.bytes }
            Terminal.json(object)
            return
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
