import Foundation
import XCTest
@testable import IntuneWin
@testable import IntuneWinFuzzing

/// Replays every committed fuzz input (Tests/Fixtures/fuzz-regressions/<target>/) through the same
/// `FuzzEntryPoints` function the fuzzer runs (scripts/fuzz.sh). `crash-*` files are minimized inputs
/// that once crashed a reader; `handmade-*` files are small hostile inputs written by hand. Each
/// folder's `manifest.txt` records, per file, the outcome the target must end with (`ok`, or the
/// `IntuneWinError.Kind` of the first error: `badInput`, `checkFailed`, `usage`, …). A file missing
/// from the manifest, or a manifest line without its file, fails the test; so does a crash, of course.
final class FuzzRegressionTests: XCTestCase {
    static let folder = TestSupport.repoRoot + "/Tests/Fixtures/fuzz-regressions"

    /// Every target has a folder, and every folder is a target.
    func testFoldersMatchTargets() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.folder).filter { !$0.hasPrefix(".") }
        XCTAssertEqual(Set(folders), Set(FuzzEntryPoints.targets.keys))
    }

    func testZip() throws { try replay("zip") }
    func testDetectionXML() throws { try replay("detectionXML") }
    func testPackage() throws { try replay("package") }
    func testCompoundFile() throws { try replay("compoundFile") }
    func testCMTrace() throws { try replay("cmtrace") }
    func testDecryptInfo() throws { try replay("decryptInfo") }
    func testDiagnosticsZip() throws { try replay("diagnosticsZip") }
    func testRegistryExport() throws { try replay("registryExport") }
    func testUTF16Log() throws { try replay("utf16Log") }

    /// The sealed-package mode really reaches the inner zip: a good inner zip gives a package that
    /// verifies, so the fuzzer's mutations of it are read past the HMAC and padding checks.
    func testSealedPackageVerifies() throws {
        let inner = try TestSupport.readFile(TestSupport.samples + "/01_vs_sample_inner_plain.zip")
        let bytes = FuzzEntryPoints.sealed(innerZip: inner, withMsiInfo: false, detectionFirst: false)
        let folder = try makeTemporaryFolder()
        try TestSupport.writeFile(folder + "/p.intunewin", bytes)
        let report = try Verifier.verify(try IntuneWinPackage(path: folder + "/p.intunewin"))
        XCTAssertEqual(report.failures.map(\.name), ["setup-file"], "\(report.failures)")
        XCTAssertEqual(FuzzEntryPoints.package([1] + inner), .ok)
    }

    private func replay(_ target: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let run = try XCTUnwrap(FuzzEntryPoints.targets[target], file: file, line: line)
        let folder = Self.folder + "/" + target
        let expected = try manifest(folder + "/manifest.txt")
        let inputs = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0 != "manifest.txt" && !$0.hasPrefix(".") }.sorted()
        XCTAssertFalse(inputs.isEmpty, "\(folder) holds no inputs", file: file, line: line)
        XCTAssertEqual(Set(inputs), Set(expected.keys), "\(target): the files and manifest.txt disagree", file: file, line: line)
        XCTAssertTrue(inputs.contains { $0.hasPrefix("handmade-") }, "\(target): no handmade inputs", file: file, line: line)
        for name in inputs {
            let bytes = try TestSupport.readFile(folder + "/" + name)
            let outcome = run(bytes)
            XCTAssertEqual(outcome.description, expected[name], "\(target)/\(name)", file: file, line: line)
        }
    }

    /// `name outcome` per line; `#` starts a comment.
    private func manifest(_ path: String) throws -> [String: String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var result: [String: String] = [:]
        for raw in text.split(separator: "\n") {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard !fields.isEmpty else { continue }
            XCTAssertEqual(fields.count, 2, "\(path): \(raw)")
            if fields.count == 2 { result[String(fields[0])] = String(fields[1]) }
        }
        return result
    }
}
