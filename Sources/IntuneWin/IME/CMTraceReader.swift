import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads CMTrace logs record by record with flat memory: the file is read in 64 KiB chunks and only the
/// record being assembled is held. It accepts what real IME logs contain: multi-line messages, a BOM
/// before any record (each new writer process prepends one), truncated records and header fragments
/// (kept as `.fragment`), CRLF and LF mixed, time with or without a bias and with any number of
/// fractional digits, CMTrace "copy" exports, and plain text lines (kept as `.text`).
public final class CMTraceReader {
    /// Bytes read from the file at a time. Small on purpose: every fresh page costs a fault, and a 1 MiB
    /// buffer (with the line buffer it fills) touched 3 MiB; at 64 KiB the 2.5 MB bench log takes 980 page
    /// faults instead of 1,650 and 15 ms instead of 17.
    public static let chunkSize = 1 << 16
    /// An unterminated record longer than this is given up as a fragment (bounds memory on damaged files).
    public static let maxRecordBytes = 8 << 20

    /// The file (or name) records are attributed to.
    public let source: String
    /// How many `.fragment` records were produced so far.
    public private(set) var fragmentCount = 0

    private let handle: FileHandle?
    /// Where bytes come from when not a file handle (see `init(stream:source:)`).
    private let stream: LogByteStream?
    private var buffer: [UInt8] = []
    private var start = 0
    /// Where the search for the next line end resumes (a long line is not searched again per chunk).
    private var searched = 0
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
        stream = nil
        source = path
    }

    /// Reads records from a pull stream (standard input, a zip entry, transcoded UTF-16; see `IMELogSource`).
    public init(stream: LogByteStream, source: String) {
        handle = nil
        self.stream = stream
        self.source = source
    }

    /// Reads records from text already in memory (tests, pasted excerpts).
    public init(bytes: [UInt8], source: String = "") {
        handle = nil
        stream = nil
        buffer = bytes
        exhausted = true
        self.source = source
    }

    deinit {
        try? handle?.close()
        chunk?.deallocate()
    }

    /// One read buffer for the reader's life (a fresh `Data` per read cost a page fault per 4 KiB).
    private var chunk: UnsafeMutableRawPointer?

    /// Reads up to `chunkSize` bytes into `chunk`; 0 at the end of the file.
    private func readChunk() throws -> Int {
        if let stream {
            if chunk == nil { chunk = .allocate(byteCount: Self.chunkSize, alignment: 16) }
            return try stream.read(into: UnsafeMutableRawBufferPointer(start: chunk, count: Self.chunkSize))
        }
        guard let handle else { return 0 }
        if chunk == nil { chunk = .allocate(byteCount: Self.chunkSize, alignment: 16) }
        let n = SystemCall.retryingInterrupts { read(handle.fileDescriptor, chunk, Self.chunkSize) }
        guard n >= 0 else { throw IntuneWinError.badInput(source, "cannot read the log: \(SystemCall.lastError)") }
        return n
    }

    /// The next record, or nil at the end of the input.
    public func next() throws -> CMTraceRecord? {
        while readyIndex >= ready.count {
            if !ready.isEmpty { ready.removeAll(keepingCapacity: true) }
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
        if readyIndex == ready.count - 1 {
            // The last one ready (most lines make one record): moved out, not copied.
            let record = ready.removeLast()
            if !ready.isEmpty { ready.removeAll(keepingCapacity: true) }
            readyIndex = 0
            return record
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
            let from = max(start, searched)
            let found: Int? = buffer.withUnsafeBufferPointer { raw in
                guard from < raw.count, let base = raw.baseAddress else { return nil }
                guard let hit = memchr(base + from, 0x0A, raw.count - from) else { return nil }
                return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            }
            if let end = found {
                var line = buffer[start..<end]
                start = end + 1
                searched = start
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
            // Keep only the unread tail (searched already: no line end in it), then read the next chunk.
            if start > 0 { buffer.removeSubrange(0..<start); start = 0 }
            searched = buffer.count
            let count = try readChunk()
            if count == 0 { exhausted = true } else { buffer.append(contentsOf: UnsafeRawBufferPointer(start: chunk, count: count)) }
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
        // name="value" pairs up to `>`; a later pair of the same name wins. Only the fields a record keeps are
        // looked at, by their bytes; the values become Strings below only when they are kept.
        var fields = HeaderFields()
        var i = header.startIndex
        var closed = false
        header.withUnsafeBufferPointer { raw in
            guard let h = raw.baseAddress else { return }
            let base = header.startIndex, end = raw.count
            var k = 0
            while k < end {
                let byte = h[k]
                if byte == UInt8(ascii: ">") { closed = true; k += 1; break }
                if byte == UInt8(ascii: "<") || byte == 0x20 || byte == 0x09 { k += 1; continue }
                // Names and values are short: a loop beats a memchr call.
                var eq = k
                while eq < end, h[eq] != UInt8(ascii: "=") { eq += 1 }
                guard eq + 1 < end, h[eq + 1] == UInt8(ascii: "\"") else { break }
                var close = eq + 2
                while close < end, h[close] != UInt8(ascii: "\"") { close += 1 }
                guard close < end else { break }
                if let field = Self.field(UnsafeBufferPointer(start: h + k, count: eq - k)) { fields[field] = (base + eq + 2)..<(base + close) }
                k = close + 1
            }
            i = base + k
        }
        var record = CMTraceRecord(kind: closed ? .cmtrace : .fragment, message: Self.text(message), source: source, line: line)
        if !closed { fragmentCount += 1 }
        func bytes(_ f: Int) -> ArraySlice<UInt8>? { fields[f].map { header[$0] } }
        record.time = Self.timestamp(time: bytes(Self.timeField), date: bytes(Self.dateField))
        record.component = fields[Self.componentField].map { componentCache.string(header[$0]) } ?? ""
        record.context = fields[Self.contextField].map { contextCache.string(header[$0]) } ?? ""
        record.type = bytes(Self.typeField).flatMap(Self.integer) ?? 0
        record.thread = bytes(Self.threadField).flatMap(Self.integer)
        record.file = fields[Self.fileField].map { fileCache.string(header[$0]) } ?? ""
        ready.append(record)
        return header[i...]
    }

    /// Where the kept header fields' values are in the header (no heap: one record's worth).
    private struct HeaderFields {
        var time, date, component, context, type, thread, file: Range<Int>?
        subscript(_ n: Int) -> Range<Int>? {
            get {
                switch n { case 0: return time; case 1: return date; case 2: return component; case 3: return context
                case 4: return type; case 5: return thread; default: return file }
            }
            set {
                switch n { case 0: time = newValue; case 1: date = newValue; case 2: component = newValue; case 3: context = newValue
                case 4: type = newValue; case 5: thread = newValue; default: file = newValue }
            }
        }
    }

    private static let timeField = 0, dateField = 1, componentField = 2, contextField = 3, typeField = 4, threadField = 5, fileField = 6
    /// Which kept header field a name is (its exact bytes), nil for any other: by length, then the bytes.
    private static func field(_ name: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let p = name.baseAddress else { return nil }
        func equals(_ text: StaticString) -> Bool { memcmp(p, text.utf8Start, text.utf8CodeUnitCount) == 0 }
        switch name.count {
        case 4:
            switch p[0] {
            case UInt8(ascii: "t"): return equals("time") ? timeField : equals("type") ? typeField : nil
            case UInt8(ascii: "d"): return equals("date") ? dateField : nil
            case UInt8(ascii: "f"): return equals("file") ? fileField : nil
            default: return nil
            }
        case 6: return equals("thread") ? threadField : nil
        case 7: return equals("context") ? contextField : nil
        case 9: return equals("component") ? componentField : nil
        default: return nil
        }
    }

    private var componentCache = StringCache(), contextCache = StringCache(), fileCache = StringCache()

    /// The String of the last bytes seen again (a log names few components), else a new one.
    private struct StringCache {
        var bytes: [UInt8] = []
        var string = ""
        mutating func string(_ value: ArraySlice<UInt8>) -> String {
            if value.isEmpty { return "" }
            if value.count == bytes.count, value.withUnsafeBufferPointer({ v in
                bytes.withUnsafeBufferPointer { memcmp(v.baseAddress!, $0.baseAddress!, v.count) == 0 }
            }) { return string }
            bytes = Array(value)
            string = String(decoding: value, as: UTF8.self)
            return string
        }
    }

    /// `Int(String)` of the bytes: runs of ASCII digits directly, anything else through `Int(String)`.
    static func integer(_ value: ArraySlice<UInt8>) -> Int? {
        if !value.isEmpty, value.count <= 18, value.allSatisfy({ $0 &- 48 < 10 }) {
            return value.reduce(0) { $0 * 10 + Int($1 &- 48) }
        }
        return Int(String(decoding: value, as: UTF8.self))
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
        let (hasTab, plain) = line.withUnsafeBufferPointer { b in
            (b.baseAddress.map { memchr($0, 0x09, b.count) != nil } ?? false, IMEBytes.isPlainASCII(b))
        }
        guard hasTab else { return nil }
        return plain ? copyExportASCII(line, source: source, line: number) : copyExportText(line, source: source, line: number)
    }

    /// `copyExport` of a plain-ASCII line, by bytes (trimming is spaces then; fields hold no tabs).
    static func copyExportASCII(_ line: ArraySlice<UInt8>, source: String, line number: Int) -> CMTraceRecord? {
        var fields: [Range<Int>] = []
        var from = line.startIndex
        for i in line.indices where line[i] == 0x09 { fields.append(from..<i); from = i + 1 }
        fields.append(from..<line.endIndex)
        func trim(_ r: Range<Int>) -> Range<Int> {
            var lo = r.lowerBound, hi = r.upperBound
            while lo < hi, line[lo] == 0x20 { lo += 1 }
            while hi > lo, line[hi - 1] == 0x20 { hi -= 1 }
            return lo..<hi
        }
        let filled = fields.indices.filter { !trim(fields[$0]).isEmpty }
        guard filled.count >= 3, let threadOffset = filled.last, threadOffset > 0 else { return nil }
        let threadText = trim(fields[threadOffset])
        guard let space = line[threadText].firstIndex(of: 0x20), let thread = integer(line[threadText.lowerBound..<space]) else { return nil }
        let tail = trim(space..<threadText.upperBound)
        guard line[tail].starts(with: [0x28, 0x30, 0x78]) else { return nil }
        let dateOffset = filled[filled.count - 2]
        guard dateOffset > 0, let time = copyTimestamp(String(decoding: line[trim(fields[dateOffset])], as: UTF8.self)) else { return nil }
        let component = filled.filter { $0 > 0 && $0 < dateOffset }.map { String(decoding: line[fields[$0]], as: UTF8.self) }.joined(separator: " ")
        return CMTraceRecord(kind: .copyExport, message: String(decoding: line[trim(fields[0])], as: UTF8.self), time: time,
                             component: component, thread: thread, source: source, line: number)
    }

    /// `copyExport` with String rules (Unicode spaces), for lines that are not plain ASCII.
    static func copyExportText(_ line: ArraySlice<UInt8>, source: String, line number: Int) -> CMTraceRecord? {
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

    /// `timestamp(time:date:)` of header bytes: the usual `H:mm:ss.fff[±bias]` and `M-d-yyyy` / `yyyy-M-d` read
    /// from the bytes; anything else through the String version.
    static func timestamp(time: ArraySlice<UInt8>?, date: ArraySlice<UInt8>?) -> LogTimestamp? {
        guard let time, let date else { return nil }
        if let d = plainDate(date), let t = plainTime(time) {
            let stamp = d.yearFirst
                ? LogTimestamp(year: d.a, month: d.b, day: d.c, hour: t.h, minute: t.m, second: t.s, nanoseconds: t.nanos, biasMinutes: t.bias)
                : LogTimestamp(year: d.c, month: d.a, day: d.b, hour: t.h, minute: t.m, second: t.s, nanoseconds: t.nanos, biasMinutes: t.bias)
            return stamp.isPlausible ? stamp : nil
        }
        return timestamp(time: String(decoding: time, as: UTF8.self), date: String(decoding: date, as: UTF8.self))
    }

    /// A run of 1–9 ASCII digits at `i`: its value and where it ends.
    private static func digits(_ b: ArraySlice<UInt8>, _ i: Int) -> (value: Int, end: Int)? {
        var j = i, value = 0
        while j < b.endIndex, j - i < 9, b[j] &- 48 < 10 { value = value * 10 + Int(b[j] &- 48); j += 1 }
        guard j > i, j == b.endIndex || b[j] &- 48 >= 10 else { return nil }
        return (value, j)
    }

    /// Exactly `digits-digits-digits` (a first run of 4 digits is the year).
    private static func plainDate(_ b: ArraySlice<UInt8>) -> (a: Int, b: Int, c: Int, yearFirst: Bool)? {
        guard let a = digits(b, b.startIndex), a.end < b.endIndex, b[a.end] == UInt8(ascii: "-"),
              let m = digits(b, a.end + 1), m.end < b.endIndex, b[m.end] == UInt8(ascii: "-"),
              let c = digits(b, m.end + 1), c.end == b.endIndex else { return nil }
        return (a.value, m.value, c.value, a.end - b.startIndex == 4)
    }

    /// Exactly `digits:digits:digits[.digits][±digits]`.
    private static func plainTime(_ b: ArraySlice<UInt8>) -> (h: Int, m: Int, s: Int, nanos: Int, bias: Int?)? {
        guard let h = digits(b, b.startIndex), h.end < b.endIndex, b[h.end] == UInt8(ascii: ":"),
              let m = digits(b, h.end + 1), m.end < b.endIndex, b[m.end] == UInt8(ascii: ":"),
              let s = digits(b, m.end + 1) else { return nil }
        var i = s.end
        var nanos = 0
        if i < b.endIndex, b[i] == UInt8(ascii: ".") {
            var j = i + 1, count = 0
            while j < b.endIndex, b[j] &- 48 < 10 { if count < 9 { nanos = nanos * 10 + Int(b[j] &- 48); count += 1 }; j += 1 }
            guard count > 0 else { return nil }
            for _ in count..<9 { nanos *= 10 }
            i = j
        }
        var bias: Int?
        if i < b.endIndex {
            guard b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"), let v = digits(b, i + 1), v.end == b.endIndex else { return nil }
            bias = b[i] == UInt8(ascii: "-") ? -v.value : v.value
        }
        return (h.value, m.value, s.value, nanos, bias)
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
        let hasCR = clean.withUnsafeBufferPointer { b in b.baseAddress.map { memchr($0, 0x0D, b.count) != nil } ?? false }
        guard hasCR else { return String(decoding: clean, as: UTF8.self) }
        return String(decoding: clean.filter { $0 != 0x0D }, as: UTF8.self)
    }
}
