import Foundation

// The one way the test suites run a program (the built `intunewin-tool`, and the independent tools they
// check it against: the Python oracle, unzip, 7z, openssl, msitools). Test machinery: no product links it.

/// What a finished process left behind.
public struct RunResult {
    public let status: Int32
    /// True when the process was killed by a signal (a crash), `status` is then the signal number.
    public let signaled: Bool
    public let stdout: Data
    public let stderr: Data

    public var out: String { String(decoding: stdout, as: UTF8.self) }
    public var err: String { String(decoding: stderr, as: UTF8.self) }
    public var errLines: [String] { err.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
    /// Short text for failure messages.
    public var summary: String { "exit \(signaled ? "signal " : "")\(status)\nstdout: \(out.prefix(2000))\nstderr: \(err.prefix(2000))" }
}

/// A started process that can be signalled before it finishes. Its output goes to files rather than
/// pipes, and its input comes from one: nothing can block on a full pipe, however much is printed.
public final class RunningProcess {
    public let process = Process()
    private let outURL: URL
    private let errURL: URL
    private let inURL: URL?

    /// Starts `executable`; `input` is its whole stdin (none: stdin is empty).
    public init(executable: URL, arguments: [String], environment: [String: String] = [:], directory: URL? = nil,
                input: Data? = nil) throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("iwt-io-\(UUID().uuidString)")
        outURL = scratch.appendingPathExtension("out")
        errURL = scratch.appendingPathExtension("err")
        inURL = input.map { _ in scratch.appendingPathExtension("in") }
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        if let directory { process.currentDirectoryURL = directory }
        if let inURL, let input {
            _ = FileManager.default.createFile(atPath: inURL.path, contents: input)
            process.standardInput = try FileHandle(forReadingFrom: inURL)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        do { try process.run() } catch {
            removeFiles()
            throw error
        }
    }

    public var isRunning: Bool { process.isRunning }
    public func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

    /// Waits for the process to end and collects what it wrote.
    public func wait() -> RunResult {
        process.waitUntilExit()
        defer { removeFiles() }
        return RunResult(status: process.terminationStatus,
                         signaled: process.terminationReason == .uncaughtSignal,
                         stdout: (try? Data(contentsOf: outURL)) ?? Data(),
                         stderr: (try? Data(contentsOf: errURL)) ?? Data())
    }

    private func removeFiles() {
        for url in [outURL, errURL] + (inURL.map { [$0] } ?? []) { try? FileManager.default.removeItem(at: url) }
    }
}

/// Runs a program to completion. `program` is a path or a name looked up on PATH; `input` is its stdin.
@discardableResult
public func execute(_ program: String, _ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil,
                    input: Data? = nil) throws -> RunResult {
    let executable: URL
    var args = arguments
    if program.hasPrefix("/") {
        executable = URL(fileURLWithPath: program)
    } else {
        executable = URL(fileURLWithPath: "/usr/bin/env")
        args = [program] + arguments
    }
    return try RunningProcess(executable: executable, arguments: args, environment: environment, directory: directory,
                              input: input).wait()
}
