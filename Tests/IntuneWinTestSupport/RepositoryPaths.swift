import Foundation

/// Where the test inputs are in the repository, for both test suites.
public enum RepositoryPaths {
    /// The repository root (this file is Tests/IntuneWinTestSupport/RepositoryPaths.swift).
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().standardizedFileURL
    /// The test fixtures (Tests/Fixtures): Microsoft's sample packages, IME logs, MSI sources (provenance in their README.md).
    public static let fixtures = root.appendingPathComponent("Tests/Fixtures")
    /// Real packages made by Microsoft's tool.
    public static let samples = fixtures.appendingPathComponent("intunewin-samples")
    /// Real IME log excerpts.
    public static let imeLogs = fixtures.appendingPathComponent("ime-logs")
    /// The independent Python reference checker (a second opinion, not our implementation).
    public static let oracle = root.appendingPathComponent("Tests/Oracle/intunewin_ref.py")
}
