import Foundation

/// Escaping for text from the logs (app names, command lines, file names, log lines: whoever made the app
/// chose them) in an HTML document: the same escaping is safe in text and in quoted attribute values.
/// `& < > " '` become character references; control characters become visible Control Pictures (U+2400…)
/// or `<U+XXXX>`, and so do the invisible characters that reorder or hide text (bidirectional overrides,
/// zero-width characters), so a line cannot pretend to say something it does not.
enum HTMLEscape {
    /// `text` safe between tags and inside a quoted attribute value.
    static func text(_ text: String) -> String {
        var out = ""
        append(text, to: &out)
        return out
    }

    /// Appends `text`, escaped, to `out`.
    static func append(_ text: String, to out: inout String) {
        // Fast path: nothing to escape (most log text), one append.
        if !text.unicodeScalars.contains(where: needsEscape) {
            out += text
            return
        }
        out.reserveCapacity(out.utf8.count + text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else { out.unicodeScalars.append(scalar); continue }
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if scalar.value < 0x20 {
                    out.unicodeScalars.append(Unicode.Scalar(0x2400 + scalar.value)!)  // ␀ … ␟
                } else if scalar.value == 0x7F {
                    out += "\u{2421}"  // ␡
                } else {
                    out += "&lt;U+" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4) + "&gt;"
                }
            }
        }
    }

    /// Whether `scalar` is written other than as itself.
    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x20 || v == 0x7F { return true }
        if v < 0x80 { return v == 0x26 || v == 0x3C || v == 0x3E || v == 0x22 || v == 0x27 }
        return (0x80...0x9F).contains(v)              // C1 controls
            || (0x200B...0x200F).contains(v)          // zero-width space/joiners, LRM, RLM
            || (0x202A...0x202E).contains(v)          // bidirectional embeddings and overrides
            || (0x2066...0x2069).contains(v)          // bidirectional isolates
            || v == 0xFEFF || v == 0x2028 || v == 0x2029 || (0xFFF9...0xFFFB).contains(v)  // BOM, separators, annotations
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
