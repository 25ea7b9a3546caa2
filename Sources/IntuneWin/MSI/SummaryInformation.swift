import Foundation

/// The `\u{5}SummaryInformation` property set (MS-OLEPS) of an MSI, MSP or MST: title, subject, author,
/// revision number (the package code), page count (schema), word count (source flags) and so on.
public struct SummaryInformation: Sendable {
    /// A property value: the types MSI summaries use (integers, strings and FILETIMEs).
    public enum Property: Sendable, Equatable, CustomStringConvertible {
        /// An integer property.
        case integer(Int)
        /// A string, decoded with the property set's code page (or as UTF-8 when msitools wrote it; see `decodeString`).
        case string(String)
        /// Windows FILETIME converted to Unix seconds.
        case time(Int64)

        /// The value as text; times as `yyyy-MM-dd HH:mm:ss UTC`.
        public var description: String {
            switch self {
            case .integer(let v): return String(v)
            case .string(let s): return s
            case .time(let t):
                let f = DateFormatter()
                f.locale = Locale(identifier: "en_US_POSIX")
                f.timeZone = TimeZone(identifier: "UTC")
                f.dateFormat = "yyyy-MM-dd HH:mm:ss"
                return f.string(from: Date(timeIntervalSince1970: TimeInterval(t))) + " UTC"
            }
        }
    }

    /// Property id → value.
    public let properties: [Int: Property]

    /// Property id → name as MS-OLEPS and `msiinfo` call it, for display.
    public static let names: [Int: String] = [
        1: "Codepage", 2: "Title", 3: "Subject", 4: "Author", 5: "Keywords", 6: "Comments", 7: "Template",
        8: "LastSavedBy", 9: "RevisionNumber", 11: "LastPrinted", 12: "CreateTime", 13: "LastSaveTime",
        14: "PageCount", 15: "WordCount", 16: "CharacterCount", 18: "CreatingApplication", 19: "Security",
    ]

    /// The property `id` when it holds a string; nil otherwise.
    public func string(_ id: Int) -> String? {
        if case .string(let s)? = properties[id] { return s }
        return nil
    }

    /// The property `id` when it holds an integer; nil otherwise.
    public func integer(_ id: Int) -> Int? {
        if case .integer(let v)? = properties[id] { return v }
        return nil
    }

    /// Title (2): "Installation Database" for an MSI.
    public var title: String? { string(2) }
    /// Subject (3): usually the product name; the fallback for Detection.xml's `<Name>`.
    public var subject: String? { string(3) }
    /// Author (4): usually the manufacturer.
    public var author: String? { string(4) }
    /// For an MSI: the package code; for a patch: the patch code and the products it applies to.
    public var revisionNumber: String? { string(9) }
    /// Template (7): platform and languages, e.g. `x64;1033`.
    public var template: String? { string(7) }
    /// Word Count: for an MSI, source flags (bit 0 short names, bit 1 compressed, bit 2 admin image, bit 3 no elevation).
    public var wordCount: Int? { integer(15) }

    /// Reads the stream from the compound file's root storage.
    public static func read(from file: CompoundFile) throws -> SummaryInformation {
        guard let entry = try file.children(of: file.root).first(where: { $0.name == "\u{5}SummaryInformation" }) else {
            throw IntuneWinError.badInput(file.source.path, "no \\005SummaryInformation stream")
        }
        return try parse(try file.read(entry, limit: 1 << 20), path: file.source.path)
    }

    /// A summary string's text. Windows Installer's tools write the bytes in PID_CODEPAGE's code page;
    /// msitools (wixl, msibuild) writes UTF-8 whatever PID_CODEPAGE says, and msiinfo reads it back as
    /// UTF-8. Non-ASCII bytes that form valid UTF-8 are read as UTF-8 (text in a single-byte code page
    /// almost never does: `Ü` in Windows-1252 is one byte, 0xDC, never followed by a continuation byte in
    /// real words); anything else is decoded with the code page.
    static func decodeString(_ bytes: [UInt8], codePage: Int) -> String {
        if bytes.contains(where: { $0 >= 0x80 }), let utf8 = String(validating: bytes, as: UTF8.self) { return utf8 }
        return StringPool.decode(bytes, codePage: codePage)
    }

    static func parse(_ bytes: [UInt8], path: String) throws -> SummaryInformation {
        func fail(_ why: String) -> IntuneWinError { .badInput(path, "summary information: \(why)") }
        var r = ByteReader(bytes)
        guard r.u16() == 0xFFFE else { throw fail("bad byte order mark") }
        guard r.skip(2 + 4 + 16), let sections = r.u32(), sections >= 1, r.skip(16), let offset32 = r.u32() else {
            throw fail("truncated header")
        }
        let sectionStart = Int(offset32)
        var s = ByteReader(bytes, at: 0)
        guard s.skip(sectionStart), let _ = s.u32(), let count = s.u32(), count < 1000 else { throw fail("bad section header") }
        var ids: [(Int, Int)] = []
        for _ in 0..<count {
            guard let id = s.u32(), let off = s.u32() else { throw fail("truncated property list") }
            ids.append((Int(id), Int(off)))
        }
        var codePage = 1252
        var result: [Int: Property] = [:]
        // Code page first: strings depend on it.
        for (id, off) in ids.sorted(by: { ($0.0 == 1 ? 0 : 1) < ($1.0 == 1 ? 0 : 1) }) {
            var p = ByteReader(bytes, at: 0)
            guard sectionStart + off <= bytes.count, p.skip(sectionStart + off), let type = p.u32() else { throw fail("property \(id) outside the stream") }
            switch type & 0xFFFF {
            case 2:  // VT_I2
                guard let v = p.u16() else { throw fail("truncated property \(id)") }
                let value = Int(Int16(bitPattern: v))
                result[id] = .integer(value)
                if id == 1 { codePage = Int(v) }
            case 3:  // VT_I4
                guard let v = p.u32() else { throw fail("truncated property \(id)") }
                result[id] = .integer(Int(Int32(bitPattern: v)))
            case 30:  // VT_LPSTR: length includes the terminating NUL
                guard let n = p.u32(), n < 1 << 20, let raw = p.take(Int(n)) else { throw fail("truncated string property \(id)") }
                let trimmed = Array(raw.prefix { $0 != 0 })
                result[id] = .string(decodeString(trimmed, codePage: codePage))
            case 64:  // VT_FILETIME: 100-ns ticks since 1601
                guard let lo = p.u32(), let hi = p.u32() else { throw fail("truncated time property \(id)") }
                let ticks = UInt64(hi) << 32 | UInt64(lo)
                result[id] = .time(Int64(ticks / 10_000_000) - 11_644_473_600)
            default:
                continue  // other types do not occur in MSI summary information; ignore them
            }
        }
        return SummaryInformation(properties: result)
    }
}
