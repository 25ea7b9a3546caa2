/// An OLE compound file (MS-CFB v3 512-byte and v4 4096-byte sectors): MSI, MSP, MST files.
///
/// Opening reads the header, the FAT (about 1/128 of the file), the mini FAT and the directory
/// entries reachable from the root; stream contents are only read on demand through `open`.
/// Every structural problem (bad header, chains that loop or leave the file, directory loops,
/// bad names) is reported as `IntuneWinError.badInput`, never a trap or an endless walk.
public final class CompoundFile {
    /// One directory entry: the root, a storage (folder) or a stream (file).
    public struct Entry: Sendable, Equatable {
        /// What a directory entry is: a storage (folder), a stream (file) or the root storage.
        public enum Kind: Sendable { case storage, stream, root }
        /// Directory entry index (stream id).
        public let id: Int
        /// Decoded from UTF-16LE, as stored (MSI names are still MSI-encoded here).
        public let name: String
        /// Storage, stream or root.
        public let kind: Kind
        /// Stream size (0 for storages; the mini stream size for the root).
        public let size: UInt64
        /// 16 bytes.
        public let clsid: [UInt8]
    }

    /// The bytes of the compound file.
    public let source: RandomAccessSource
    /// 3 (512-byte sectors) or 4 (4096-byte sectors).
    public let majorVersion: UInt16
    /// Directory entry 0, whose children are the top-level streams and storages.
    public let root: Entry

    /// Regular sector size in bytes (512 or 4096).
    let sectorSize: UInt64
    /// The file allocation table: next sector of each sector.
    let fat: [UInt32]
    /// Usable regular sector numbers: covered by the FAT and inside the file.
    let fatLimit: Int
    /// Where the FAT sectors are (from the header and DIFAT chain), in order.
    let fatSectors: [UInt32]
    /// The directory stream (128-byte entries).
    let directory: CompoundFileStream
    /// The mini FAT: next mini sector of each 64-byte mini sector.
    let miniFAT: [UInt32]
    /// Where the mini FAT lies in the file (its FAT chain).
    let miniFATTable: CompoundFileStream?
    /// Usable mini sector numbers: covered by the mini FAT and inside the mini stream.
    let miniFATLimit: Int
    /// The root entry's stream, holding all streams smaller than the cutoff.
    let miniStream: CompoundFileStream?
    /// Entries reachable from the root, by id.
    private let records: [Int: DirectoryRecord]
    /// Children of each reachable storage (and the root), in tree order.
    private let childIDs: [Int: [Int]]

    static let signature: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
    static let headerSize = 512
    static let miniSectorSize: UInt64 = 64
    static let miniStreamCutoff: UInt64 = 4096
    static let directoryEntrySize: UInt64 = 128
    static let noStream: UInt32 = 0xFFFF_FFFF
    static let headerDIFATCount = 109

    /// Reads the structure of a compound file; stream contents stay in `source` until opened.
    public init(source: RandomAccessSource) throws {
        self.source = source
        let path = source.path
        func bad(_ reason: String) -> IntuneWinError { IntuneWinError.badInput(path, reason) }

        // Header (MS-CFB 2.2).
        guard source.size >= UInt64(Self.headerSize) else {
            throw bad("too small for an OLE compound file (\(source.size) bytes, the header alone is 512)")
        }
        let header = try source.readExactly(at: 0, count: Self.headerSize)
        guard Array(header[0..<8]) == Self.signature else { throw bad("not an OLE compound file (wrong signature)") }
        let major = le16(header, 26)
        guard major == 3 || major == 4 else { throw bad("unsupported compound file major version \(major)") }
        guard le16(header, 28) == 0xFFFE else { throw bad("compound file byte order mark is not FFFE") }
        let shift = le16(header, 30)
        guard shift == (major == 3 ? 9 : 12) else { throw bad("compound file sector shift \(shift) is invalid for version \(major)") }
        guard le16(header, 32) == 6 else { throw bad("compound file mini sector shift \(le16(header, 32)) is not 6") }
        if major == 3 {
            guard le32(header, 40) == 0 else { throw bad("version 3 compound file declares \(le32(header, 40)) directory sectors (must be 0)") }
        }
        let fatCount = le32(header, 44)
        let firstDirectory = le32(header, 48)
        guard le32(header, 56) == UInt32(Self.miniStreamCutoff) else {
            throw bad("compound file mini stream cutoff \(le32(header, 56)) is not 4096")
        }
        let firstMiniFAT = le32(header, 60)
        let firstDIFAT = le32(header, 68)

        let sectorSize = UInt64(1) << UInt64(shift)
        guard source.size >= sectorSize else {
            throw bad("truncated: the 4096-byte header sector needs \(sectorSize) bytes, file has \(source.size)")
        }
        // A partial last sector counts: streams ending inside it are still readable.
        let sectorsInFile = Int(min(sectorsNeeded(source.size - sectorSize, sectorSize: sectorSize), UInt64(CFBSector.maxRegular) + 1))
        guard sectorsInFile > 0 else { throw bad("truncated: no sectors after the header") }
        let perSector = Int(sectorSize / 4)

        // FAT sector list: 109 in the header, then the DIFAT chain. Only the FAT sectors that
        // describe sectors inside the file are needed (and loaded).
        let fatWanted = min(Int(fatCount), (sectorsInFile + perSector - 1) / perSector)
        guard fatWanted > 0 else { throw bad("compound file has no FAT sectors") }
        var fatSectors: [UInt32] = []
        fatSectors.reserveCapacity(fatWanted)
        for i in 0..<min(fatWanted, Self.headerDIFATCount) {
            fatSectors.append(le32(header, 76 + 4 * i))
        }
        var difatSector = firstDIFAT
        var difatSeen = Set<UInt32>()
        while fatSectors.count < fatWanted {
            guard Int(exactly: difatSector).map({ $0 < sectorsInFile }) ?? false else {
                throw bad("DIFAT chain ends (0x\(String(difatSector, radix: 16))) after \(fatSectors.count) of \(fatWanted) FAT sectors")
            }
            guard difatSeen.insert(difatSector).inserted else { throw bad("DIFAT chain loops at sector \(difatSector)") }
            let bytes = try source.readExactly(at: (UInt64(difatSector) + 1) * sectorSize, count: Int(sectorSize))
            for i in 0..<(perSector - 1) where fatSectors.count < fatWanted {
                fatSectors.append(le32(bytes, 4 * i))
            }
            difatSector = le32(bytes, 4 * (perSector - 1))
        }
        var fat: [UInt32] = []
        fat.reserveCapacity(fatWanted * perSector)
        for sector in fatSectors {
            guard Int(exactly: sector).map({ $0 < sectorsInFile }) ?? false else {
                throw bad("FAT sector 0x\(String(sector, radix: 16)) lies outside the file (\(sectorsInFile) sectors)")
            }
            let bytes = try source.readExactly(at: (UInt64(sector) + 1) * sectorSize, count: Int(sectorSize))
            for i in 0..<perSector { fat.append(le32(bytes, 4 * i)) }
        }
        let fatLimit = min(fat.count, sectorsInFile)

        // Directory: a FAT chain of 128-byte entries, read entry by entry as the tree is walked.
        let directoryRuns = try walkSectorChain(from: firstDirectory, table: fat, limit: fatLimit, needed: nil,
                                                what: "directory", path: path)
        let directorySectorCount = directoryRuns.reduce(0) { $0 + $1.count }
        guard directorySectorCount > 0 else { throw bad("compound file has no directory") }
        let directory = CompoundFileStream(base: source, name: "directory", size: directorySectorCount * sectorSize,
                                           sectorSize: sectorSize, origin: sectorSize, runs: directoryRuns)
        let entryCount = Int(directory.size / Self.directoryEntrySize)
        let reader = DirectoryReader(directory: directory, count: entryCount, majorVersion: major)

        let rootRecord = try reader.record(0)
        guard rootRecord.entry.kind == .root else { throw bad("directory entry 0 is not the root entry") }

        // Mini stream (the root's stream, in regular sectors) and the mini FAT (a FAT chain).
        let miniSectors = sectorsNeeded(rootRecord.entry.size, sectorSize: Self.miniSectorSize)
        var miniStream: CompoundFileStream?
        if rootRecord.entry.size > 0 {
            let runs = try walkSectorChain(from: rootRecord.start, table: fat, limit: fatLimit,
                                           needed: sectorsNeeded(rootRecord.entry.size, sectorSize: sectorSize),
                                           what: "mini stream", path: path)
            miniStream = CompoundFileStream(base: source, name: "mini stream", size: rootRecord.entry.size,
                                            sectorSize: sectorSize, origin: sectorSize, runs: runs)
        }
        var miniFAT: [UInt32] = []
        var miniFATTable: CompoundFileStream?
        if firstMiniFAT != CFBSector.endOfChain {
            let runs = try walkSectorChain(from: firstMiniFAT, table: fat, limit: fatLimit, needed: nil,
                                           what: "mini FAT", path: path)
            let chainBytes = runs.reduce(0) { $0 + $1.count } * sectorSize
            // Entries past the end of the mini stream are never used; do not load them.
            let usefulBytes = min(chainBytes, sectorsNeeded(miniSectors * 4, sectorSize: sectorSize) * sectorSize)
            let table = CompoundFileStream(base: source, name: "mini FAT", size: chainBytes,
                                           sectorSize: sectorSize, origin: sectorSize, runs: runs)
            let bytes = try table.readExactly(at: 0, count: Int(usefulBytes))
            miniFATTable = table
            miniFAT.reserveCapacity(bytes.count / 4)
            for i in 0..<(bytes.count / 4) { miniFAT.append(le32(bytes, 4 * i)) }
        }

        // The tree: every storage's children form a red-black tree through left/right sibling
        // ids. Each entry may be reached once; a second visit means the links loop.
        var records: [Int: DirectoryRecord] = [0: rootRecord]
        var childIDs: [Int: [Int]] = [:]
        var pending = [0]
        while let storage = pending.popLast() {
            guard let parent = records[storage] else { break }
            var list: [Int] = []
            var stack: [(id: Int, right: UInt32)] = []
            var link = parent.child
            while link != Self.noStream || !stack.isEmpty {
                while link != Self.noStream {
                    guard let id = Int(exactly: link), id < entryCount else {
                        throw bad("directory entry links to entry \(link), outside the directory (\(entryCount) entries)")
                    }
                    guard records[id] == nil else { throw bad("directory tree loops: entry \(id) is reached twice") }
                    let record = try reader.record(id)
                    guard record.entry.kind != .root else { throw bad("directory entry \(id) is a second root entry") }
                    records[id] = record
                    stack.append((id, record.right))
                    link = record.left
                }
                guard let node = stack.popLast() else { break }
                list.append(node.id)
                if records[node.id]?.entry.kind == .storage { pending.append(node.id) }
                link = node.right
            }
            childIDs[storage] = list
        }

        self.majorVersion = major
        self.root = rootRecord.entry
        self.sectorSize = sectorSize
        self.fat = fat
        self.fatLimit = fatLimit
        self.fatSectors = fatSectors
        self.directory = directory
        self.miniFAT = miniFAT
        self.miniFATTable = miniFATTable
        self.miniFATLimit = Int(min(UInt64(miniFAT.count), miniSectors))
        self.miniStream = miniStream
        self.records = records
        self.childIDs = childIDs
    }

    /// Opens the compound file at `path`.
    public convenience init(path: String) throws {
        try self.init(source: FileRegion(path: path))
    }

    /// Children of a storage (or the root), in directory (red-black tree) in-order order.
    /// A stream has no children.
    public func children(of storage: Entry) throws -> [Entry] {
        let record = try record(for: storage)
        guard record.entry.kind != .stream else { return [] }
        return (childIDs[storage.id] ?? []).compactMap { records[$0]?.entry }
    }

    /// A stream's bytes as a random-access source (reads go through the FAT or mini FAT chain; nothing loaded whole).
    public func open(_ stream: Entry) throws -> RandomAccessSource {
        let record = try record(for: stream)
        let entry = record.entry
        let label = decodeMSIStreamName(entry.name)
        switch entry.kind {
        case .storage:
            throw IntuneWinError.badInput(source.path, "\(label) is a storage, not a stream")
        case .root:
            return miniStream ?? CompoundFileStream(base: source, name: "mini stream", size: 0, sectorSize: sectorSize, origin: sectorSize, runs: [])
        case .stream:
            break
        }
        if entry.size < Self.miniStreamCutoff {
            if entry.size > 0 && miniStream == nil {
                throw IntuneWinError.badInput(source.path, "stream \(label): stored in the mini stream, but the file has none")
            }
            let runs = try walkSectorChain(from: record.start, table: miniFAT, limit: miniFATLimit,
                                           needed: sectorsNeeded(entry.size, sectorSize: Self.miniSectorSize),
                                           what: "stream \(label) (mini FAT)", path: source.path)
            return CompoundFileStream(base: miniStream ?? source, name: label, size: entry.size,
                                      sectorSize: Self.miniSectorSize, origin: 0, runs: runs)
        }
        let runs = try walkSectorChain(from: record.start, table: fat, limit: fatLimit,
                                       needed: sectorsNeeded(entry.size, sectorSize: sectorSize),
                                       what: "stream \(label)", path: source.path)
        return CompoundFileStream(base: source, name: label, size: entry.size,
                                  sectorSize: sectorSize, origin: sectorSize, runs: runs)
    }

    /// Whole stream into memory, refusing streams larger than `limit` (for small tables/property sets).
    public func read(_ stream: Entry, limit: UInt64 = 64 << 20) throws -> [UInt8] {
        let opened = try open(stream)
        guard opened.size <= limit, let count = Int(exactly: opened.size) else {
            throw IntuneWinError.badInput(source.path, "stream \(decodeMSIStreamName(stream.name)) is \(opened.size) bytes, more than the \(limit)-byte limit")
        }
        return try opened.readExactly(at: 0, count: count)
    }

    /// First sector (or mini sector) of an entry's stream; for tests that patch files.
    func startSector(of entry: Entry) -> UInt32? { records[entry.id]?.start }

    /// File offset of directory entry `id`; for tests that patch files.
    func fileOffset(ofDirectoryEntry id: Int) -> UInt64? {
        directory.physicalOffset(of: UInt64(id) * Self.directoryEntrySize)
    }

    /// File offset of the FAT entry for `sector`; for tests that patch files.
    func fileOffset(ofFATEntry sector: UInt32) -> UInt64? {
        let perSector = sectorSize / 4
        let index = Int(UInt64(sector) / perSector)
        guard index < fatSectors.count else { return nil }
        return (UInt64(fatSectors[index]) + 1) * sectorSize + (UInt64(sector) % perSector) * 4
    }

    /// File offset of the mini FAT entry for mini sector `sector`; for tests that patch files.
    func fileOffset(ofMiniFATEntry sector: UInt32) -> UInt64? {
        miniFATTable?.physicalOffset(of: UInt64(sector) * 4)
    }

    private func record(for entry: Entry) throws -> DirectoryRecord {
        guard let record = records[entry.id] else {
            throw IntuneWinError.badInput(source.path, "no directory entry \(entry.id) in this compound file")
        }
        return record
    }
}

/// A parsed directory entry with its tree links and first sector.
struct DirectoryRecord {
    var entry: CompoundFile.Entry
    var left: UInt32
    var right: UInt32
    var child: UInt32
    var start: UInt32
}

/// Reads and validates 128-byte directory entries (MS-CFB 2.6) on demand.
struct DirectoryReader {
    let directory: CompoundFileStream
    let count: Int
    let majorVersion: UInt16

    func record(_ id: Int) throws -> DirectoryRecord {
        let path = directory.path
        guard id >= 0, id < count else { throw IntuneWinError.badInput(path, "directory entry \(id) does not exist") }
        let bytes = try directory.readExactly(at: UInt64(id) * CompoundFile.directoryEntrySize,
                                              count: Int(CompoundFile.directoryEntrySize))
        let kind: CompoundFile.Entry.Kind
        switch bytes[66] {
        case 1: kind = .storage
        case 2: kind = .stream
        case 5: kind = .root
        case 0: throw IntuneWinError.badInput(path, "directory entry \(id) is unused but linked into the tree")
        default: throw IntuneWinError.badInput(path, "directory entry \(id) has unknown type \(bytes[66])")
        }
        let nameLength = Int(le16(bytes, 64))
        guard nameLength <= 64, nameLength % 2 == 0 else {
            throw IntuneWinError.badInput(path, "directory entry \(id) has an invalid name length \(nameLength)")
        }
        let units = (0..<max(0, nameLength / 2 - 1)).map { le16(bytes, 2 * $0) }
        let name = String(decoding: units, as: UTF16.self)
        var size = le64(bytes, 120)
        if majorVersion == 3 { size &= 0xFFFF_FFFF }
        if kind == .storage { size = 0 }
        let entry = CompoundFile.Entry(id: id, name: name, kind: kind, size: size, clsid: Array(bytes[80..<96]))
        return DirectoryRecord(entry: entry, left: le32(bytes, 68), right: le32(bytes, 72),
                               child: le32(bytes, 76), start: le32(bytes, 116))
    }
}

/// Decodes an MSI stream name as msitools prints it: code points 0x3800–0x47FF pack two characters
/// of `0-9A-Za-z._`, 0x4800–0x483F one, and 0x4840 (the table-stream prefix) becomes "!".
func decodeMSIStreamName(_ name: String) -> String {
    let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._")
    var out = ""
    for scalar in name.unicodeScalars {
        let v = Int(scalar.value)
        switch v {
        case 0x3800..<0x4800:
            out.append(alphabet[(v - 0x3800) & 0x3F])
            out.append(alphabet[((v - 0x3800) >> 6) & 0x3F])
        case 0x4800..<0x4840:
            out.append(alphabet[v - 0x4800])
        case 0x4840:
            out.append("!")
        default:
            out.unicodeScalars.append(scalar)
        }
    }
    return out
}

/// Little-endian fields at fixed offsets; callers pass offsets inside `bytes`.
private func le16(_ bytes: [UInt8], _ at: Int) -> UInt16 {
    UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
}

private func le32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
    (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << UInt32(8 * $1) }
}

private func le64(_ bytes: [UInt8], _ at: Int) -> UInt64 {
    (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << UInt64(8 * $1) }
}
