/// What an extraction wrote.
public struct ExtractResult: Sendable {
    /// The folder written (absolute, links resolved).
    public var outputFolder: String
    /// Files written.
    public var files: Int
    /// Folder entries created.
    public var folders: Int
    /// Bytes written to files.
    public var bytes: UInt64
}
