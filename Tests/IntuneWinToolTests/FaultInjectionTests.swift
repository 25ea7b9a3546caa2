import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Helpers shared with InterruptTests and SecretLeakTests

/// Everything that says a file or folder is untouched: for a folder every item's name, type, size, mode and
/// modification time plus every file's SHA-256; for a file the same of the file. Read with stat and sha256sum.
func snapshot(_ url: URL) throws -> String {
    // Unreadable items (a test's mode-000 file, when not run as root) give the same error line each time.
    let script = """
        if [ -d "$1" ]; then
          cd "$1" || exit 1
          find . -print0 2>&1 | LC_ALL=C sort -z | xargs -0 stat -c '%n %F %s %a %Y' 2>&1
          find . -type f -print0 2>/dev/null | LC_ALL=C sort -z | xargs -0 -r sha256sum 2>&1
        else
          stat -c '%s %a %Y' "$1" || exit 1
          sha256sum < "$1" 2>/dev/null || echo unreadable
        fi
        exit 0
        """
    let result = try execute("sh", ["-c", script, "sh", url.path])
    guard result.status == 0 else { throw SetupError("snapshot of \(url.path) failed: \(result.summary)") }
    return result.out
}

/// Appends `count` random-looking bytes to `file` (AES-CTR keystream from openssl; `seed` picks the stream).
func appendNoise(_ file: URL, _ count: Int, seed: Int = 0) throws {
    try makeFolder(file.deletingLastPathComponent())
    let result = try execute("sh", ["-c", "openssl enc -aes-128-ctr -pass pass:seed\(seed) -nosalt -pbkdf2 < /dev/zero 2>/dev/null | head -c \(count) >> \"$1\"",
                                    "sh", file.path])
    guard result.status == 0 else { throw SetupError("cannot generate random data: \(result.summary)") }
}

/// Temporary outputs (`.name.partial-XXXXXX`, files or folders) anywhere under `folder`.
func partialOutputs(under folder: URL) -> [String] {
    guard let walker = FileManager.default.enumerator(atPath: folder.path) else { return [] }
    return walker.compactMap { $0 as? String }.filter { $0.contains(".partial-") }.sorted()
}

/// Size of a file, or -1.
func fileSize(_ path: String) -> Int64 {
    var st = stat()
    return lstat(path, &st) == 0 ? Int64(st.st_size) : -1
}

/// True when a temporary output in `parent` (`.name.partial-*`) already holds written bytes: a staging
/// folder with a non-empty file, or a non-empty partial file. The moment to signal or stop the tool.
func stagingHoldsData(_ parent: URL) -> Bool {
    for name in listing(parent) where name.contains(".partial-") {
        let path = parent.appending(name).path
        var st = stat()
        guard lstat(path, &st) == 0 else { continue }
        if (st.st_mode & S_IFMT) == S_IFREG { if st.st_size > 0 { return true } else { continue } }
        guard let walker = FileManager.default.enumerator(atPath: path) else { continue }
        for case let relative as String in walker where fileSize(path + "/" + relative) > 0 {
            var inner = stat()
            if lstat(path + "/" + relative, &inner) == 0, (inner.st_mode & S_IFMT) == S_IFREG { return true }
        }
    }
    return false
}

/// Packages of incompressible files, big enough that unpacking or decrypting one takes a noticeable time
/// (for signals and SIGSTOP mid-write). Built once per size per test process, with the tool itself; the
/// classes using them call `removeAll()` in their class tearDown.
enum LargePackage {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var built: [Int: URL] = [:]
    static let folder = FileManager.default.temporaryDirectory.appendingPathComponent("iwt-large-\(getpid())")
    static let fileCount = 4

    /// A package holding `setup.exe` and `fileCount` files `fN.bin` of `fileSize` random bytes each (stored).
    static func package(fileSize: Int) throws -> URL {
        lock.lock(); defer { lock.unlock() }
        if let url = built[fileSize], url.exists { return url }
        let src = folder.appending("src-\(fileSize)")
        try? FileManager.default.removeItem(at: src)
        try write("MZ setup\n", to: src.appending("setup.exe"))
        for n in 1...fileCount { try appendNoise(src.appending("f\(n).bin"), fileSize, seed: n) }
        let package = folder.appending("large-\(fileSize).intunewin")
        try? FileManager.default.removeItem(at: package)
        let result = try tool("pack", "-c", src.path, "-s", "setup.exe", "-o", package.path, "--store-incompressible", "-q")
        try? FileManager.default.removeItem(at: src)
        guard result.status == 0 else { throw SetupError("cannot build the large package: \(result.summary)") }
        built[fileSize] = package
        return package
    }

    static func removeAll() {
        lock.lock(); defer { lock.unlock() }
        try? FileManager.default.removeItem(at: folder)
        built = [:]
    }
}

// MARK: - Fault injection

/// Faults from outside, end to end through the binary: a full disk (a file-size limit, a tiny tmpfs),
/// unreadable input, unwritable output, a source file growing while it is packed. Every case must give
/// one error line naming the file, the documented exit code (3 bad input, 4 cannot write), no output and
/// no temporary file left behind, and the input untouched.
final class FaultInjectionTests: ToolTestCase {
    private var mountPoint: URL?
    private var restorePermissions: [URL] = []

    override func tearDownWithError() throws {
        if let mountPoint { _ = try? execute("umount", [mountPoint.path]) }
        for url in restorePermissions { chmod(url.path, 0o755) }
        try super.tearDownWithError()
    }

    /// setup.exe, a sub-folder file, and 1 MiB of random bytes (the package is > 1 MiB).
    private func makeSource(_ relative: String = "src", bigSize: Int = 1 << 20) throws -> URL {
        let src = try makeApp(relative)
        try appendNoise(src.appending("data/big.bin"), bigSize, seed: 42)
        return src
    }

    /// The tool with RLIMIT_FSIZE at `bytes` (soft and hard), via util-linux prlimit: the kernel refuses any
    /// write past that offset of any file — a full disk without needing one.
    private func toolUnderFileSizeLimit(_ bytes: Int, _ arguments: [String]) throws -> RunResult {
        try execute("prlimit", ["--fsize=\(bytes)", "--", Tool.binary.path] + arguments)
    }

    private func assertCleanFailure(_ result: RunResult, exit code: Int32, naming subject: String, reason: String,
                                    outputParent: URL, inputs: [URL: String], file: StaticString = #filePath, line: UInt = #line) throws {
        assertExit(result, code, "expected a clean failure", file: file, line: line)
        assertOneLineError(result, naming: subject, file: file, line: line)
        if !reason.isEmpty {
            XCTAssertTrue(result.err.contains(reason), "stderr should say \(reason)\n\(result.summary)", file: file, line: line)
        }
        XCTAssertEqual(listing(outputParent), [], "nothing may be left in \(outputParent.path)", file: file, line: line)
        XCTAssertEqual(partialOutputs(under: scratch), [], "temporary outputs left in the scratch folder", file: file, line: line)
        for (url, before) in inputs {
            XCTAssertEqual(try snapshot(url), before, "\(url.path) changed", file: file, line: line)
        }
    }

    // MARK: Full disk: RLIMIT_FSIZE

    /// Without `signal(SIGXFSZ, SIG_IGN)` the kernel kills the tool at the limit (exit 153, partial file left).
    func testPackUnderFileSizeLimitExits4AndLeavesNothing() throws {
        let src = try makeSource()
        let before = try snapshot(src)
        let out = path("out")
        try makeFolder(out)
        let result = try toolUnderFileSizeLimit(64 << 10, ["pack", "-c", src.path, "-s", "setup.exe", "-o", out.path])
        try assertCleanFailure(result, exit: 4, naming: out.appending("setup.intunewin").path, reason: "File too large",
                               outputParent: out, inputs: [src: before])
    }

    /// The limit one byte short of the package fails at the very last write (end records, commit); the
    /// exact size succeeds, which proves the limit is what failed.
    func testPackOneByteOverTheLimitFailsAtTheEndAndTheExactLimitSucceeds() throws {
        let src = try makeSource()
        let before = try snapshot(src)
        let reference = path("reference.intunewin")
        try pack(src, to: reference)
        let size = Int(fileSize(reference.path))
        XCTAssertGreaterThan(size, 1 << 20)

        let out = path("out")
        try makeFolder(out)
        let tooSmall = try toolUnderFileSizeLimit(size - 1, ["pack", "-c", src.path, "-s", "setup.exe", "-o", out.path])
        try assertCleanFailure(tooSmall, exit: 4, naming: out.appending("setup.intunewin").path, reason: "File too large",
                               outputParent: out, inputs: [src: before])

        let exact = try toolUnderFileSizeLimit(size, ["pack", "-c", src.path, "-s", "setup.exe", "-o", out.path])
        assertExit(exact, 0, "the package fits the limit exactly")
        XCTAssertEqual(listing(out), ["setup.intunewin"])
        XCTAssertEqual(fileSize(out.appending("setup.intunewin").path), Int64(size))
    }

    func testUnpackUnderFileSizeLimitExits4AndLeavesNothing() throws {
        let src = try makeSource()
        let package = path("app.intunewin")
        try pack(src, to: package)
        let before = try snapshot(package)
        let parent = path("unpacked")
        try makeFolder(parent)
        let target = parent.appending("app")

        // One byte short of the largest file (1 MiB): fails; the exact size: works.
        let failed = try toolUnderFileSizeLimit((1 << 20) - 1, ["unpack", package.path, "-o", target.path])
        try assertCleanFailure(failed, exit: 4, naming: target.appending("data/big.bin").path, reason: "File too large",
                               outputParent: parent, inputs: [package: before])
        let small = try toolUnderFileSizeLimit(64 << 10, ["unpack", package.path, "-o", target.path])
        try assertCleanFailure(small, exit: 4, naming: target.appending("data/big.bin").path, reason: "File too large",
                               outputParent: parent, inputs: [package: before])

        let exact = try toolUnderFileSizeLimit(1 << 20, ["unpack", package.path, "-o", target.path])
        assertExit(exact, 0, "every file fits the limit")
        XCTAssertEqual(try files(target)["data/big.bin"], src.appending("data/big.bin").bytes)
    }

    func testDecryptToZipUnderFileSizeLimitExits4AndLeavesNothing() throws {
        let src = try makeSource()
        let package = path("app.intunewin")
        try pack(src, to: package)
        let plainSize = Int(try PackageParts(package)["UnencryptedContentSize"])!
        let before = try snapshot(package)
        let parent = path("decrypted")
        try makeFolder(parent)
        let zip = parent.appending("inner.zip")
        let arguments = ["decrypt", package.path, "--encryption-info", package.path, "-o", zip.path]

        let failed = try toolUnderFileSizeLimit(64 << 10, arguments)
        try assertCleanFailure(failed, exit: 4, naming: zip.path, reason: "File too large", outputParent: parent, inputs: [package: before])
        let oneShort = try toolUnderFileSizeLimit(plainSize - 1, arguments)
        try assertCleanFailure(oneShort, exit: 4, naming: zip.path, reason: "File too large", outputParent: parent, inputs: [package: before])

        let exact = try toolUnderFileSizeLimit(plainSize, arguments)
        assertExit(exact, 0, "the inner zip fits the limit exactly")
        XCTAssertEqual(fileSize(zip.path), Int64(plainSize))
    }

    func testDecryptToFolderUnderFileSizeLimitExits4AndLeavesNothing() throws {
        let src = try makeSource()
        let package = path("app.intunewin")
        try pack(src, to: package)
        let before = try snapshot(package)
        let parent = path("decrypted")
        try makeFolder(parent)
        let target = parent.appending("app")
        let result = try toolUnderFileSizeLimit(64 << 10, ["decrypt", package.path, "--encryption-info", package.path, "-o", target.path])
        try assertCleanFailure(result, exit: 4, naming: target.appending("data/big.bin").path, reason: "File too large",
                               outputParent: parent, inputs: [package: before])
    }

    // MARK: Full disk: a 1 MiB tmpfs

    /// A real ENOSPC rather than a limit: outputs go to a 1 MiB tmpfs. Needs root (mount); here the tests
    /// run as root and `mount -t tmpfs -o size=1m` works. Where mounting is refused the test is skipped and
    /// the RLIMIT_FSIZE tests above carry the disk-full cases.
    private func mountSmallTmpfs() throws -> URL {
        let point = path("tmpfs")
        try makeFolder(point)
        guard geteuid() == 0 else { throw XCTSkip("mounting a tmpfs needs root; the RLIMIT_FSIZE tests cover a full disk") }
        let result = try execute("mount", ["-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs", point.path])
        guard result.status == 0 else { throw XCTSkip("mount -t tmpfs refused here (\(result.err)); the RLIMIT_FSIZE tests cover a full disk") }
        mountPoint = point
        return point
    }

    /// A file over the 16 MiB in-memory limit is deflated once into a spool beside the output; on a full
    /// disk the spool's write fails first: exit 4, the folder named, nothing left (the spool is unlinked).
    func testLargeFileSpoolOnAFullTmpfsExits4AndLeavesItEmpty() throws {
        let src = try makeSource(bigSize: 24 << 20)
        let sourceBefore = try snapshot(src)
        let disk = try mountSmallTmpfs()
        // Refused before any work: the disk has less free space than the package may need.
        let refused = try tool("pack", "-c", src.path, "-s", "setup.exe", "-o", disk.path)
        try assertCleanFailure(refused, exit: 4, naming: disk.path, reason: "available",
                               outputParent: disk, inputs: [src: sourceBefore])
        XCTAssertTrue(refused.err.contains("--no-size-limits"), refused.summary)
        // With that check off, the spool's writes hit the full disk.
        let packed = try tool("pack", "-c", src.path, "-s", "setup.exe", "-o", disk.path, "--no-size-limits")
        try assertCleanFailure(packed, exit: 4, naming: disk.path, reason: "No space left on device",
                               outputParent: disk, inputs: [src: sourceBefore])
        XCTAssertTrue(packed.err.contains("temporary file"), packed.summary)
    }

    func testEveryWritingCommandOnAFullTmpfsExits4AndLeavesItEmpty() throws {
        let src = try makeSource(bigSize: 2 << 20)
        let package = path("app.intunewin")
        try pack(src, to: package)
        let sourceBefore = try snapshot(src), packageBefore = try snapshot(package)
        let disk = try mountSmallTmpfs()
        let inputs = [src: sourceBefore, package: packageBefore]

        let refused = try tool("pack", "-c", src.path, "-s", "setup.exe", "-o", disk.path)
        try assertCleanFailure(refused, exit: 4, naming: disk.path, reason: "available", outputParent: disk, inputs: inputs)
        let packed = try tool("pack", "-c", src.path, "-s", "setup.exe", "-o", disk.path, "--no-size-limits")
        try assertCleanFailure(packed, exit: 4, naming: disk.appending("setup.intunewin").path, reason: "No space left on device",
                               outputParent: disk, inputs: inputs)

        // Extraction may refuse up front when the free space is known to be short (naming the target folder);
        // with that check off (--no-size-limits, where the tool has it) the writes themselves hit ENOSPC.
        for command in [["unpack", package.path], ["decrypt", package.path, "--encryption-info", package.path]] {
            let override = try tool(command[0], "--help").out.contains("--no-size-limits") ? ["--no-size-limits"] : []
            for extra in Set([[], override]) {
                let target = disk.appending("\(command[0])-out")
                let result = try tool(command + ["-o", target.path] + extra)
                try assertCleanFailure(result, exit: 4, naming: target.path, reason: extra.isEmpty ? "" : "No space left on device",
                                       outputParent: disk, inputs: inputs)
                XCTAssertTrue(result.err.contains("No space left on device") || result.err.contains("available"), result.summary)
                if !extra.isEmpty { XCTAssertTrue(result.err.contains(target.appending("data/big.bin").path), result.summary) }
            }
        }

        let zip = try tool("decrypt", package.path, "--encryption-info", package.path, "-o", disk.appending("inner.zip").path)
        try assertCleanFailure(zip, exit: 4, naming: disk.appending("inner.zip").path, reason: "No space left on device",
                               outputParent: disk, inputs: inputs)

        // The space is all given back: a file of most of the tmpfs still fits.
        XCTAssertNoThrow(try Data(count: 900 << 10).write(to: disk.appending("probe")))
    }

    // MARK: Unreadable input, unwritable output

    /// Runs the tool as an unprivileged user (nobody, via util-linux setpriv) when the tests run as root,
    /// since root reads a mode-000 file anyway; as anyone else, directly.
    private func toolUnprivileged(_ arguments: [String]) throws -> RunResult {
        guard geteuid() == 0 else { return try tool(arguments) }
        return try execute("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--", Tool.binary.path] + arguments)
    }

    /// An output folder the unprivileged user may write to.
    private func writableFolder(_ relative: String) throws -> URL {
        let url = path(relative)
        try makeFolder(url)
        chmod(url.path, 0o777)
        return url
    }

    private func lock(_ url: URL) {
        chmod(url.path, 0)
        restorePermissions.append(url)
    }

    func testUnreadableSourceFileAtScanExits3NamingIt() throws {
        let src = try makeApp()
        let secret = src.appending("conf/secret.bin")
        try write("not for everyone\n", to: secret)
        lock(secret)
        let before = try snapshot(src)
        let out = try writableFolder("out")
        let result = try toolUnprivileged(["pack", "-c", src.path, "-s", "setup.exe", "-o", out.path])
        try assertCleanFailure(result, exit: 3, naming: secret.path, reason: "Permission denied", outputParent: out, inputs: [src: before])
    }

    func testUnreadableSourceFolderAtScanExits3NamingIt() throws {
        let src = try makeApp()
        let locked = src.appending("locked")
        try write("inside\n", to: locked.appending("file.txt"))
        lock(locked)
        let before = try snapshot(src)
        let out = try writableFolder("out")
        let result = try toolUnprivileged(["pack", "-c", src.path, "-s", "setup.exe", "-o", out.path])
        try assertCleanFailure(result, exit: 3, naming: locked.path, reason: "Permission denied", outputParent: out, inputs: [src: before])
    }

    func testUnreadablePackageExits3ForEveryReadingCommand() throws {
        let package = path("app.intunewin")
        try pack(try makeApp(), to: package)
        lock(package)
        let before = try snapshot(package)
        let out = try writableFolder("out")
        let commands: [[String]] = [
            ["info", package.path], ["list", package.path], ["verify", package.path],
            ["unpack", package.path, "-o", out.appending("x").path],
            ["decrypt", package.path, "--encryption-info", package.path, "-o", out.appending("x.zip").path],
        ]
        for arguments in commands {
            let result = try toolUnprivileged(arguments)
            try assertCleanFailure(result, exit: 3, naming: package.path, reason: "Permission denied", outputParent: out,
                                   inputs: [package: before])
        }
    }

    func testUnwritableOutputFolderExits4NamingIt() throws {
        let src = try makeApp()
        let package = path("app.intunewin")
        try pack(src, to: package)
        let sourceBefore = try snapshot(src), packageBefore = try snapshot(package)
        // Owned by root and 0755 when run as root (the tool runs as nobody); 0555 otherwise.
        let readOnly = path("read-only")
        try makeFolder(readOnly)
        chmod(readOnly.path, geteuid() == 0 ? 0o755 : 0o555)
        restorePermissions.append(readOnly)
        let inputs = [src: sourceBefore, package: packageBefore]

        let packed = try toolUnprivileged(["pack", "-c", src.path, "-s", "setup.exe", "-o", readOnly.path])
        try assertCleanFailure(packed, exit: 4, naming: readOnly.appending("setup.intunewin").path, reason: "Permission denied",
                               outputParent: readOnly, inputs: inputs)
        let unpacked = try toolUnprivileged(["unpack", package.path, "-o", readOnly.appending("app").path])
        try assertCleanFailure(unpacked, exit: 4, naming: readOnly.appending("app").path, reason: "Permission denied",
                               outputParent: readOnly, inputs: inputs)
        let zip = try toolUnprivileged(["decrypt", package.path, "--encryption-info", package.path, "-o", readOnly.appending("inner.zip").path])
        try assertCleanFailure(zip, exit: 4, naming: readOnly.appending("inner.zip").path, reason: "Permission denied",
                               outputParent: readOnly, inputs: inputs)
    }

    // MARK: A source file growing while it is packed

    /// A background writer appends to a large file for the whole pack: the scan's size no longer holds, and
    /// the packer notices (the file does not end where the scan said) instead of packing a torn file.
    func testSourceFileGrowingDuringPackExits3AndLeavesNothing() throws {
        let src = try makeApp()
        let growing = src.appending("data/growing.log")
        try appendNoise(growing, 24 << 20, seed: 7)  // > 16 MiB: the two-pass path
        let steady = [src.appending("setup.exe"), src.appending("conf/app.ini")]
        let before = try steady.map(snapshot)
        let out = path("out")
        try makeFolder(out)

        let writer = try RunningProcess(executable: URL(fileURLWithPath: "/usr/bin/env"), arguments: ["python3", "-c", """
            import sys, time
            with open(sys.argv[1], "ab", buffering=0) as f:
                while True:
                    f.write(b"appended line\\n" * 256)
                    time.sleep(0.005)
            """, growing.path])
        defer { if writer.isRunning { writer.signal(SIGKILL) }; _ = writer.wait() }
        let start = fileSize(growing.path)
        let deadline = Date().addingTimeInterval(10)
        while fileSize(growing.path) == start && Date() < deadline { usleep(5_000) }
        XCTAssertGreaterThan(fileSize(growing.path), start, "the background writer never appended")

        let result = try tool("pack", "-c", src.path, "-s", "setup.exe", "-o", out.path)
        writer.signal(SIGKILL)
        assertExit(result, 3, "pack of a growing file")
        assertOneLineError(result, naming: growing.path)
        XCTAssertTrue(result.err.contains("file changed while packing"), result.summary)
        XCTAssertEqual(listing(out), [], "no package, no partial file")
        XCTAssertEqual(try steady.map(snapshot), before, "the other source files changed")
    }
}
