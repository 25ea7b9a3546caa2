/// Which file and folder names Windows cannot create, so IME could not unpack them (Microsoft's "Naming
/// Files, Paths, and Namespaces" rules). Pure string checks, the same on every platform.
enum WindowsNames {
    /// Device names Windows reserves in every folder, compared case-insensitively; the superscript digits
    /// are reserved as well (they fold to 1, 2, 3 in the OEM code page).
    static let reservedDeviceNames: Set<String> = {
        var names: Set<String> = ["CON", "PRN", "AUX", "NUL"]
        for digit in ["1", "2", "3", "4", "5", "6", "7", "8", "9", "\u{B9}", "\u{B2}", "\u{B3}"] {
            names.insert("COM" + digit)
            names.insert("LPT" + digit)
        }
        return names
    }()

    /// Characters a Windows name cannot hold (besides the controls 0x00–0x1F). `\` is the folder
    /// separator, so inside a name it would split it (the scan refuses it already).
    static let forbiddenCharacters: Set<Character> = ["<", ">", ":", "\"", "|", "?", "*", "\\"]

    /// Why Windows cannot create a file or folder called `name`, or nil when it can.
    static func problem(with name: String) -> String? {
        if isPlainlyFine(name) { return nil }
        return fullCheck(name)
    }

    /// True when Windows only renames `name` (a trailing dot or space is dropped) rather than refusing it:
    /// unpacking works, under another name. Meaningful for a name `problem(with:)` objects to.
    static func isOnlyRenamed(_ name: String) -> Bool {
        guard name.hasSuffix(".") || name.hasSuffix(" ") else { return false }
        let kept = String(name.reversed().drop(while: { $0 == "." || $0 == " " }).reversed())
        return !kept.isEmpty && fullCheck(kept) == nil
    }

    /// The rule itself, name by name (`problem(with:)` skips it for names `isPlainlyFine` clears).
    static func fullCheck(_ name: String) -> String? {
        // The device check looks at the part before the first dot, trailing spaces dropped: NUL.txt,
        // "con .log" and con.tar.gz all open the device.
        let stem = name.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let device = String(stem.reversed().drop(while: { $0 == " " }).reversed()).uppercased()
        if reservedDeviceNames.contains(device) {
            return device == name.uppercased() ? "\(device) is a reserved device name on Windows"
                : "\(device) is a reserved device name on Windows, even with an extension"
        }
        if let control = name.unicodeScalars.first(where: { $0.value < 0x20 }) {
            return "contains the control character 0x\(hex(control.value)), which Windows names cannot hold"
        }
        let forbidden = Set(name.filter { forbiddenCharacters.contains($0) })
        if !forbidden.isEmpty {
            let listed = forbiddenCharacters.sorted().filter { forbidden.contains($0) }.map { "\($0)" }.joined(separator: " ")
            return "contains \(listed), which Windows names cannot hold"
        }
        if name.hasSuffix(".") || name.hasSuffix(" ") {
            return "ends in \(name.hasSuffix(".") ? "a dot" : "a space"), which Windows drops, so it names a different file"
        }
        return nil
    }

    /// One pass over the UTF-8 bytes that clears most names without building strings (pack lints every
    /// name; 50,000 files must not cost a second): no control or forbidden character, no trailing dot or
    /// space, and a stem (before the first dot, trailing spaces dropped) that cannot be a device name: too
    /// short or long (3 ASCII letters, or 3 letters and a digit, a superscript digit being 2 bytes), or not
    /// starting with the letter of one.
    /// Anything else takes the full check.
    private static func isPlainlyFine(_ name: String) -> Bool {
        name.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard let last = bytes.last, last != UInt8(ascii: "."), last != UInt8(ascii: " ") else { return false }
            var stemEnd = -1
            for (index, byte) in bytes.enumerated() {
                switch byte {
                case 0..<0x20, UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: ":"), UInt8(ascii: "\""),
                     UInt8(ascii: "|"), UInt8(ascii: "?"), UInt8(ascii: "*"), UInt8(ascii: "\\"):
                    return false
                case UInt8(ascii: "."):
                    if stemEnd < 0 { stemEnd = index }
                default: break
                }
            }
            var stemLength = stemEnd < 0 ? bytes.count : stemEnd
            while stemLength > 0 && bytes[stemLength - 1] == UInt8(ascii: " ") { stemLength -= 1 }
            if stemLength < 3 || stemLength > 5 { return true }
            // Every device name starts with C (CON, COM), P (PRN), A (AUX), N (NUL) or L (LPT).
            switch bytes[0] | 0x20 {
            case UInt8(ascii: "c"), UInt8(ascii: "p"), UInt8(ascii: "a"), UInt8(ascii: "n"), UInt8(ascii: "l"): return false
            default: return true
            }
        } ?? false
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return digits.count < 2 ? "0" + digits : digits
    }
}
