import Foundation
import XCTest

/// The progress line pack draws on a terminal (stderr a pty, through `script`): once the bar is full,
/// it names what the pack still does instead of sitting at 100% in silence.
final class PackProgressTests: ToolTestCase {
    func testTheProgressLineNamesTheFinishingPhase() throws {
        let source = path("src")
        try write(pseudoRandomBytes(8 << 20), to: source.appending("setup.exe"))
        let output = path("out")
        let command = "'\(Tool.binary.path)' pack -c '\(source.path)' -s setup.exe -o '\(output.path)'"
        let result = try execute("script", ["-qfec", command, "/dev/null"])
        assertExit(result, 0)
        let screen = result.out
        XCTAssertTrue(screen.contains("packing [####################] 100%"), screen)
        for step in ["compressing and encrypting the last files", "hashing and authenticating the content",
                     "flushing to disk and renaming into place"] {
            XCTAssertTrue(screen.contains("finishing: \(step)"), "\(step) not shown:\n\(screen)")
        }
        XCTAssertTrue(output.appending("setup.intunewin").exists)
        // Without a terminal (a pipe) there is no progress line at all.
        let piped = try tool("pack", "-c", source.path, "-s", "setup.exe", "-o", path("out2").path)
        XCTAssertFalse(piped.err.contains("finishing:"), piped.summary)
    }
}
