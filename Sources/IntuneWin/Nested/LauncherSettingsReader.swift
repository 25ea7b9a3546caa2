import Foundation

/// Reads back the settings a nested-zip package's launcher holds: `launcher.ini` (native) or the data
/// block of `install.ps1` (powershell), the inverse of `NativeLauncher.settingsFile` and
/// `LauncherScript.render`. Used by `info`, `verify` and `diff`; a file that is not in the shape this tool
/// writes is bad input naming the line.
enum LauncherSettingsReader {
    /// The settings in a `launcher.ini`.
    static func ini(_ bytes: [UInt8], path: String) throws -> LauncherSettings {
        var values: [String: String] = [:]
        var text = String(decoding: bytes, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            if line.hasPrefix(";") || line.hasPrefix("#") || line.allSatisfy(\.isWhitespace) { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw IntuneWinError.badInput(path, "launcher.ini line without '=': \(line.prefix(40))")
            }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return try settings(values, path: path, file: NativeLauncher.settingsName, keys: [
            "app_name", "payload", "payload_sha256", "extract_to", "setup", "setup_args",
            "uninstall_command", "uninstall_args", "timeout_minutes",
        ])
    }

    /// The settings in the data block of an `install.ps1`.
    static func script(_ bytes: [UInt8], path: String) throws -> LauncherSettings {
        var text = String(decoding: bytes, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            String(String.UnicodeScalarView(line.last == "\r" ? line.dropLast() : line[...]))
        }
        guard let start = lines.firstIndex(of: LauncherTemplate.dataStart),
              let end = lines[start...].firstIndex(of: LauncherTemplate.dataEnd) else {
            throw IntuneWinError.badInput(path, "install.ps1 has no settings block")
        }
        var values: [String: String] = [:]
        for line in lines[(start + 1)..<end] {
            guard line.hasPrefix("$"), let equals = line.range(of: " = ") else {
                throw IntuneWinError.badInput(path, "install.ps1 settings line not understood: \(line.prefix(40))")
            }
            let name = line[line.index(after: line.startIndex)..<equals.lowerBound].trimmingCharacters(in: .whitespaces)
            guard let value = try expression(String(line[equals.upperBound...])) else { continue }  // $null
            values[name] = value
        }
        return try settings(values, path: path, file: LauncherScript.fileName, keys: [
            "AppName", "PayloadFileName", "PayloadSHA256", "ExtractTo", "SetupFile", "SetupArguments",
            "UninstallCommand", "UninstallArguments", "TimeoutMinutes",
        ])
    }

    /// The settings from `values`, looked up by the file's own key names (in `LauncherSettings`' order).
    private static func settings(_ values: [String: String], path: String, file: String, keys: [String]) throws -> LauncherSettings {
        func required(_ key: String) throws -> String {
            guard let value = values[key] else { throw IntuneWinError.badInput(path, "\(file) has no \(key)") }
            return value
        }
        guard let timeout = Int(try required(keys[8])) else {
            throw IntuneWinError.badInput(path, "\(file): \(keys[8]) is not a number")
        }
        return LauncherSettings(appName: try required(keys[0]), payloadFileName: try required(keys[1]),
                                payloadSHA256: try required(keys[2]), extractTo: try required(keys[3]),
                                setupFile: try required(keys[4]), setupArguments: values[keys[5]] ?? "",
                                uninstallCommand: values[keys[6]], uninstallArguments: values[keys[7]],
                                timeoutMinutes: timeout)
    }

    /// The value of a data-block expression: `$null` (nil), a number, or single-quoted literals and
    /// `[char]N` joined with `+` (what `LauncherScript.literal` writes).
    static func expression(_ text: String) throws -> String? {
        let source = text.trimmingCharacters(in: .whitespaces)
        if source == "$null" { return nil }
        if !source.isEmpty, source.allSatisfy(\.isNumber) { return source }
        var scalars = Array(source.unicodeScalars)[...]
        var value = String.UnicodeScalarView()
        func bad() -> IntuneWinError { .badInput(LauncherScript.fileName, "settings value not understood: \(source.prefix(40))") }
        while true {
            while scalars.first == " " { scalars.removeFirst() }
            if scalars.first.map(LauncherScript.singleQuotes.contains) == true {
                scalars.removeFirst()
                while true {
                    guard let c = scalars.popFirst() else { throw bad() }
                    if LauncherScript.singleQuotes.contains(c) {
                        guard let next = scalars.first, LauncherScript.singleQuotes.contains(next) else { break }
                        scalars.removeFirst()
                        value.append(next)
                    } else {
                        value.append(c)
                    }
                }
            } else if String(String.UnicodeScalarView(scalars.prefix(6))) == "[char]" {
                scalars.removeFirst(6)
                let digits = scalars.prefix { $0.properties.numericType != nil && $0.isASCII }
                guard let code = UInt32(String(String.UnicodeScalarView(digits))), let scalar = Unicode.Scalar(code) else { throw bad() }
                scalars.removeFirst(digits.count)
                value.append(scalar)
            } else {
                throw bad()
            }
            while scalars.first == " " { scalars.removeFirst() }
            guard let next = scalars.popFirst() else { return String(value) }
            guard next == "+" else { throw bad() }
        }
    }
}
