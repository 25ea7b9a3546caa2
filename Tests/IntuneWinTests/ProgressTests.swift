import Foundation
import XCTest
@testable import IntuneWin

/// Progress as the library reports it: passes named and counted, each pass's bytes against its own
/// total, so a front end shows the work as a person thinks of it without knowing how many reads it takes.
final class ProgressTests: XCTestCase {
    /// Every report, and per pass the last one.
    private final class Recorder: @unchecked Sendable {
        var reports: [WorkProgress] = []
        func record(_ p: WorkProgress) { reports.append(p) }
        var passes: [WorkProgress] {
            var last: [Int: WorkProgress] = [:]
            for r in reports { last[r.step] = r }
            return last.keys.sorted().map { last[$0]! }
        }
    }

    private func source() throws -> String {
        let folder = try makeTemporaryFolder() + "/src"
        try TestSupport.writeFile(folder + "/setup.exe", TestSupport.noise(300_000))
        try TestSupport.writeFile(folder + "/data/big.bin", TestSupport.noise(3_000_000, seed: 9))
        try TestSupport.writeFile(folder + "/readme.txt", Array(repeating: UInt8(ascii: "a"), count: 50_000))
        return folder
    }

    func testPackIsOnePassOverTheSourceBytes() throws {
        let src = try source()
        let recorder = Recorder()
        _ = try Packager.pack(PackRequest(sourceFolder: src, setupFile: "setup.exe", output: try makeTemporaryFolder()), progress: recorder.record)
        let passes = recorder.passes
        XCTAssertEqual(passes.map(\.phase), ["packing"])
        XCTAssertEqual(passes[0].steps, 1)
        XCTAssertEqual(passes[0].total, 3_350_000)
        XCTAssertEqual(passes[0].done, passes[0].total, "the pass ends complete")
        XCTAssertEqual(recorder.reports.map(\.done), recorder.reports.map(\.done).sorted(), "never goes back")
    }

    func testNestedPackIsTwoPasses() throws {
        let src = try source()
        var request = PackRequest(sourceFolder: src, setupFile: "setup.exe", output: try makeTemporaryFolder())
        request.nested = NestedOptions()
        let recorder = Recorder()
        _ = try Packager.pack(request, progress: recorder.record)
        XCTAssertEqual(recorder.passes.map(\.phase), ["packing payload.zip", "packing"])
        XCTAssertEqual(recorder.passes.map(\.steps), [2, 2])
        XCTAssertEqual(recorder.passes[0].total, 3_350_000)
        XCTAssertTrue(recorder.passes.allSatisfy { $0.done == $0.total }, "\(recorder.passes)")
    }

    func testUnpackAuthenticatesThenExtractsEachAgainstItsOwnTotal() throws {
        let src = try source()
        let out = try makeTemporaryFolder()
        let packed = try Packager.pack(PackRequest(sourceFolder: src, setupFile: "setup.exe", output: out))
        let package = try IntuneWinPackage(path: packed.outputPath)
        let recorder = Recorder()
        _ = try Decryptor.unpack(package, to: out + "/unpacked", overwrite: false, progress: recorder.record)
        let passes = recorder.passes
        XCTAssertEqual(passes.map(\.phase), ["authenticating", "extracting"])
        XCTAssertEqual(passes.map(\.step), [1, 2])
        XCTAssertEqual(passes[0].total, package.content.ciphertextSize, "the first pass reads the package's content")
        XCTAssertEqual(passes[1].total, 3_350_000, "the second writes the files")
        XCTAssertTrue(passes.allSatisfy { $0.done == $0.total }, "\(passes)")
    }

    func testVerifyIsOnePassOverTheContent() throws {
        let src = try source()
        let packed = try Packager.pack(PackRequest(sourceFolder: src, setupFile: "setup.exe", output: try makeTemporaryFolder()))
        let package = try IntuneWinPackage(path: packed.outputPath)
        let recorder = Recorder()
        XCTAssertTrue(try Verifier.verify(package, progress: recorder.record).passed)
        XCTAssertEqual(recorder.passes.map(\.phase), ["verifying"])
        XCTAssertEqual(recorder.passes[0].done, package.content.ciphertextSize)
    }
}
