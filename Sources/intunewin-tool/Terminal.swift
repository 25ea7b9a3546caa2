import Foundation
import IntuneWin
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// All terminal output: messages, errors, progress, JSON. Commands never print directly.
/// Every line goes through `printable`: names and log text come from untrusted files.
enum Terminal {
    static func line(_ text: String) {
        // Straight to C's stdout, which `print` writes through too (same buffer, same order), without
        // print's generic stream machinery: `list` writes a line per entry.
        var out = printable(text)
        out.append("\n")
        out.withUTF8 { _ = fwrite($0.baseAddress, 1, $0.count, stdout) }
    }

    /// Flushes stdout first: with both streams on one pipe the error follows the lines printed before it.
    static func error(_ text: String) { fflush(stdout); FileHandle.standardError.write(Data("intunewin-tool: error: \(printable(text))\n".utf8)) }
    /// `text` with control characters (tab aside) shown as `\xNN`: a hostile entry name, file name or log
    /// line cannot move the cursor, clear the screen or forge a line of output, and an error stays one line.
    static func printable(_ text: String) -> String {
        func isControl(_ value: UInt32) -> Bool { (value < 0x20 && value != 0x09) || value == 0x7F }
        // The common case, nothing to escape, by a plain loop over the bytes (list prints 50,000 names).
        var bytes = text
        guard bytes.withUTF8({ $0.contains { isControl(UInt32($0)) } }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if isControl(scalar.value) {
                let digits = String(scalar.value, radix: 16)
                out += "\\x" + (digits.count == 1 ? "0" : "") + digits
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func warning(_ text: String) { FileHandle.standardError.write(Data("intunewin-tool: warning: \(printable(text))\n".utf8)) }
    static func hint(_ text: String) { FileHandle.standardError.write(Data("intunewin-tool: \(printable(text))\n".utf8)) }

    /// A result as pretty JSON with stable key order: every `--json` output goes through here.
    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            print(String(decoding: try encoder.encode(value), as: UTF8.self))
        } catch {
            // Only a value JSON cannot hold (a non-finite number read from a damaged input) gets here.
            throw IntuneWinError(.badInput, path: "", "cannot write the result as JSON: \(error)")
        }
    }

    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    /// A size for people: exact below 1 KiB ("1 byte", "812 bytes"), otherwise one decimal in the largest
    /// binary unit ("1.2 KiB", "93.0 MiB"). Exact counts are in the --json output.
    static func bytes(_ n: UInt64) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB"]
        guard n >= 1024 else { return n == 1 ? "1 byte" : "\(n) bytes" }
        var value = Double(n) / 1024, unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return String(format: "%.1f %@", value, units[unit])
    }

    static func base64(_ b: [UInt8]) -> String { Data(b).base64EncodedString() }
}

/// A progress line on stderr for long work, only on a terminal and never with --json or -q: the pass
/// ("[1/2] authenticating"), a bar, bytes done of the pass's total, speed and time left. Redrawn at least
/// twice a second, also while no bytes move (the source scan before packing, a slow disk).
final class ProgressLine: @unchecked Sendable {
    private let enabled: Bool
    private let lock = NSLock()
    private var latest: WorkProgress?
    private var waitingLabel: String
    private var passStart = Date()
    private var drawn = false
    private var timer: DispatchSourceTimer?
    private let started = Date()

    /// `waiting` is shown until the first report (what happens before any byte is counted).
    init(waiting: String, enabled: Bool) {
        self.waitingLabel = waiting
        self.enabled = enabled && Terminal.stderrIsTerminal
        guard self.enabled else { return }
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + 0.5, repeating: 0.5)
        timer.setEventHandler { [weak self] in self?.draw(force: true) }
        timer.resume()
        self.timer = timer
    }

    private var lastDraw = Date.distantPast

    /// Takes a report from the library (any thread, one at a time).
    func update(_ progress: WorkProgress) {
        guard enabled else { return }
        lock.lock()
        if latest?.step != progress.step { passStart = Date() }
        // A new pass or a new finishing step is drawn at once: it may be the last thing shown for seconds.
        let changed = latest?.step != progress.step || latest?.finishing != progress.finishing
        latest = progress
        lock.unlock()
        draw(force: changed)
    }

    private func draw(force: Bool) {
        lock.lock()
        defer { lock.unlock() }
        guard enabled, timer != nil, force || Date().timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = Date()
        FileHandle.standardError.write(Data(("\r" + Self.text(latest, waiting: waitingLabel, elapsed: Date().timeIntervalSince(started),
                                                               passElapsed: Date().timeIntervalSince(passStart)) + "\u{1B}[K").utf8))
        drawn = true
    }

    /// The line for `progress` (internal for tests of its wording).
    static func text(_ progress: WorkProgress?, waiting: String, elapsed: TimeInterval, passElapsed: TimeInterval) -> String {
        guard let p = progress else { return "\(waiting) … \(clock(elapsed))" }
        let fraction = p.total == 0 ? 1 : min(1, Double(p.done) / Double(p.total))
        let width = 20, filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let step = p.steps > 1 ? "[\(p.step)/\(p.steps)] " : ""
        var line = "\(step)\(p.phase) [\(bar)] \(Int(fraction * 100))% \(mib(p.done)) of \(mib(p.total)) MiB"
        // All bytes counted, the result not complete yet: say what is still being done, not a stale ETA.
        if let finishing = p.finishing { return line + "  finishing: \(finishing)" }
        if passElapsed >= 0.5, p.done > 0 {
            let rate = Double(p.done) / passElapsed
            line += String(format: "  %.0f MB/s", rate / 1_000_000)
            if p.done < p.total { line += "  ETA \(clock(Double(p.total - p.done) / rate))" }
        }
        return line
    }

    private static func mib(_ bytes: UInt64) -> String { String(format: "%.1f", Double(bytes) / 1_048_576) }

    private static func clock(_ seconds: TimeInterval) -> String {
        let s = max(0, Int(seconds.rounded()))
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }

    /// Clears the line.
    func finish() {
        lock.lock()
        timer?.cancel()
        timer = nil
        let clear = enabled && drawn
        drawn = false
        lock.unlock()
        if clear { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}

/// Removes partial outputs when the user interrupts (SIGINT) or the system stops us (SIGTERM).
enum SignalCleanup {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    private static let lock = NSLock()
    nonisolated(unsafe) private static var interruptCode: Int32?

    static func install() {
        // A file-size limit (`ulimit -f`, RLIMIT_FSIZE) would otherwise kill us with SIGXFSZ in the middle
        // of a write, leaving the partial output behind. Ignored, write() fails with EFBIG instead and the
        // normal error path removes the partial file and exits with 4 (cannot write).
        signal(SIGXFSZ, SIG_IGN)
        for (sig, code) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                // The first signal wins; a second one (SIGTERM after SIGINT) finds the cleanup under way.
                lock.lock()
                let first = interruptCode == nil
                if first { interruptCode = code }
                lock.unlock()
                guard first else { return }
                CleanupRegistry.removeAll()
                FileHandle.standardError.write(Data("\nintunewin-tool: interrupted; partial output removed\n".utf8))
                fflush(stdout)
                // _exit, not exit: worker threads are still running, and exit()'s atexit handlers (OpenSSL's
                // cleanup among them) free locks and tables those threads are using — a crash (SIGSEGV in
                // pthread_rwlock_rdlock under EVP calls) instead of the documented exit code.
                _exit(code)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// For the error path in main: when a signal is being handled, an error arriving now is most likely its
    /// consequence (the cleanup removed a staging folder a worker was about to write into, "cannot create: No
    /// such file or directory"). Then this waits for the handler to end the process with 130/143 instead of
    /// printing that error and racing it with exit code 4. Returns at once otherwise.
    static func deferToInterrupt() {
        lock.lock()
        let code = interruptCode
        lock.unlock()
        guard let code else { return }
        // The handler removes the partial outputs and calls _exit; give it ample time, then end the same way.
        for _ in 0..<1000 { usleep(10_000) }
        _exit(code)
    }
}

/// The library's remedies, worded in this tool's options.
extension IntuneWinError.Remedy {
    var advice: String {
        switch self {
        case .allowOverwrite: return "use --force to overwrite"
        case .liftSizeLimits: return "use --no-size-limits to override"
        case .giveDeviceKeyPassword: return "give its password with --device-key-password"
        case .giveAsDecryptInfo: return "give it with --decrypt-info and the device's private key (--device-key)"
        case .exclude(let pattern): return "leave it out with --exclude '\(pattern)' or a line \(pattern) in \(ExcludeRules.ignoreFileName)"
        case .followLinks(let pattern): return "add --follow-links to pack what it points to, or leave it out with --exclude '\(pattern)'"
        case .packNested: return "consider pack --nested-zip"
        case .outputOutsideSource: return "choose an output outside it with -o"
        case .allowUnsafeNames: return "or pack them anyway with --allow-unsafe-names"
        case .giveContentKeys: return "decrypt or unpack it with its keys: --encryption-info FILE, --key B64 --iv B64, or --decrypt-info FILE --device-key KEY"
        }
    }
}

extension IntuneWinError {
    /// The one-line message the tool prints: the library's description, then the advice if any.
    var message: String { remedy.map { "\(description); \($0.advice)" } ?? description }

    /// The process exit code for this kind: 1 check failed, 2 usage, 3 bad input, 4 cannot write, 5 nothing
    /// found, 130 interrupted.
    var exitCode: Int32 {
        switch kind {
        case .checkFailed: return 1
        case .usage: return 2
        case .badInput: return 3
        case .cannotWrite: return 4
        case .nothingFound: return 5
        case .interrupted: return 130
        }
    }
}

extension LintFinding {
    /// The finding's message with its remedy worded in this tool's options.
    var fullMessage: String { remedy.map { "\(message); \($0.advice)" } ?? message }
}

extension VerificationCheck {
    /// The check's detail with its remedy worded in this tool's options.
    var fullDetail: String { remedy.map { "\(detail); \($0.advice)" } ?? detail }
}
