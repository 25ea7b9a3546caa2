/// What a file's first bytes say it is (its magic number), checked before a file is called a package
/// or encrypted content: an IME `.bin` has no magic of its own (MAC, IV, then AES blocks), so anything
/// with a known signature is not one, whatever its size.
public enum FileSignature: String, Sendable, Equatable {
    /// A zip starting with a local file header (`PK\x03\x04`): a package, or any zip.
    case zip
    /// An empty zip (`PK\x05\x06`: only the end-of-central-directory record).
    case emptyZip
    /// An OLE compound file (`D0 CF 11 E0 A1 B1 1A E1`): an MSI, MSP, MST or an old Office document.
    case compoundFile
    /// A Windows executable or DLL (`MZ`, and from a file, the `PE` header it points to).
    case windowsExecutable
    /// XML text (`<`, after a BOM and blanks): a Detection.xml, or any XML.
    case xml
    /// JSON text (`{` or `[`, after a BOM and blanks): key material, or any JSON.
    case json
    /// A Git LFS pointer in place of the real file.
    case gitLFSPointer
    /// A gzip stream (`1F 8B 08`).
    case gzip
    /// A PDF document (`%PDF`).
    case pdf
    /// No bytes at all.
    case empty
    /// No signature this tool knows (encrypted content looks like this).
    case unknown

    /// The signature of a file whose first bytes (64, when the file has them) are `head`. Encrypted
    /// content starts with a random MAC, so short signatures need more than their first bytes to count:
    /// gzip its method byte, text a whole head of text and a plausible start (`<` then a name, `{"`).
    /// A PE file's `MZ` is confirmed by `init(of:)`, which can read its `PE` header.
    public init(head: [UInt8]) {
        if head.isEmpty { self = .empty; return }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { self = .zip; return }
        if head.starts(with: [0x50, 0x4B, 0x05, 0x06]) { self = .emptyZip; return }
        if head.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) { self = .compoundFile; return }
        if head.starts(with: [0x4D, 0x5A]) { self = .windowsExecutable; return }
        if head.starts(with: [0x1F, 0x8B, 0x08]) { self = .gzip; return }
        if head.starts(with: Array("%PDF-".utf8)) { self = .pdf; return }
        if head.starts(with: Array("version https://git-lfs.github.com/spec/".utf8)) { self = .gitLFSPointer; return }
        // Text: a UTF-8 BOM or UTF-16 BOM, then blanks, then the first character.
        var text = head
        if text.starts(with: [0xEF, 0xBB, 0xBF]) { text.removeFirst(3) }
        if text.starts(with: [0xFF, 0xFE]) || text.starts(with: [0xFE, 0xFF]) {
            // UTF-16: every other byte is the character (either order), the rest zero.
            text = Array(text.dropFirst(2)).filter { $0 != 0 }
        }
        let blanks: [UInt8] = [0x20, 0x09, 0x0A, 0x0D]
        guard text.allSatisfy({ $0 >= 0x20 || blanks.contains($0) }) else { self = .unknown; return }
        let start = text.drop { blanks.contains($0) }
        guard let first = start.first else { self = .unknown; return }
        let next = start.dropFirst().first { !blanks.contains($0) }
        func isNameStart(_ c: UInt8?) -> Bool {
            guard let c else { return true }  // the head ends there
            return (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == UInt8(ascii: "_") || c == UInt8(ascii: "?")
                || c == UInt8(ascii: "!") || c >= 0x80
        }
        switch first {
        case UInt8(ascii: "<") where isNameStart(start.dropFirst().first): self = .xml
        case UInt8(ascii: "{") where next == nil || next == UInt8(ascii: "\"") || next == UInt8(ascii: "}"): self = .json
        case UInt8(ascii: "[") where next == nil || Array("{[\"]-0123456789tfn".utf8).contains(next!): self = .json
        default: self = .unknown
        }
    }

    /// The signature of the file at `file`'s start; `MZ` counts only with the `PE` header it points to.
    public init(of file: RandomAccessSource) throws {
        let head = try file.readExactly(at: 0, count: Int(min(file.size, 64)))
        self.init(head: head)
        if self == .windowsExecutable {
            var confirmed = false
            if head.count >= 64 {
                let offset = UInt64(head[0x3C]) | UInt64(head[0x3D]) << 8 | UInt64(head[0x3E]) << 16 | UInt64(head[0x3F]) << 24
                if offset >= 64, offset + 4 <= file.size {
                    confirmed = try file.readExactly(at: offset, count: 4) == [0x50, 0x45, 0, 0]
                }
            }
            if !confirmed { self = .unknown }
        }
    }

    /// The signature of the file at `path`.
    public init(path: String) throws { try self.init(of: try FileRegion(path: path)) }

    /// What the file looks like, for a message ("an MSI or other OLE compound file").
    public var description: String {
        switch self {
        case .zip: return "a zip file"
        case .emptyZip: return "an empty zip file"
        case .compoundFile: return "an MSI (an OLE compound file, D0 CF 11 E0)"
        case .windowsExecutable: return "a Windows executable (MZ)"
        case .xml: return "an XML file"
        case .json: return "a JSON file"
        case .gitLFSPointer: return "a Git LFS pointer"
        case .gzip: return "a gzip file"
        case .pdf: return "a PDF document"
        case .empty: return "an empty file"
        case .unknown: return "a file of unknown type"
        }
    }

    /// True for a signature that rules out encrypted content (everything but `.unknown`).
    public var isKnown: Bool { self != .unknown }

    /// Throws a one-line `badInput` naming `path` unless the file may be encrypted content (an IME
    /// `.bin`, or a package's content file): a known signature means it is something else.
    public static func requireEncryptedContent(_ file: RandomAccessSource) throws {
        let signature = try FileSignature(of: file)
        // An empty file is left to the content reader, which says it is too short.
        guard signature.isKnown, signature != .empty else { return }
        let hint: String
        switch signature {
        case .zip, .emptyZip: hint = ": give a package as it is, without key options, or the .bin IME downloads"
        case .xml, .json: hint = ": key material goes with --encryption-info"
        case .gitLFSPointer: hint = ": fetch the file with `git lfs pull`"
        default: hint = ""
        }
        throw IntuneWinError.badInput(file.path, "\(signature.description), not encrypted content (an IME .bin)\(hint)")
    }
}
