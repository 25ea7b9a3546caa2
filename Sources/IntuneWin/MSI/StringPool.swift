import Foundation

/// The MSI string table: `_StringPool` (code page, then a length/refcount pair per string id) and
/// `_StringData` (the strings' bytes back to back, in the database code page). Column values that are
/// strings hold an index into it: 2 bytes wide, or 3 when the pool's "long references" flag is set.
public struct StringPool: Sendable {
    /// The database code page the strings are decoded with (0 for neutral).
    public let codePage: Int
    /// Bytes per string reference in table rows: 2, or 3 for databases with more than 65,535 strings.
    public let referenceWidth: Int
    /// strings[i] is string id i; id 0 is the null string.
    public let strings: [String]

    init(pool: [UInt8], data: [UInt8], path: String) throws {
        guard pool.count >= 4, pool.count % 4 == 0 else {
            throw IntuneWinError.badInput(path, "MSI _StringPool is \(pool.count) bytes, not a whole number of entries")
        }
        func word(_ i: Int) -> Int { Int(pool[i * 2]) | Int(pool[i * 2 + 1]) << 8 }
        let flags = word(1)
        codePage = word(0) | (flags & 0x7FFF) << 16
        referenceWidth = flags & 0x8000 != 0 ? 3 : 2
        let count = pool.count / 4
        var result = [""]
        result.reserveCapacity(count)
        var offset = 0
        var i = 1
        while i < count {
            let length: Int
            if word(i * 2) == 0 && word(i * 2 + 1) == 0 {
                result.append("")  // an unused id still takes its place
                i += 1
                continue
            }
            if word(i * 2) == 0 {
                // A string over 64 KiB: this entry's refcount field is nonzero and the next entry holds the length.
                guard i + 1 < count else { throw IntuneWinError.badInput(path, "MSI _StringPool ends inside a long-string entry") }
                length = word(i * 2 + 3) << 16 | word(i * 2 + 2)
                i += 2
            } else {
                length = word(i * 2)
                i += 1
            }
            guard length <= data.count - offset else {
                throw IntuneWinError.badInput(path, "MSI _StringData is shorter than _StringPool says (string \(result.count))")
            }
            result.append(Self.decode(Array(data[offset..<offset + length]), codePage: codePage))
            offset += length
        }
        strings = result
    }

    /// Decodes a string's bytes in `codePage` (the database's, or the summary information's PID_CODEPAGE):
    /// UTF-8 (65001), the Windows single-byte code pages Foundation knows (1250-1254), Shift-JIS (932),
    /// US-ASCII (20127) and the ISO Latin pages (28591, 28592); Windows-1252 for code page 0 (neutral) and
    /// any other, then Latin-1 byte for byte when that fails (shown approximately; ASCII is exact).
    static func decode(_ bytes: [UInt8], codePage: Int) -> String {
        if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        if codePage == 65001, let s = String(validating: bytes, as: UTF8.self) { return s }
        if let encoding = Self.encoding(codePage), let s = String(data: Data(bytes), encoding: encoding) { return s }
        if let s = String(data: Data(bytes), encoding: .windowsCP1252) { return s }
        return String(bytes.map { Character(Unicode.Scalar($0)) })
    }

    /// Foundation's encoding for a Windows code page number; nil for one it has no decoder for.
    static func encoding(_ codePage: Int) -> String.Encoding? {
        switch codePage {
        case 65001: return .utf8
        case 1250: return .windowsCP1250
        case 1251: return .windowsCP1251
        case 1252: return .windowsCP1252
        case 1253: return .windowsCP1253
        case 1254: return .windowsCP1254
        case 932: return .shiftJIS
        case 20127: return .ascii
        case 28591: return .isoLatin1
        case 28592: return .isoLatin2
        default: return nil
        }
    }

    /// The string for an id from a table cell; nil for id 0 (null) or an id out of range.
    func string(_ id: Int) -> String? {
        guard id > 0, id < strings.count else { return nil }
        return strings[id]
    }
}
