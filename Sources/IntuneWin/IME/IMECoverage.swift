import Foundation

/// How much of the logs the reader understood: the IME agent version, and the Win32 app lines that matched
/// no known wording, so a new IME version's wording shows up as "not understood" instead of as silence.
public struct IMECoverage: Sendable, Equatable {
    /// IME agent versions the logs name (`Agent version is: 1.93.155.0`, the `AssemblyFileVersion` IME writes
    /// in its telemetry blobs), in the order first seen.
    public var agentVersions: [String] = []
    /// Win32 app lines read (tagged `[Win32App…]`, `[StatusService]`, `[Win32 App DO]`, or from AppWorkload).
    public var win32RecordCount = 0
    /// Those that matched a wording the reader knows (an event, or a line known to carry nothing to report).
    public var understoodCount = 0
    /// Examples of lines not understood, one per distinct wording (numbers and ids aside), first seen first.
    public var examples: [IMEEvidence] = []
    /// How many distinct wordings were not understood.
    public var unknownWordingCount = 0

    /// Win32 app lines that matched no known wording.
    public var notUnderstoodCount: Int { win32RecordCount - understoodCount }

    /// Nothing read yet.
    public init() {}
}
