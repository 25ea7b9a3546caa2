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

    /// After the last source byte the pack still compresses, encrypts, hashes and syncs: each is named
    /// (the bar stays full), in order, and only once every byte is counted.
    func testPackNamesWhatItDoesOnceEveryByteIsCounted() throws {
        let src = try source()
        let recorder = Recorder()
        _ = try Packager.pack(PackRequest(sourceFolder: src, setupFile: "setup.exe", output: try makeTemporaryFolder()), progress: recorder.record)
        let finishing = recorder.reports.filter { $0.finishing != nil }
        XCTAssertEqual(finishing.map { $0.finishing! }, ["compressing and encrypting the last files", "hashing and authenticating the content",
                                                         "flushing to disk and renaming into place"])
        XCTAssertTrue(finishing.allSatisfy { $0.done == $0.total && $0.phase == "packing" }, "\(finishing)")
        XCTAssertEqual(recorder.reports.last?.finishing, "flushing to disk and renaming into place")
        let firstFinishing = try XCTUnwrap(recorder.reports.firstIndex { $0.finishing != nil })
        XCTAssertTrue(recorder.reports[..<firstFinishing].allSatisfy { $0.finishing == nil })
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
        // The finishing steps belong to the last pass, and a new pass starts without one.
        XCTAssertEqual(Set(recorder.reports.filter { $0.finishing != nil }.map(\.step)), [2])
        XCTAssertNil(recorder.reports.first { $0.step == 2 }?.finishing)
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
