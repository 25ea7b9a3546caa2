import Foundation
@_exported import IntuneWinTestSupport  // the runner and fixture paths, for every file of the suite
import XCTest
@testable import IntuneWin

/// Paths and small helpers shared by the library tests.
enum TestSupport {
    /// True in `make test-asan` builds: AddressSanitizer's shadow memory, redzones and quarantine then
    /// dominate peak RSS, so memory measurements say nothing about our code there.
    static let underAddressSanitizer = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__asan_init") != nil

    static let repoRoot = RepositoryPaths.root.path
    static let fixtures = RepositoryPaths.fixtures.path
    static let samples = RepositoryPaths.samples.path
    static let imeLogs = RepositoryPaths.imeLogs.path
    static let oracle = RepositoryPaths.oracle.path

    static func sample(_ prefix: String) -> String {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: samples)) ?? []
        guard let name = names.first(where: { $0.hasPrefix(prefix) && $0.hasSuffix(".intunewin") }) else {
            XCTFail("no sample \(prefix) in \(samples)")
            return samples + "/missing"
        }
        return samples + "/" + name
    }

    static var allSamples: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: samples)) ?? [])
            .filter { $0.hasSuffix(".intunewin") }.sorted().map { samples + "/" + $0 }
    }

    /// Runs a program (looked up on PATH) with `input` as its stdin, in `directory` (default: the current
    /// one); its exit status and output.
    @discardableResult
    static func run(_ program: String, _ arguments: [String], input: [UInt8]? = nil,
                    in directory: String? = nil) throws -> (status: Int32, stdout: [UInt8], stderr: String) {
        let result = try execute(program, arguments, in: directory.map { URL(fileURLWithPath: $0) }, input: input.map { Data($0) })
        return (result.status, [UInt8](result.stdout), result.err)
    }

    static func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func readFile(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }

    /// Deterministic pseudo-random bytes (xorshift), so failures reproduce.
    static func noise(_ count: Int, seed: UInt64 = 0x9E3779B97F4A7C15) -> [UInt8] {
        var state = seed | 1
        var out = [UInt8](repeating: 0, count: count)
        for i in 0..<count {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            out[i] = UInt8(truncatingIfNeeded: state)
        }
        return out
    }
}

extension XCTestCase {
    /// A fresh empty folder, removed when the test ends.
    func makeTemporaryFolder(_ label: String = #function) throws -> String {
        let safe = label.filter { $0.isLetter || $0.isNumber }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("iw-\(safe)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    /// Asserts `body` throws an IntuneWinError of `kind`, and returns it.
    @discardableResult
    func assertThrows<T>(_ kind: IntuneWinError.Kind, file: StaticString = #filePath, line: UInt = #line,
                         _ body: () throws -> T) -> IntuneWinError? {
        do {
            _ = try body()
            XCTFail("expected \(kind) error, got success", file: file, line: line)
        } catch let error as IntuneWinError {
            XCTAssertEqual(error.kind, kind, "\(error)", file: file, line: line)
            return error
        } catch {
            XCTFail("expected IntuneWinError, got \(error)", file: file, line: line)
        }
        return nil
    }
}
