/// One side opened for comparison: its Detection.xml when it has one, and its items by path. Nothing but
/// directories is read until `sha256(of:)` streams an item's bytes.
final class ContentListing {
    let side: ContentSide
    let detection: DetectionXML?
    /// Size of the encrypted content (package and bin sides).
    let encryptedSize: UInt64?
    /// Items by path. Folder entries that have something below them are left out: they are implied by
    /// their children (zip tools write them, `pack` and SourceTree do not).
    let items: [String: ContentItem]
    /// A nested-zip package's launcher: then `items` are the files inside its payload.zip.
    let launcher: LauncherInspection?
    private let zip: ZipReader?
    /// Keeps the temporary copy of a nested-zip package's payload.zip while `zip` reads it.
    private let payload: NestedPayload?

    init(_ side: ContentSide) throws {
        self.side = side
        switch side {
        case .package(let path):
            let package = try IntuneWinPackage(path: path)
            detection = package.detection
            encryptedSize = package.content.source.size
            let inner = try package.innerZip()
            // A nested-zip package is compared by what it installs: the files inside payload.zip.
            launcher = try LauncherInspection.inspect(inner, setupFile: package.detection.setupFile, path: path)
            if launcher != nil, let entry = NestedPayload.entry(in: inner) {
                payload = try NestedPayload(entry, in: inner, path: path)
                zip = payload?.zip
            } else {
                payload = nil
                zip = inner
            }
        case .bin(let path, let keys):
            let content = try EncryptedContent(source: try FileRegion(path: path))
            detection = nil
            encryptedSize = content.source.size
            launcher = nil
            payload = nil
            // The one pre-decrypt check, authenticating first: nothing is read from content the keys do not fit.
            zip = try ZipReader(source: try keys.open(content, authenticate: true).plain)
        case .zip(let path):
            detection = nil
            launcher = nil
            payload = nil
            encryptedSize = nil
            zip = try ZipReader(source: try FileRegion(path: path))
        case .folder:
            detection = nil
            launcher = nil
            payload = nil
            encryptedSize = nil
            zip = nil
        }
        let all: [ContentItem]
        if let zip {
            all = zip.entries.map { entry in
                ContentItem(path: entry.portableName, size: entry.uncompressedSize, crc32: entry.crc32,
                            modified: entry.modified, unixTime: nil, origin: .entry(entry))
            }
        } else {
            // Diff only reads: links are followed wherever they lead, as a file manager would show them.
            all = try SourceTree.scan(root: side.path, followingLinksOutside: true).map { source in
                let isFolder = source.kind == .emptyFolder
                var size: UInt64 = 0
                if case .file(let fileSize) = source.kind { size = fileSize }
                return ContentItem(path: source.components.joined(separator: "/") + (isFolder ? "/" : ""), size: size,
                                   crc32: nil, modified: DOSDateTime(unixTime: source.modificationTime),
                                   unixTime: source.modificationTime, origin: .file(source.path))
            }
        }
        items = try Self.index(all, path: side.path)
    }

    /// Streams an item's bytes (checking a zip entry's CRC-32 on the way) and returns their SHA-256.
    func sha256(of item: ContentItem) throws -> [UInt8] {
        let hash = SHA256()
        switch item.origin {
        case .entry(let entry):
            try zip!.extract(entry) { hash.update($0) }
        case .file(let path):
            try FileRegion(path: path).stream(from: 0, length: item.size) { hash.update($0) }
        }
        return hash.finalize()
    }

    /// Items by path, without folder entries implied by others; a path held twice is an error (which one is meant?).
    private static func index(_ all: [ContentItem], path: String) throws -> [String: ContentItem] {
        var parents = Set<Substring>()
        for item in all {
            let name = item.isFolder ? item.path.dropLast() : Substring(item.path)
            var index = name.startIndex
            while let slash = name[index...].firstIndex(of: "/") {
                parents.insert(item.path[...slash])
                index = name.index(after: slash)
            }
        }
        var byPath: [String: ContentItem] = [:]
        for item in all where !(item.isFolder && parents.contains(Substring(item.path))) {
            guard byPath.updateValue(item, forKey: item.path) == nil else {
                throw IntuneWinError.badInput(path, "\(item.path) is in the content twice")
            }
        }
        return byPath
    }
}
