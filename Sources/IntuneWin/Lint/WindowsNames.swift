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

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return digits.count < 2 ? "0" + digits : digits
    }
}
