import Foundation
import IntuneWin
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// All terminal output: messages, errors, progress, JSON. Commands never print directly.
enum Terminal {
    static func line(_ text: String) { print(text) }

    static func error(_ text: String) { FileHandle.standardError.write(Data("intunewin-tool: error: \(text)\n".utf8)) }
    static func warning(_ text: String) { FileHandle.standardError.write(Data("intunewin-tool: warning: \(text)\n".utf8)) }
    static func hint(_ text: String) { FileHandle.standardError.write(Data("intunewin-tool: \(text)\n".utf8)) }

    /// Pretty JSON with stable key order.
    static func json(_ value: Any) {
        let data = try! JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        print(String(decoding: data, as: UTF8.self))
    }

    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    static func bytes(_ n: UInt64) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(n), unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(n) bytes" : String(format: "%.1f %@ (%llu bytes)", value, units[unit], n)
    }

    static func base64(_ b: [UInt8]) -> String { Data(b).base64EncodedString() }
}

/// A progress line on stderr for long work: only on a terminal, never with --json or -q.
final class ProgressLine {
    private let label: String
    private let total: UInt64
    private let enabled: Bool
    private var done: UInt64 = 0
    private var lastDraw = Date.distantPast

    init(_ label: String, total: UInt64, enabled: Bool) {
        self.label = label
        self.total = total
        self.enabled = enabled && Terminal.stderrIsTerminal && total > 0
    }

    func advance(_ n: UInt64) { update(done + n) }

    func update(_ value: UInt64) {
        done = value
        guard enabled, Date().timeIntervalSince(lastDraw) > 0.1 else { return }
        lastDraw = Date()
        let percent = min(100, Int(Double(done) * 100 / Double(total)))
        FileHandle.standardError.write(Data("\r\(label) \(percent)% (\(done >> 20) of \(total >> 20) MiB)\u{1B}[K".utf8))
    }

    func finish() {
        guard enabled, lastDraw != .distantPast else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

/// Removes partial outputs when the user interrupts (SIGINT) or the system stops us (SIGTERM).
enum SignalCleanup {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    static func install() {
        for (sig, code) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                CleanupRegistry.removeAll()
                FileHandle.standardError.write(Data("\nintunewin-tool: interrupted; partial output removed\n".utf8))
                exit(code)
            }
            source.resume()
            sources.append(source)
        }
    }
}
