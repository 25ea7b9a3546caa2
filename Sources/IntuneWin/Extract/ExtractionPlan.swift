/// A zip checked for extraction, once: every entry name safe and distinct (``SafePath``), and the sizes
/// the entries declare within the ``SizeLimits``. Made before anything is written (a hostile entry means
/// nothing is), then handed to ``Extractor`` as it is, so no check runs twice.
public struct ExtractionPlan {
    /// The zip to extract.
    public let zip: ZipReader
    /// Every entry with the path components it is written to, in zip order.
    public let entries: [(entry: ZipEntry, components: [String])]
    /// The sum of the uncompressed sizes the entries declare (what extraction writes).
    public let declaredBytes: UInt64
    /// The limits it was checked against (the free space is checked against the target later).
    public let limits: SizeLimits

    /// Checks `zip`'s names and declared sizes; throws `badInput` for a hostile name or a size over `limits`.
    public init(_ zip: ZipReader, limits: SizeLimits = .default) throws {
        self.zip = zip
        entries = try SafePath.plan(zip)
        declaredBytes = try limits.check(zip)
        self.limits = limits
    }
}
