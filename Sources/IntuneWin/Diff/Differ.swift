import Foundation

/// Compares the content of two packages, encrypted contents, zips or folders, in any combination:
/// Detection.xml fields when both sides have one, then every file and empty folder by path. A nested-zip
/// package is compared by the files inside its payload.zip, its launcher's settings as metadata.
///
/// Bytes are compared as cheaply as certainty allows: different sizes or CRC-32s (from the zip
/// directories) differ without reading anything; otherwise both streams are hashed with SHA-256. Everything
/// is streamed, so memory does not grow with the content's size. A folder side's modification times are
/// converted as `pack` converts them (local time, truncated to 2 s), so a package and the folder it was
/// packed from compare identical; a zip time rounded up to the next 2 s (Info-ZIP's way) matches as well.
/// Empty folders are compared by presence only: packages stamp them with the packing time.
/// Integrity beyond the CRC-32 of the entries read is not checked (that is `Verifier`'s job).
public enum Differ {
    /// Compares `a` with `b`. Throws `IntuneWinError` (bad input) when a side cannot be read,
    /// including content that fails its own CRC check: a difference is never reported as an error.
    public static func diff(_ a: ContentSide, _ b: ContentSide, options: DiffOptions = DiffOptions()) throws -> DiffReport {
        do {
            var comparison = Comparison(a: try ContentListing(a), b: try ContentListing(b), options: options)
            return try comparison.run()
        } catch let error as IntuneWinError where error.kind == .checkFailed {
            // A CRC or padding failure means the input is damaged (or the keys wrong), not that the sides differ.
            throw IntuneWinError(.badInput, path: error.path, error.reason)
        }
    }
}

/// One comparison in progress: the two listings and the digests computed so far.
private struct Comparison {
    let a: ContentListing
    let b: ContentListing
    let options: DiffOptions
    private var digestsA: [String: [UInt8]] = [:]
    private var digestsB: [String: [UInt8]] = [:]

    init(a: ContentListing, b: ContentListing, options: DiffOptions) {
        self.a = a
        self.b = b
        self.options = options
    }

    mutating func run() throws -> DiffReport {
        var report = DiffReport()
        if let detectionA = a.detection, let detectionB = b.detection {
            report.metadata = MetadataDifference.compare(detectionA, detectionB, encryptedSizes: (a.encryptedSize, b.encryptedSize))
            report.metadata += MetadataDifference.compare(a.launcher, b.launcher)
        }
        report.entriesA = a.items.count
        report.entriesB = b.items.count
        for path in Set(a.items.keys).union(b.items.keys).sorted() {
            switch (a.items[path], b.items[path]) {
            case let (itemA?, itemB?):
                if let change = try compare(itemA, itemB) { report.changed.append(change) } else { report.unchanged += 1 }
            case let (itemA?, nil):
                report.removed.append(DiffItem(path: path, size: itemA.size, modified: itemA.modified))
            case let (nil, itemB?):
                report.added.append(DiffItem(path: path, size: itemB.size, modified: itemB.modified))
            case (nil, nil):
                break
            }
        }
        try matchMoves(&report)
        return report
    }

    /// What differs between the two sides' items at one path, nil when nothing does.
    private mutating func compare(_ itemA: ContentItem, _ itemB: ContentItem) throws -> ChangedItem? {
        // An empty folder is compared by its presence only: its time in a package is the packing time
        // (Microsoft's tool and `pack` stamp folder entries so), which says nothing about the content.
        guard !itemA.isFolder else { return nil }
        var change = ChangedItem(path: itemA.path, contentDiffers: false)
        change.size = .between(itemA.size, itemB.size)
        if let crcA = itemA.crc32, let crcB = itemB.crc32 { change.crc32 = .between(crcA, crcB) }
        if change.size == nil && change.crc32 == nil {
            let (digestA, digestB) = try Self.digests(itemA, in: a, itemB, in: b)
            change.sha256 = .between(digestA, digestB)
        }
        change.contentDiffers = change.size != nil || change.crc32 != nil || change.sha256 != nil
        if options.compareModificationTimes && !Self.sameTime(itemA, itemB) {
            change.modified = ValueChange(itemA.modified, itemB.modified)
        }
        return change.contentDiffers || change.modified != nil ? change : nil
    }

    /// Times match at the zip's resolution. A zip time matches a folder time truncated (Microsoft, `pack`)
    /// or rounded up (Info-ZIP) to 2 s.
    private static func sameTime(_ itemA: ContentItem, _ itemB: ContentItem) -> Bool {
        switch (itemA.unixTime, itemB.unixTime) {
        case (let unix?, nil): return itemB.modified == itemA.modified || itemB.modified == DOSDateTime(unixTime: unix + 1)
        case (nil, let unix?): return itemA.modified == itemB.modified || itemA.modified == DOSDateTime(unixTime: unix + 1)
        default: return itemA.modified == itemB.modified
        }
    }

    /// Notes files that moved: one on A only and one on B only with the same SHA-256. Only files of equal
    /// size (and CRC-32, where both are known) are hashed, each at most once.
    private mutating func matchMoves(_ report: inout DiffReport) throws {
        for addedIndex in report.added.indices where !report.added[addedIndex].isFolder {
            let itemB = b.items[report.added[addedIndex].path]!
            for removedIndex in report.removed.indices {
                let removed = report.removed[removedIndex]
                guard !removed.isFolder, removed.sameContentAs == nil, removed.size == itemB.size else { continue }
                let itemA = a.items[removed.path]!
                if let crcA = itemA.crc32, let crcB = itemB.crc32, crcA != crcB { continue }
                guard try digest(itemA, in: a) == digest(itemB, in: b) else { continue }
                report.added[addedIndex].sameContentAs = removed.path
                report.removed[removedIndex].sameContentAs = itemB.path
                break
            }
        }
    }

    /// Both items' SHA-256, the two streams read at the same time (they are independent files or zips).
    private static func digests(_ itemA: ContentItem, in a: ContentListing,
                                _ itemB: ContentItem, in b: ContentListing) throws -> ([UInt8], [UInt8]) {
        let results = DigestPair()
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            results.set(index, Result { index == 0 ? try a.sha256(of: itemA) : try b.sha256(of: itemB) })
        }
        return try results.get()
    }

    /// A file's SHA-256 for matching moves, hashed at most once (a file on one side only may be a candidate
    /// for several files on the other).
    private mutating func digest(_ item: ContentItem, in listing: ContentListing) throws -> [UInt8] {
        let isA = listing === a
        if let known = isA ? digestsA[item.path] : digestsB[item.path] { return known }
        let value = try listing.sha256(of: item)
        if isA { digestsA[item.path] = value } else { digestsB[item.path] = value }
        return value
    }
}

/// The two results of `Comparison.digests`, each slot written by its own thread.
private final class DigestPair: Sendable {
    private let results = Locked<[Result<[UInt8], Error>?]>([nil, nil])

    func set(_ index: Int, _ result: Result<[UInt8], Error>) { results.withLock { $0[index] = result } }

    func get() throws -> ([UInt8], [UInt8]) {
        try results.withLock { (try $0[0]!.get(), try $0[1]!.get()) }
    }
}
