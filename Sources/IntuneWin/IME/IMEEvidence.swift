import Foundation

/// A log line quoted as evidence: where it is and what it says (first line of the message).
public struct IMEEvidence: Sendable, Equatable {
    /// The log file.
    public var source: String
    /// The 1-based line the record starts on.
    public var line: Int
    /// When IME wrote it, when the line says.
    public var time: LogTimestamp?
    /// The writing thread, when the line says.
    public var thread: Int?
    /// The message's first line.
    public var text: String

    /// Evidence from its parts (a diagnostics zip entry, a registry value: line 0).
    public init(source: String, line: Int, time: LogTimestamp?, thread: Int?, text: String) {
        self.source = source; self.line = line; self.time = time; self.thread = thread; self.text = text
    }

    init(_ record: CMTraceRecord) {
        source = record.source; line = record.line; time = record.time; thread = record.thread; text = record.firstLine
    }
}
