import Foundation
import XCTest
@testable import IntuneWin
#if canImport(Glibc)
import Glibc
#endif

/// CSystem's mktemp (Sources/CSystem/shim.c), which replaces glibc's in every binary that links the library,
/// so the static release link prints no "the use of `mktemp' is dangerous" warning: glibc's contract, and
/// names nothing that exists.
final class MktempShimTests: XCTestCase {
    #if os(Linux)
    private func call(_ template: String) -> (String, Int32) {
        var bytes = Array(template.utf8CString)
        errno = 0
        let result = bytes.withUnsafeMutableBufferPointer { String(cString: mktemp($0.baseAddress!)) }
        return (result, errno)
    }

    func testFillsTheSuffixWithRandomLettersAndDigitsNamingNothing() throws {
        let folder = try makeTemporaryFolder()
        var seen = Set<String>()
        for _ in 0..<200 {
            let (name, _) = call(folder + "/.dat.nosyncABC.XXXXXX")
            XCTAssertTrue(name.hasPrefix(folder + "/.dat.nosyncABC."), name)
            let suffix = name.suffix(6)
            XCTAssertEqual(suffix.count, 6)
            XCTAssertTrue(suffix.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }, name)
            XCTAssertFalse(FileManager.default.fileExists(atPath: name), "mktemp creates nothing")
            seen.insert(name)
        }
        XCTAssertGreaterThan(seen.count, 195, "random, not a counter that repeats")
    }

    func testATemplateWithoutSixXsIsEINVALAndEmpty() {
        for template in ["/tmp/abcXXXXX", "XXXXX", "/tmp/XXXXXXa", ""] {
            let (name, error) = call(template)
            XCTAssertEqual(name, "", template)
            XCTAssertEqual(error, EINVAL, template)
        }
    }

    /// Foundation's atomic write, the one caller, still writes and leaves no temporary file.
    func testFoundationsAtomicWriteStillWorks() throws {
        let file = try makeTemporaryFolder() + "/atomic.txt"
        try Data("written atomically".utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), "written atomically")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: (file as NSString).deletingLastPathComponent), ["atomic.txt"])
    }
    #endif
}
