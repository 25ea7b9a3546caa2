import Foundation

/// The data of one registry value, as a `.reg` export writes it.
public enum RegistryData: Sendable, Equatable {
    /// REG_SZ: `"text"`.
    case string(String)
    /// REG_EXPAND_SZ: `hex(2):` (UTF-16LE text, unexpanded).
    case expandString(String)
    /// REG_MULTI_SZ: `hex(7):`.
    case multiString([String])
    /// REG_DWORD: `dword:0000002a`.
    case dword(UInt32)
    /// REG_QWORD: `hex(b):` (8 bytes, little-endian).
    case qword(UInt64)
    /// REG_BINARY: `hex:`.
    case binary([UInt8])
    /// Any other type `hex(N):`, with its bytes.
    case other(type: UInt32, bytes: [UInt8])

    /// The value as one line of text: strings as they are, numbers in decimal, bytes in hex.
    public var text: String {
        switch self {
        case .string(let s), .expandString(let s): return s
        case .multiString(let list): return list.joined(separator: "\n")
        case .dword(let v): return String(v)
        case .qword(let v): return String(v)
        case .binary(let b), .other(_, let b): return b.map { String(format: "%02x", $0) }.joined(separator: ",")
        }
    }
}

/// One named value of a key (`name` is empty for the key's default value, `@`).
public struct RegistryValue: Sendable, Equatable {
    /// The key's full path as written between the brackets (`HKEY_LOCAL_MACHINE\SOFTWARE\…`).
    public var key: String
    /// The value's name, unescaped; "" for `@`.
    public var name: String
    /// The value's data.
    public var data: RegistryData

    public init(key: String, name: String, data: RegistryData) {
        self.key = key
        self.name = name
        self.data = data
    }
}

/// Reads a `.reg` export (`Windows Registry Editor Version 5.00`, or `REGEDIT4`) value by value, with
/// flat memory: UTF-16LE with a BOM (what regedit and Intune's diagnostics write), UTF-8 or ANSI
/// (Latin-1) text; `[key]` lines, `[-key]` deletions (skipped with their values), `"name"=` and `@=`
/// values with `\\` and `\"` escapes, `dword:`, `hex:`, `hex(N):` data with `\` line continuations,
/// and `"name"=-` deletions (skipped). A value line longer than `maximumLineBytes`, or an export over
/// `maximumBytes`, is refused with `badInput` naming the file.
public enum RegistryExport {
    /// Most bytes (as UTF-8) one export may hold: a whole HKLM export is far smaller.
    public static let maximumBytes: UInt64 = 1 << 30
    /// Most bytes one logical line (a value with its continuations) may hold.
    public static let maximumLineBytes = 8 << 20

    /// Calls `body` with every value of the export read from `stream` (decoded with `TextEncodingStream`).
    public static func read(_ stream: LogByteStream, name: String, _ body: (RegistryValue) throws -> Void) throws {
        let lines = LineSplitter(TextEncodingStream(stream), name: name)
        var header: String?
        var key: String?
        var skipping = false
        var lineNumber = 0
        while let raw = try lines.next() {
            lineNumber = lines.lineNumber
            var line = decode(raw)
            if header == nil {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty { continue }
                guard trimmed == "Windows Registry Editor Version 5.00" || trimmed == "REGEDIT4" else {
                    throw IntuneWinError.badInput(name, "not a registry export (it does not start with \"Windows Registry Editor Version 5.00\" or \"REGEDIT4\")")
                }
                header = trimmed
                continue
            }
            let trimmedStart = line.drop { $0 == " " || $0 == "\t" }
            if trimmedStart.isEmpty || trimmedStart.hasPrefix(";") { continue }
            if trimmedStart.hasPrefix("[") {
                let body = trimmedStart.trimmingCharacters(in: .whitespaces)
                guard body.hasSuffix("]"), body.count >= 2 else {
                    throw IntuneWinError.badInput(name, "line \(lineNumber): a key line without its closing ]")
                }
                let path = String(body.dropFirst().dropLast())
                if path.hasPrefix("-") { key = nil; skipping = true } else { key = path; skipping = false }
                continue
            }
            // Continuations: a value line ending in `\` goes on with the next line.
            while let last = line.last, last == " " || last == "\t" { line.removeLast() }
            while line.hasSuffix("\\") {
                guard let more = try lines.next() else { break }
                line.removeLast()
                line += decode(more).drop { $0 == " " || $0 == "\t" }
                while let last = line.last, last == " " || last == "\t" { line.removeLast() }
                guard line.utf8.count <= maximumLineBytes else {
                    throw IntuneWinError.badInput(name, "line \(lineNumber): a value longer than \(maximumLineBytes) bytes")
                }
            }
            guard !skipping else { continue }
            guard let key else { throw IntuneWinError.badInput(name, "line \(lineNumber): a value before any [key] line") }
            guard let (valueName, rest) = valueName(line.drop { $0 == " " || $0 == "\t" }) else {
                throw IntuneWinError.badInput(name, "line \(lineNumber): not a value (\"name\"=data or @=data)")
            }
            guard let data = try data(rest, ansi: header == "REGEDIT4", name: name, line: lineNumber) else { continue }
            try body(RegistryValue(key: key, name: valueName, data: data))
        }
        guard header != nil else { throw IntuneWinError.badInput(name, "empty: not a registry export") }
    }

    /// Every value of an export in memory (tests, small files).
    public static func values(_ bytes: [UInt8], name: String) throws -> [RegistryValue] {
        var all: [RegistryValue] = []
        try read(MemoryByteStream(bytes), name: name) { all.append($0) }
        return all
    }

    /// UTF-8 when valid, else Latin-1 (ANSI exports).
    private static func decode(_ bytes: ArraySlice<UInt8>) -> String {
        var b = bytes
        while b.starts(with: [0xEF, 0xBB, 0xBF]) { b = b.dropFirst(3) }
        if let s = String(validating: b, as: UTF8.self) { return s }
        return String(String.UnicodeScalarView(b.map { Unicode.Scalar($0) }))
    }

    /// `"name"` (unescaped) or `@`, then `=`; the rest after `=`.
    static func valueName(_ line: Substring) -> (String, Substring)? {
        if line.hasPrefix("@") {
            let rest = line.dropFirst().drop { $0 == " " }
            guard rest.hasPrefix("=") else { return nil }
            return ("", rest.dropFirst())
        }
        guard line.hasPrefix("\""), let (text, after) = quoted(line.dropFirst()) else { return nil }
        let rest = after.drop { $0 == " " }
        guard rest.hasPrefix("=") else { return nil }
        return (text, rest.dropFirst())
    }

    /// A quoted string's text (after the opening quote) up to its closing quote; `\\` and `\"` unescaped
    /// (any other `\x` is kept as written, as regedit reads it).
    static func quoted(_ s: Substring) -> (String, Substring)? {
        var out = ""
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if c == "\"" { return (out, s[s.index(after: i)...]) }
            if c == "\\" {
                let n = s.index(after: i)
                guard n < s.endIndex else { out.append(c); i = n; continue }
                if s[n] == "\\" || s[n] == "\"" { out.append(s[n]); i = s.index(after: n); continue }
            }
            out.append(c)
            i = s.index(after: i)
        }
        return nil
    }

    /// The data after `=`; nil for a deletion (`-`).
    static func data(_ text: Substring, ansi: Bool, name: String, line: Int) throws -> RegistryData? {
        let t = text.trimmingCharacters(in: .whitespaces)
        func bad(_ why: String) -> IntuneWinError { .badInput(name, "line \(line): \(why)") }
        if t == "-" { return nil }
        if t.hasPrefix("\"") {
            guard let (s, rest) = quoted(Substring(t).dropFirst()), rest.allSatisfy({ $0 == " " || $0 == "\t" }) else { throw bad("a string value without its closing quote") }
            return .string(s)
        }
        let lower = t.lowercased()
        if lower.hasPrefix("dword:") {
            guard let v = UInt32(t.dropFirst(6), radix: 16), t.count <= 14 else { throw bad("a dword that is not 1 to 8 hex digits") }
            return .dword(v)
        }
        guard lower.hasPrefix("hex") else { throw bad("unknown value data (not \"…\", dword: or hex:)") }
        var rest = Substring(lower.dropFirst(3))
        var type: UInt32 = 3
        if rest.hasPrefix("(") {
            guard let close = rest.firstIndex(of: ")"), let n = UInt32(rest[rest.index(after: rest.startIndex)..<close], radix: 16) else { throw bad("a hex(N): type that is not a hex number") }
            type = n
            rest = rest[rest.index(after: close)...]
        }
        guard rest.hasPrefix(":") else { throw bad("hex data without its colon") }
        var bytes: [UInt8] = []
        for part in rest.dropFirst().split(separator: ",") {
            let p = part.trimmingCharacters(in: .whitespaces)
            guard p.count <= 2, let b = UInt8(p, radix: 16) else { throw bad("hex data with \"\(p.prefix(8))\", not a byte") }
            bytes.append(b)
        }
        switch type {
        case 1, 2, 7:
            let text = ansi ? String(decoding: bytes, as: UTF8.self) : utf16LE(bytes)
            var parts = text.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
            if type == 7 {
                while parts.last == "" { parts.removeLast() }
                return .multiString(parts)
            }
            let s = parts.first ?? ""
            return type == 1 ? .string(s) : .expandString(s)
        case 3: return .binary(bytes)
        case 4 where bytes.count == 4: return .dword(bytes.reversed().reduce(0) { $0 << 8 | UInt32($1) })
        case 0xB where bytes.count == 8: return .qword(bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) })
        default: return .other(type: type, bytes: bytes)
        }
    }

    /// UTF-16LE bytes as text (lone surrogates and an odd byte become U+FFFD).
    static func utf16LE(_ bytes: [UInt8]) -> String {
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var i = 0
        while i + 1 < bytes.count { units.append(UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8); i += 2 }
        var s = String(decoding: units, as: UTF16.self)
        if bytes.count % 2 == 1 { s.append("\u{FFFD}") }
        return s
    }
}

/// Lines of a stream (LF, a CR before it dropped), each at most `RegistryExport.maximumLineBytes`.
final class LineSplitter {
    private let stream: LogByteStream
    private let name: String
    private var buffer: [UInt8] = []
    private var start = 0
    private var ended = false
    private var total: UInt64 = 0
    private(set) var lineNumber = 0

    init(_ stream: LogByteStream, name: String) {
        self.stream = stream
        self.name = name
    }

    func next() throws -> ArraySlice<UInt8>? {
        var searched = start
        while true {
            if let nl = buffer[searched...].firstIndex(of: 0x0A) {
                var line = buffer[start..<nl]
                start = nl + 1
                lineNumber += 1
                if line.last == 0x0D { line = line.dropLast() }
                return line
            }
            searched = buffer.count
            guard buffer.count - start <= RegistryExport.maximumLineBytes else {
                throw IntuneWinError.badInput(name, "line \(lineNumber + 1): longer than \(RegistryExport.maximumLineBytes) bytes")
            }
            if ended {
                guard start < buffer.count else { return nil }
                var line = buffer[start...]
                start = buffer.count
                lineNumber += 1
                if line.last == 0x0D { line = line.dropLast() }
                return line
            }
            if start > 0 { buffer.removeSubrange(0..<start); searched -= start; start = 0 }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let n = try chunk.withUnsafeMutableBytes { try stream.read(into: $0) }
            total += UInt64(n)
            guard total <= RegistryExport.maximumBytes else {
                throw IntuneWinError.badInput(name, "larger than \(RegistryExport.maximumBytes) bytes, more than a registry export holds")
            }
            if n == 0 { ended = true } else { buffer.append(contentsOf: chunk[0..<n]) }
        }
    }
}
