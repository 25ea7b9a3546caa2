import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads CMTrace logs record by record with flat memory: the file is read in 1 MiB chunks and only the
/// record being assembled is held. It accepts what real IME logs contain: multi-line messages, a BOM
/// before any record (each new writer process prepends one), truncated records and header fragments
/// (kept as `.fragment`), CRLF and LF mixed, time with or without a bias and with any number of
/// fractional digits, CMTrace "copy" exports, and plain text lines (kept as `.text`).
public final class CMTraceReader {
    /// Bytes read from the file at a time.
    public static let chunkSize = 1 << 20
    /// An unterminated record longer than this is given up as a fragment (bounds memory on damaged files).
    public static let maxRecordBytes = 8 << 20

    /// The file (or name) records are attributed to.
    public let source: String
    /// How many `.fragment` records were produced so far.
    public private(set) var fragmentCount = 0

    private let handle: FileHandle?
    private var buffer: [UInt8] = []
    private var start = 0
    private var exhausted = false
    private var lineNumber = 0
    private var open: (bytes: [UInt8], line: Int)?
    private var ready: [CMTraceRecord] = []
    private var readyIndex = 0

    /// Opens a log file for reading.
    public init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw IntuneWinError.badInput(path, "cannot open the log for reading")
        }
        self.handle = handle
        source = path
    }

    /// Reads records from text already in memory (tests, pasted excerpts).
    public init(bytes: [UInt8], source: String = "") {
        handle = nil
        buffer = bytes
        exhausted = true
        self.source = source
    }

    deinit { try? handle?.close() }

    /// The next record, or nil at the end of the input.
    public func next() throws -> CMTraceRecord? {
        while readyIndex >= ready.count {
            ready.removeAll(keepingCapacity: true)
            readyIndex = 0
            guard let line = try nextLine() else {
                if let pending = open {
                    open = nil
                    emitFragment(pending.bytes[...], line: pending.line, prefix: true)
                    continue
                }
                return nil
            }
            lineNumber += 1
            process(line, number: lineNumber)
        }
        defer { readyIndex += 1 }
        return ready[readyIndex]
    }

    /// Calls `body` for every remaining record.
    public func forEach(_ body: (CMTraceRecord) throws -> Void) throws {
        while let record = try next() { try body(record) }
    }

    /// Every record of a file (for small files; use `next()` for large ones).
    public static func records(path: String) throws -> [CMTraceRecord] {
        var all: [CMTraceRecord] = []
        try CMTraceReader(path: path).forEach { all.append($0) }
        return all
    }

    // MARK: lines

    private func nextLine() throws -> ArraySlice<UInt8>? {
        while true {
            let found: Int? = buffer.withUnsafeBufferPointer { raw in
                guard start < raw.count, let base = raw.baseAddress else { return nil }
                guard let hit = memchr(base + start, 0x0A, raw.count - start) else { return nil }
                return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            }
            if let end = found {
                var line = buffer[start..<end]
                start = end + 1
                if line.last == 0x0D { line = line.dropLast() }
                return line
            }
            if exhausted {
                guard start < buffer.count else { return nil }
                var line = buffer[start...]
                start = buffer.count
                if line.last == 0x0D { line = line.dropLast() }
                return line
            }
            // Keep only the unread tail, then read the next chunk.
            if start > 0 { buffer.removeSubrange(0..<start); start = 0 }
            let data = try handle?.read(upToCount: Self.chunkSize) ?? Data()
            if data.isEmpty { exhausted = true } else { buffer.append(contentsOf: data) }
        }
    }

    // MARK: records

    private static let startMarker = Array("<![LOG[".utf8)
    private static let endMarker = Array("]LOG]!>".utf8)
    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    private func process(_ line: ArraySlice<UInt8>, number: Int) {
        if var pending = open {
            let trimmed = Self.dropBOMs(line)
            if Self.hasPrefix(Self.startMarker, trimmed) {
                // A new record starts before the previous one ended: that one was cut off.
                open = nil
                emitFragment(pending.bytes[...], line: pending.line, prefix: true)
                process(trimmed, number: number)
                return
            }
            if let end = Self.find(Self.endMarker, in: line) {
                pending.bytes.append(0x0A)
                pending.bytes.append(contentsOf: line[line.startIndex..<end])
                open = nil
                let rest = finish(message: pending.bytes[...], header: line[(end + Self.endMarker.count)...], line: pending.line)
                if !Self.isBlank(rest) { process(rest, number: number) }
                return
            }
            pending.bytes.append(0x0A)
            pending.bytes.append(contentsOf: line)
            if pending.bytes.count > Self.maxRecordBytes {
                emitFragment(pending.bytes[...], line: pending.line, prefix: true)
                open = nil
            } else {
                open = pending
            }
            return
        }
        let line = Self.dropBOMs(line)
        guard let markerAt = Self.find(Self.startMarker, in: line) else {
            processPlain(line, number: number)
            return
        }
        let before = line[line.startIndex..<markerAt]
        if !Self.isBlank(Self.removingBOMs(before)) { processPlain(before, number: number) }
        let body = line[(markerAt + Self.startMarker.count)...]
        if let end = Self.find(Self.endMarker, in: body) {
            let rest = finish(message: body[body.startIndex..<end], header: body[(end + Self.endMarker.count)...], line: number)
            if !Self.isBlank(rest) { process(rest, number: number) }
        } else {
            open = (Array(body), number)
        }
    }

    /// Builds the record from its message and header bytes; returns what follows the header on the line.
    private func finish(message: ArraySlice<UInt8>, header: ArraySlice<UInt8>, line: Int) -> ArraySlice<UInt8> {
        var attributes: [String: String] = [:]
        var i = header.startIndex
        var closed = false
        while i < header.endIndex {
            let byte = header[i]
            if byte == UInt8(ascii: ">") { closed = true; i += 1; break }
            if byte == UInt8(ascii: "<") || byte == 0x20 || byte == 0x09 { i += 1; continue }
            guard let eq = header[i...].firstIndex(of: UInt8(ascii: "=")),
                  eq + 1 < header.endIndex, header[eq + 1] == UInt8(ascii: "\"") else { break }
            let name = String(decoding: header[i..<eq], as: UTF8.self)
            guard let close = header[(eq + 2)...].firstIndex(of: UInt8(ascii: "\"")) else { break }
            attributes[name] = String(decoding: header[(eq + 2)..<close], as: UTF8.self)
            i = close + 1
        }
        var record = CMTraceRecord(kind: closed ? .cmtrace : .fragment, message: Self.text(message), source: source, line: line)
        if !closed { fragmentCount += 1 }
        record.time = Self.timestamp(time: attributes["time"], date: attributes["date"])
        record.component = attributes["component"] ?? ""
        record.context = attributes["context"] ?? ""
        record.type = attributes["type"].flatMap { Int($0) } ?? 0
        record.thread = attributes["thread"].flatMap { Int($0) }
        record.file = attributes["file"] ?? ""
        ready.append(record)
        return header[i...]
    }

    private func processPlain(_ line: ArraySlice<UInt8>, number: Int) {
        guard !Self.isBlank(line) else { return }
        if let record = Self.copyExport(line, source: source, line: number) {
            ready.append(record)
        } else if Self.find(Array("\" date=\"".utf8), in: line) != nil, Self.find(Array("component=\"".utf8), in: line) != nil {
            emitFragment(line, line: number, prefix: false)
        } else {
            var text = line
            while let last = text.last, last == 0x09 || last == 0x20 { text = text.dropLast() }
            ready.append(CMTraceRecord(kind: .text, message: Self.text(text), source: source, line: number))
        }
    }

    private func emitFragment(_ bytes: ArraySlice<UInt8>, line: Int, prefix: Bool) {
        fragmentCount += 1
        ready.append(CMTraceRecord(kind: .fragment, message: Self.text(bytes), source: source, line: line))
    }

    /// CMTrace's "copy" row: message TAB component TAB `dd/MM/yyyy HH:mm:ss` TAB `N (0xH)`, empty fields allowed.
    static func copyExport(_ line: ArraySlice<UInt8>, source: String, line number: Int) -> CMTraceRecord? {
        guard line.contains(0x09) else { return nil }
        let fields = line.split(separator: 0x09, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        let filled = fields.enumerated().filter { !$0.element.trimmingCharacters(in: .whitespaces).isEmpty }
        guard filled.count >= 3, let threadField = filled.last, threadField.offset > 0 else { return nil }
        let threadText = threadField.element.trimmingCharacters(in: .whitespaces)
        guard let space = threadText.firstIndex(of: " "), let thread = Int(threadText[..<space]),
              threadText[space...].trimmingCharacters(in: .whitespaces).hasPrefix("(0x") else { return nil }
        let dateField = filled[filled.count - 2]
        guard dateField.offset > 0, let time = copyTimestamp(dateField.element.trimmingCharacters(in: .whitespaces)) else { return nil }
        let component = filled.filter { $0.offset > 0 && $0.offset < dateField.offset }.map(\.element).joined(separator: " ")
        return CMTraceRecord(kind: .copyExport, message: fields[0].trimmingCharacters(in: .whitespaces), time: time,
                             component: component, thread: thread, source: source, line: number)
    }

    /// `dd/MM/yyyy HH:mm:ss` (the copy export's format).
    static func copyTimestamp(_ text: String) -> LogTimestamp? {
        let parts = text.split(separator: " ")
        guard parts.count == 2 else { return nil }
        let d = parts[0].split(separator: "/").compactMap { Int($0) }
        let t = parts[1].split(separator: ":").compactMap { Int($0) }
        guard d.count == 3, t.count == 3, (1...12).contains(d[1]), (1...31).contains(d[0]) else { return nil }
        let stamp = LogTimestamp(year: d[2], month: d[1], day: d[0], hour: t[0], minute: t[1], second: t[2])
        return stamp.isPlausible ? stamp : nil
    }

    /// `H:mm:ss[.f…][±bias]` with `M-d-yyyy` (or `yyyy-M-d`); nil when either is missing or unreadable.
    static func timestamp(time: String?, date: String?) -> LogTimestamp? {
        guard let time, let date else { return nil }
        let d = date.split(separator: "-").compactMap { Int($0) }
        guard d.count == 3 else { return nil }
        var year = d[2], month = d[0], day = d[1]
        if date.split(separator: "-")[0].count == 4 { (year, month, day) = (d[0], d[1], d[2]) }
        var clock = Substring(time)
        var bias: Int?
        // Only a signed run after the fraction is a bias (an unsigned one would be indistinguishable from digits).
        if let sign = clock.lastIndex(where: { $0 == "+" || $0 == "-" }), let value = Int(clock[clock.index(after: sign)...]) {
            bias = clock[sign] == "-" ? -value : value
            clock = clock[..<sign]
        }
        let dot = clock.firstIndex(of: ".")
        let hms = (dot.map { clock[..<$0] } ?? clock).split(separator: ":").compactMap { Int($0) }
        guard hms.count == 3 else { return nil }
        var nanos = 0
        if let dot {
            let digits = clock[clock.index(after: dot)...].prefix(9)
            guard let value = Int(digits) else { return nil }
            nanos = value
            for _ in digits.count..<9 { nanos *= 10 }
        }
        let stamp = LogTimestamp(year: year, month: month, day: day, hour: hms[0], minute: hms[1], second: hms[2],
                                 nanoseconds: nanos, biasMinutes: bias)
        return stamp.isPlausible ? stamp : nil
    }

    // MARK: bytes

    static func find(_ needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        return haystack.withUnsafeBufferPointer { hay -> Int? in
            guard let base = hay.baseAddress else { return nil }
            var offset = 0
            let last = hay.count - needle.count
            while offset <= last {
                guard let hit = memchr(base + offset, Int32(first), last - offset + 1) else { return nil }
                let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if memcmp(base + at, needle, needle.count) == 0 { return haystack.startIndex + at }
                offset = at + 1
            }
            return nil
        }
    }

    static func hasPrefix(_ prefix: [UInt8], _ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.count >= prefix.count && bytes.prefix(prefix.count).elementsEqual(prefix)
    }

    static func dropBOMs(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var line = line
        while hasPrefix(bom, line) { line = line.dropFirst(3) }
        return line
    }

    static func removingBOMs(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard find(bom, in: bytes) != nil else { return bytes }
        var out: [UInt8] = []
        var i = bytes.startIndex
        while i < bytes.endIndex {
            if i + 2 < bytes.endIndex, bytes[i] == 0xEF, bytes[i + 1] == 0xBB, bytes[i + 2] == 0xBF { i += 3; continue }
            out.append(bytes[i]); i += 1
        }
        return out[...]
    }

    static func isBlank(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
    }

    /// UTF-8 text without CR and without BOMs.
    static func text(_ bytes: ArraySlice<UInt8>) -> String {
        let clean = removingBOMs(bytes)
        guard clean.contains(0x0D) else { return String(decoding: clean, as: UTF8.self) }
        return String(decoding: clean.filter { $0 != 0x0D }, as: UTF8.self)
    }
}
