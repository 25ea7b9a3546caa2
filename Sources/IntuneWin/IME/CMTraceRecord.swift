import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One entry of a CMTrace-style log (IME, AppWorkload, AgentExecutor, ConfigMgr): the message and the
/// header fields the writer put around it. Lines that are not CMTrace are kept as `.text` records so
/// nothing a user may need is dropped.
public struct CMTraceRecord: Sendable, Equatable {
    /// How the record was written.
    public enum Kind: String, Sendable {
        /// `<![LOG[msg]LOG]!><time=… date=… …>`.
        case cmtrace
        /// CMTrace's "copy" export: message TAB component TAB `dd/MM/yyyy HH:mm:ss` TAB `thread (0xhex)`.
        case copyExport
        /// A line that is none of these (message-only excerpts, comments, headers).
        case text
        /// A damaged piece: a truncated record or a header without its start.
        case fragment
    }

    /// How the line was written (CMTrace, copy export, plain text, damaged).
    public var kind: Kind
    /// The message, possibly spanning lines (joined with "\n", CR removed).
    public var message: String
    /// When the writer says it was written (its local time, zone unknown unless `time.biasMinutes` is set).
    public var time: LogTimestamp?
    /// The writing component (`IntuneManagementExtension`, `AppWorkload`, …); empty when absent.
    public var component: String
    /// The `context` header field; usually empty in IME logs.
    public var context: String
    /// 1 info, 2 warning (IME also uses it for progress), 3 error; 0 when absent.
    public var type: Int
    /// The writing thread, when known.
    public var thread: Int?
    /// The source file the writer names in the header; usually empty in IME logs.
    public var file: String
    /// The log file it came from and the 1-based line its first line is on.
    public var source: String
    /// The 1-based line the record's first line is on.
    public var line: Int

    /// A record from its parts (readers and tests).
    public init(kind: Kind, message: String, time: LogTimestamp? = nil, component: String = "", context: String = "",
                type: Int = 0, thread: Int? = nil, file: String = "", source: String = "", line: Int = 0) {
        self.kind = kind
        self.message = message
        self.time = time
        self.component = component
        self.context = context
        self.type = type
        self.thread = thread
        self.file = file
        self.source = source
        self.line = line
    }

    /// The first line of the message, for one-line displays and evidence.
    public var firstLine: String {
        // The first LF byte ends the first line unless a CR precedes it (CR LF is one Character, which the
        // Character search below steps over, as it always has).
        var cut = -1
        let fast = message.utf8.withContiguousStorageIfAvailable { b -> Bool in
            guard let base = b.baseAddress, let hit = memchr(base, 0x0A, b.count) else { return true }
            cut = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            return cut == 0 || base[cut - 1] != 0x0D
        } ?? false
        if fast { return cut < 0 ? message : String(message[..<message.utf8.index(message.startIndex, offsetBy: cut)]) }
        return message.firstIndex(of: "\n").map { String(message[..<$0]) } ?? message
    }
}
