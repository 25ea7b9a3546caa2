import Foundation

/// A diff report with the two sides it compared, in its JSON shape (`diff --json`,
/// docs/schemas/diff.schema.json): every added, removed and changed path with the facets that differ.
public struct DiffJSON: Encodable {
    public let report: DiffReport
    public let a: ContentSide
    public let b: ContentSide

    public init(_ report: DiffReport, a: ContentSide, b: ContentSide) {
        self.report = report
        self.a = a
        self.b = b
    }

    private struct Side: Encodable { var path: String; var kind: String }
    private struct Pair<T: Encodable>: Encodable { var a: T; var b: T }
    private struct Counts: Encodable { var a: Int; var b: Int }

    private struct Metadata: Encodable {
        let difference: MetadataDifference
        enum CodingKeys: String, CodingKey { case field, a, b }
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(difference.field, forKey: .field)
            try c.encode(difference.a, forKey: .a)  // null when one side lacks the field
            try c.encode(difference.b, forKey: .b)
        }
    }

    private struct Item: Encodable {
        let item: DiffItem
        enum CodingKeys: String, CodingKey { case path, folder, size, modified, sameContentAs }
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(item.path, forKey: .path)
            try c.encode(item.isFolder, forKey: .folder)
            try c.encode(item.size, forKey: .size)
            try c.encode(item.modified.text, forKey: .modified)
            try c.encodeIfPresent(item.sameContentAs, forKey: .sameContentAs)
        }
    }

    private struct Changed: Encodable {
        let change: ChangedItem
        enum CodingKeys: String, CodingKey { case path, content, size, crc32, sha256, modified }
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(change.path, forKey: .path)
            try c.encode(change.contentDiffers, forKey: .content)
            try c.encodeIfPresent(change.size.map { Pair(a: $0.a, b: $0.b) }, forKey: .size)
            try c.encodeIfPresent(change.crc32.map { Pair(a: hex32($0.a), b: hex32($0.b)) }, forKey: .crc32)
            try c.encodeIfPresent(change.sha256.map { Pair(a: Self.hex($0.a), b: Self.hex($0.b)) }, forKey: .sha256)
            try c.encodeIfPresent(change.modified.map { Pair(a: $0.a.text, b: $0.b.text) }, forKey: .modified)
        }
        static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", Int($0)) }.joined() }
    }

    enum CodingKeys: String, CodingKey {
        case a, b, identical, metadata, added, removed, changed, entryCount, unchangedCount
        case entries, unchanged  // the 0.1 names of entryCount and unchangedCount, until the next release
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Side(path: a.path, kind: a.kind.rawValue), forKey: .a)
        try c.encode(Side(path: b.path, kind: b.kind.rawValue), forKey: .b)
        try c.encode(report.identical, forKey: .identical)
        try c.encode(report.metadata.map(Metadata.init), forKey: .metadata)
        try c.encode(report.added.map(Item.init), forKey: .added)
        try c.encode(report.removed.map(Item.init), forKey: .removed)
        try c.encode(report.changed.map(Changed.init), forKey: .changed)
        let counts = Counts(a: report.entriesA, b: report.entriesB)
        try c.encode(counts, forKey: .entryCount)
        try c.encode(report.unchanged, forKey: .unchangedCount)
        try c.encode(counts, forKey: .entries)
        try c.encode(report.unchanged, forKey: .unchanged)
    }
}
