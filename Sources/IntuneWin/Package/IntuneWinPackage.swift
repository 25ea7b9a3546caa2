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

    /// Opens the package: reads the outer zip's directory and Detection.xml, and locates the content (stored, as packages keep it). Throws `badInput` for anything that is not a package.
    public init(path: String) throws {
        self.path = path
        file = try FileRegion(path: path)
        do {
            outer = try ZipReader(source: file)
        } catch let error as IntuneWinError {
            try Self.refuseLookalike(file)
            throw error
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
        guard entry.method == ZipEntry.stored else {
            throw IntuneWinError.badInput(path, "\(contentName) is compressed (method \(entry.method)); packages store it")
        }
        contentEntry = entry
        let start = try outer.dataOffset(of: entry)
        content = try EncryptedContent(source: try file.region(offset: start, length: entry.compressedSize))
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
    /// a Git LFS pointer (a clone without `git lfs pull`), and encrypted content without its package (an
    /// IME `.bin`: 48 header bytes, then whole AES blocks). Other files pass unchanged.
    public static func refuseLookalike(_ file: FileRegion) throws {
        guard file.size > 0 else { throw IntuneWinError.badInput(file.path, "empty file (0 bytes): not a package") }
        let head = try file.readExactly(at: 0, count: Int(min(file.size, 64)))
        if head.starts(with: Array("version https://git-lfs.github.com/spec/".utf8)) {
            throw IntuneWinError.badInput(file.path, "a Git LFS pointer, not the package itself: fetch the file with `git lfs pull`")
        }
        let textual = head.first.map { [0x3C, 0xEF, 0x7B, 0x20, 0x09, 0x0A, 0x0D].contains($0) } ?? true  // <, BOM, {, blanks
        if !textual, file.size >= 64, (file.size - 48) % 16 == 0, !head.starts(with: [0x50, 0x4B]) {
            throw IntuneWinError.badInput(file.path, "not a zip: looks like encrypted content without its package (an IME .bin: MAC and IV, then AES blocks)",
                                          remedy: .giveContentKeys)
        }
    }

    /// The inner zip's directory, read by decrypting only the tail of the content.
    public func innerZip() throws -> ZipReader {
        try ZipReader(source: try content.decrypted(key: detection.encryptionInfo.encryptionKey))
    }
}
