/// An opened `.intunewin`: the outer zip, its Detection.xml, and the encrypted content inside it,
/// read in place (nothing is extracted or decrypted until asked).
public final class IntuneWinPackage {
    /// The package file's path.
    public let path: String
    /// The open package file.
    public let file: FileRegion
    /// The outer zip (stored entries: the content, then Detection.xml).
    public let outer: ZipReader
    /// The outer zip's Detection.xml entry.
    public let detectionEntry: ZipEntry
    /// The parsed Detection.xml.
    public let detection: DetectionXML
    /// The outer zip's entry holding the encrypted content.
    public let contentEntry: ZipEntry
    /// The encrypted content, read in place inside the package file.
    public let content: EncryptedContent

    /// Detection.xml larger than this is not a real one.
    static let detectionSizeLimit: UInt64 = 1 << 20

    /// Opens the package: reads the outer zip's directory and Detection.xml, and locates the content (stored, as Microsoft's tool keeps it, or deflated, as some other packers write it: then inflated into a temporary file). Throws `badInput` for anything that is not a package.
    public init(path: String) throws {
        self.path = path
        file = try FileRegion(path: path)
        do {
            outer = try ZipReader(source: file)
        } catch let error as IntuneWinError {
            try Self.refuseLookalike(file)
            throw Self.truncation(file, zipError: error) ?? error
        }
        // Readers elsewhere match loosely (MSEndpointMgr: `Name -like "detection.xml"`); do the same as a fallback.
        guard let det = outer.entries.first(where: { $0.name == PackagePaths.detectionEntry })
                ?? outer.entries.first(where: { $0.portableName.lowercased().hasSuffix("metadata/detection.xml") }) else {
            throw IntuneWinError.badInput(path, "no \(PackagePaths.detectionEntry) in the package")
        }
        guard det.uncompressedSize <= Self.detectionSizeLimit else {
            throw IntuneWinError.badInput(path, "Detection.xml is \(det.uncompressedSize) bytes: too large")
        }
        var xml: [UInt8] = []
        try outer.extract(det) { xml.append(contentsOf: $0) }
        detectionEntry = det
        detection = try DetectionXML.parse(xml, path: path)
        let contentName = PackagePaths.contentFolder + detection.fileName
        guard let entry = outer.entries.first(where: { $0.name == contentName }) else {
            throw IntuneWinError.badInput(path, "no \(contentName) in the package (Detection.xml names FileName \(detection.fileName))")
        }
        contentEntry = entry
        if entry.method == ZipEntry.stored {
            let start = try outer.dataOffset(of: entry)
            content = try EncryptedContent(source: try file.region(offset: start, length: entry.compressedSize))
        } else {
            content = try EncryptedContent(source: try Self.inflated(entry, of: outer, path: path))
        }
    }

    /// True when the content entry is stored, as Microsoft's tool writes it (other packers deflate it).
    public var contentIsStored: Bool { contentEntry.method == ZipEntry.stored }

    /// A deflated content entry (other packers write them) inflated into an anonymous temporary file,
    /// streamed (content may be larger than memory, or than 4 GiB) and checked against its CRC-32.
    /// Encrypted content does not compress: an entry declaring much more than it holds is refused
    /// before anything is inflated.
    private static func inflated(_ entry: ZipEntry, of outer: ZipReader, path: String) throws -> FileRegion {
        guard entry.method == ZipEntry.deflated else {
            throw IntuneWinError.badInput(path, "\(entry.name) uses compression method \(entry.method); packages store it (0), some packers deflate it (8)")
        }
        let (doubled, overflow) = entry.compressedSize.multipliedReportingOverflow(by: 2)
        guard !overflow, entry.uncompressedSize <= doubled + (1 << 20) else {
            throw IntuneWinError.badInput(path, "\(entry.name) declares \(entry.uncompressedSize) bytes from \(entry.compressedSize) deflated: encrypted content does not compress like that")
        }
        return try FileRegion.anonymous(path: path) { write in try outer.extract(entry, to: write) }
    }

    /// Keys and IV from Detection.xml (sizes checked when it was parsed).
    public var keys: EncryptionKeys {
        let e = detection.encryptionInfo
        return EncryptionKeys(checked: e.encryptionKey, macKey: e.macKey, initializationVector: e.initializationVector)
    }

    /// True when the file starts like a zip (a package, or any zip) rather than text or encrypted content.
    public static func isZip(_ path: String) throws -> Bool {
        let file = try FileRegion(path: path)
        let head = try file.readExactly(at: 0, count: Int(min(file.size, 4)))
        return head == [0x50, 0x4B, 0x03, 0x04] || head == [0x50, 0x4B, 0x05, 0x06]
    }

    /// Throws a precise error for files that are not packages but are often given as one: an empty file,
    /// a Git LFS pointer (a clone without `git lfs pull`), a file whose magic number says what else it is
    /// (an MSI, an .exe, a gzip or PDF file), and encrypted content without its package (an IME `.bin`:
    /// no known magic number, 48 header bytes, then whole AES blocks). Other files pass unchanged.
    public static func refuseLookalike(_ file: FileRegion) throws {
        let signature = try FileSignature(of: file)
        switch signature {
        case .empty: throw IntuneWinError.badInput(file.path, "empty file (0 bytes): not a package")
        case .gitLFSPointer:
            throw IntuneWinError.badInput(file.path, "a Git LFS pointer, not the package itself: fetch the file with `git lfs pull`")
        case .compoundFile, .windowsExecutable, .gzip, .pdf:
            throw IntuneWinError.badInput(file.path, "\(signature.description), not a package (.intunewin)")
        case .unknown:
            if file.size >= 64, (file.size - 48) % 16 == 0 {
                throw IntuneWinError.badInput(file.path, "not a zip: looks like encrypted content without its package (an IME .bin: MAC and IV, then AES blocks)",
                                              remedy: .giveContentKeys)
            }
        case .zip, .emptyZip, .xml, .json: break
        }
    }

    /// The error for a file that starts like a zip (a local header at offset 0) but whose directory
    /// cannot be found: a download or copy cut short. Says how many bytes there are and, when the first
    /// entry's header declares its size, how many there must be at least. Nil when the file does not
    /// start with a local header or the end record is there (then the zip error itself is the news).
    static func truncation(_ file: FileRegion, zipError: IntuneWinError) -> IntuneWinError? {
        guard zipError.reason.contains("no end-of-central-directory") || zipError.reason.contains("too short"),
              let head = try? file.readExactly(at: 0, count: Int(min(file.size, 30))),
              FileSignature(head: head) == .zip else { return nil }
        var minimum = ""
        if head.count == 30 {
            var r = ByteReader(head, at: 6)
            let flags = r.u16()!
            _ = r.u16(); _ = r.u32(); _ = r.u32()
            let csize = r.u32()!
            _ = r.u32()
            let nameLength = UInt64(r.u16()!), extraLength = UInt64(r.u16()!)
            if flags & 0x0008 == 0, csize != UInt32.max {
                // The first entry, then at least a central directory entry and the end record.
                let least = 30 + nameLength + extraLength + UInt64(csize) + 46 + nameLength + 22
                if least > file.size { minimum = " of at least \(least)" }
            }
        }
        return IntuneWinError.badInput(file.path, "truncated (\(file.size)\(minimum) bytes): it starts like a package (a zip) but its end-of-central-directory record is missing; download or copy it again")
    }

    /// The inner zip's directory, read by decrypting only the tail of the content.
    public func innerZip() throws -> ZipReader {
        try ZipReader(source: try content.decrypted(key: detection.encryptionInfo.encryptionKey))
    }
}
