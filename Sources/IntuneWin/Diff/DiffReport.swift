/// What `Differ.diff` found: metadata differences, then files (and empty folders) added in B, removed from A,
/// and changed, each sorted by path.
public struct DiffReport: Sendable, Equatable {
    /// Detection.xml fields that differ; empty unless both sides have a Detection.xml.
    public var metadata: [MetadataDifference] = []
    /// On side B only.
    public var added: [DiffItem] = []
    /// On side A only.
    public var removed: [DiffItem] = []
    /// On both sides, but different.
    public var changed: [ChangedItem] = []
    /// Files and empty folders on each side.
    public var entriesA = 0
    /// Files and empty folders on side B.
    public var entriesB = 0
    /// Paths on both sides that compared equal.
    public var unchanged = 0

    /// Nothing differs.
    public var identical: Bool { metadata.isEmpty && added.isEmpty && removed.isEmpty && changed.isEmpty }
}
