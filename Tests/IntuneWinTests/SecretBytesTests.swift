import Foundation
import XCTest
@testable import IntuneWin

/// SecretBytes owns and scrubs its buffer, and compares by value in constant time (moved from the tool's
/// SecretLeakTests: these call only the library).
final class SecretBytesTests: XCTestCase {
    /// SecretBytes keeps its bytes in a buffer of its own and scrubs it with OPENSSL_cleanse (`wipe()`, what
    /// deinit runs). Watched through a pointer while the value is still alive — reading it after deinit would
    /// be a use after free, so the deinit path is this same call, checked by reading the code: the store
    /// cannot be dropped by the optimizer because it goes through OPENSSL_cleanse, not a plain loop.
    func testSecretBytesBufferIsZeroAfterWipe() throws {
        let original: [UInt8] = (1...32).map { UInt8($0) }
        for secret in [SecretBytes(original), try XCTUnwrap(SecretBytes(base64: Data(original).base64EncodedString()))] {
            let copy = secret  // a copy shares the buffer: one wipe covers both
            // Escapes the closure on purpose, to watch the buffer; valid while `secret` is alive (below).
            let buffer = secret.withUnsafeBytes { $0 }
            XCTAssertEqual(Array(buffer), original)
            original.withUnsafeBytes { XCTAssertNotEqual($0.baseAddress, buffer.baseAddress, "the secret must own its buffer") }
            XCTAssertEqual(secret.revealedBase64(), Data(original).base64EncodedString())
            secret.wipe()
            XCTAssertEqual(Array(buffer), [UInt8](repeating: 0, count: 32), "bytes left after wipe()")
            copy.withUnsafeBytes { XCTAssertEqual(Array($0), [UInt8](repeating: 0, count: 32)) }
            withExtendedLifetime(secret) {}
        }
        XCTAssertEqual(original, (1...32).map { UInt8($0) }, "the caller's array is the caller's: not touched")
    }

    /// `init(scrubbing:)` scrubs the array it was given (its own buffer, watched through a pointer).
    func testSecretBytesScrubbingInitClearsTheSource() {
        var source: [UInt8] = (1...32).map { UInt8($0) }
        let before = source.withUnsafeBytes { $0.baseAddress }
        let secret = SecretBytes(scrubbing: &source)
        XCTAssertEqual(source, [UInt8](repeating: 0, count: 32), "the source still holds the key")
        XCTAssertEqual(source.withUnsafeBytes { $0.baseAddress }, before, "scrubbed in place, not in a copy")
        secret.withUnsafeBytes { XCTAssertEqual(Array($0), (1...32).map { UInt8($0) }) }
    }

    func testSecretBytesCompareByValueOnly() {
        let a = SecretBytes((1...32).map { UInt8($0) })
        XCTAssertEqual(a, SecretBytes((1...32).map { UInt8($0) }))
        XCTAssertNotEqual(a, SecretBytes((1...31).map { UInt8($0) } + [0]))
        XCTAssertNotEqual(a, SecretBytes((1...31).map { UInt8($0) }))
        XCTAssertEqual(SecretBytes([]), SecretBytes([]))
        XCTAssertEqual(SecretBytes([]).count, 0)
        XCTAssertEqual(SecretBytes([]).revealedBase64(), "")
        XCTAssertTrue(constantTimeEqual([1, 2, 3], [1, 2, 3]))
        XCTAssertFalse(constantTimeEqual([1, 2, 3], [1, 2, 4]))
        XCTAssertFalse(constantTimeEqual([1, 2, 3], [1, 2]))
        XCTAssertTrue(constantTimeEqual([], []))
    }
}
