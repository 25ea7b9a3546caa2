import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The phrases `IMEEvent.classify` looks for anywhere in a message (prefix-only phrases are not here).
enum IMEMarker: Int, CaseIterable {
    case processingTargeted, processingApp, stepStartTo, stepDetectionAfter, detectionType, completedDetection,
         pathDoesNotExist, checkedFilePath, detectedByCurrentRule, applicationDetected, detectionState, skipApplicability,
         applicabilityState, applicability, grsExpired, noRecordedGRS, inGRS, triedLast24Hours, stepDownload, downloadURL,
         cacheMiss, cacheFound, doJobStart, viaDOBytes, doNotFinished, noContentInfo, errorDownloadingContent, cdnRawURL,
         cdnComplete, verifyHash, hmacPass, decrypted, decryptFailed, downloadedSize, downloadedTime, unzipping,
         decompressed, executeRetry, installerCommandLine, launchInstaller, installDone, installTimeout, unmappedExitCode,
         exitCodeDefinedAs, hResult, skipCleanupTimeout, removingContent, cleaningStaged, enforcementState,
         reportingStart, reportingSent, stepInstallBehavior

    /// The phrase, as IME writes it.
    var text: String {
        switch self {
        case .processingTargeted: return "processing targeted app (name='"
        case .processingApp: return "Processing app (id="
        case .stepStartTo: return "===Step=== Start to "
        case .stepDetectionAfter: return "===Step=== Detection rules after Execution"
        case .detectionType: return "[Win32App] DetectionType "
        case .completedDetection: return "Completed detectionManager"
        case .pathDoesNotExist: return "Path doesn't exists"
        case .checkedFilePath: return "Checked filePath"
        case .detectedByCurrentRule: return "applicationDetectedByCurrentRule:"
        case .applicationDetected: return "applicationDetected:"
        case .detectionState: return "resulted in action status: Success and detection state: "
        case .skipApplicability: return "and intent is to install, skip applicability check"
        case .applicabilityState: return "applicability state: "
        case .applicability: return "applicability: "
        case .grsExpired: return "GRS is expired"
        case .noRecordedGRS: return "has no recorded GRS value"
        case .inGRS: return "is in GRS. The app will not be enforced"
        case .triedLast24Hours: return "Tried in last 24 hours"
        case .stepDownload: return "===Step=== Download"
        case .downloadURL: return "DownloadUrl = "
        case .cacheMiss: return "Content cache miss"
        case .cacheFound: return "Content cache found for app"
        case .doJobStart: return "[Win32App DO] start creating a new download job"
        case .viaDOBytes: return " via DO, bytes "
        case .doNotFinished: return "DO download is not finished after"
        case .noContentInfo: return "Didn't get content info from service"
        case .errorDownloadingContent: return "ErrorDownloadingContent"
        case .cdnRawURL: return "CDN mode, content raw URL is "
        case .cdnComplete: return "CDN mode, download completes"
        case .verifyHash: return "Starts verifying encrypted hash"
        case .hmacPass: return "hmac validation is pass"
        case .decrypted: return "Decryption is done successfully"
        case .decryptFailed: return "Decryption is failed"
        case .downloadedSize: return "[Win32App] Downloaded file size "
        case .downloadedTime: return "[Win32App] Downloaded file time "
        case .unzipping: return "Unzipping file on session"
        case .decompressed: return "[Win32App] Decompressed: to "
        case .executeRetry: return "===Step=== Execute retry "
        case .installerCommandLine: return "Installer script command line: "
        case .launchInstaller: return "Launch Win32AppInstaller in "
        case .installDone: return "Installation is done, collecting result"
        case .installTimeout: return "Installation is timeout"
        case .unmappedExitCode: return "Admin did NOT set mapping for lpExitCode: "
        case .exitCodeDefinedAs: return "lpExitCode is defined as "
        case .hResult: return "[Win32App] hResultFromWin32 "
        case .skipCleanupTimeout: return "installer is running timeout, skip staged content clean up"
        case .removingContent: return "removing content from cache "
        case .cleaningStaged: return "Cleaning up staged content "
        case .enforcementState: return "Set EnforcementStateMessage EnforcementState: "
        case .reportingStart: return "Start reporting app results"
        case .reportingSent: return "Results are successfully sent"
        case .stepInstallBehavior: return "===Step=== InstallBehavior"
        }
    }
}

/// Finds the first occurrence of every `IMEMarker` in one left-to-right pass (Wu–Manber with two-byte blocks):
/// every phrase is at least `window` bytes long, so the pass looks at the two bytes ending a `window`-byte
/// window and, unless they end the window of some phrase, skips ahead by as much as the table allows (up to
/// `window - 1` bytes); only where they do are the few phrases ending their window with that pair compared.
final class IMEMarkerTable: @unchecked Sendable {
    static let shared = IMEMarkerTable()

    private let window: Int
    private let shift: UnsafeMutablePointer<UInt8>           // per byte pair: how far the window may move
    private let bucketFirst: UnsafeMutablePointer<UInt16>    // first phrase whose window ends with the pair
    private let bucketCount: UnsafeMutablePointer<UInt8>     // how many
    private let entryMarker: UnsafeMutablePointer<Int>
    private let entryOffset: UnsafeMutablePointer<Int>
    private let entryLength: UnsafeMutablePointer<Int>
    private let phrases: UnsafeMutablePointer<UInt8>

    private init() {
        let texts = IMEMarker.allCases.map { (marker: $0, bytes: Array($0.text.utf8)) }
        let window = texts.map(\.bytes.count).min()!
        precondition(window >= 2 && window < 256)
        self.window = window
        func pair(_ b: [UInt8], _ q: Int) -> Int { Int(b[q]) | Int(b[q + 1]) << 8 }
        let markers = texts.sorted { pair($0.bytes, window - 2) < pair($1.bytes, window - 2) }
        shift = .allocate(capacity: 65536); shift.initialize(repeating: UInt8(window - 1), count: 65536)
        bucketFirst = .allocate(capacity: 65536); bucketFirst.initialize(repeating: 0, count: 65536)
        bucketCount = .allocate(capacity: 65536); bucketCount.initialize(repeating: 0, count: 65536)
        entryMarker = .allocate(capacity: markers.count)
        entryOffset = .allocate(capacity: markers.count)
        entryLength = .allocate(capacity: markers.count)
        let all = markers.flatMap(\.bytes)
        phrases = .allocate(capacity: all.count); phrases.initialize(from: all, count: all.count)
        var offset = 0
        for (e, entry) in markers.enumerated() {
            for q in 0...(window - 2) {
                let key = pair(entry.bytes, q)
                shift[key] = min(shift[key], UInt8(window - 2 - q))
            }
            let key = pair(entry.bytes, window - 2)
            if bucketCount[key] == 0 { bucketFirst[key] = UInt16(e) }
            bucketCount[key] += 1
            entryMarker[e] = entry.marker.rawValue
            entryOffset[e] = offset
            entryLength[e] = entry.bytes.count
            offset += entry.bytes.count
        }
    }

    /// Sets `ends[marker.rawValue]` to the offset just past the marker's first occurrence in `b`, or -1;
    /// returns whether any occurs.
    @discardableResult
    func scan(_ b: UnsafeBufferPointer<UInt8>, ends: UnsafeMutableBufferPointer<Int>) -> Bool {
        for k in 0..<ends.count { ends[k] = -1 }
        guard b.count >= window, let base = b.baseAddress else { return false }
        let n = b.count
        var found = false
        var end = window - 1
        while end < n {
            let key = Int(base[end - 1]) | Int(base[end]) << 8
            let skip = Int(shift[key])
            if skip != 0 { end += skip; continue }
            let start = end - (window - 1)
            let first = Int(bucketFirst[key])
            for e in first..<(first + Int(bucketCount[key])) {
                let length = entryLength[e], marker = entryMarker[e]
                if length <= n - start, ends[marker] < 0, memcmp(base + start, phrases + entryOffset[e], length) == 0 {
                    ends[marker] = start + length
                    found = true
                }
            }
            end += 1
        }
        return found
    }
}

/// Where phrases occur in a message (without IME's `----` lead-in): what `IMEEvent`'s decision list asks.
protocol IMEMessageProbe {
    /// The message without its `----` / `---->>` lead-in.
    var m: Substring { get }
    /// False only when no `IMEMarker` occurs (a shortcut; true is always correct).
    var any: Bool { get }
    /// What follows the first occurrence of `marker`; nil when it does not occur.
    func after(_ marker: IMEMarker) -> Substring?
    /// Whether `marker` occurs.
    func contains(_ marker: IMEMarker) -> Bool
    /// Whether `m` starts with `text`.
    func hasPrefix(_ text: String) -> Bool
    /// What follows the first occurrence of `text` (a phrase not in `IMEMarker`: asked only after a match).
    func after(_ text: String) -> Substring?
    /// The first occurrence of `text` in `part` (a slice of `m`).
    func range(of text: String, in part: Substring) -> Range<Substring.Index>?
}

/// The probe over a plain-ASCII message's bytes, with the marker positions from one `IMEMarkerTable` scan.
struct IMEByteProbe: IMEMessageProbe {
    let m: Substring
    let bytes: UnsafeBufferPointer<UInt8>
    let ends: UnsafeMutableBufferPointer<Int>
    let any: Bool

    private func index(_ offset: Int) -> Substring.Index { m.utf8.index(m.startIndex, offsetBy: offset) }

    func after(_ marker: IMEMarker) -> Substring? {
        let end = ends[marker.rawValue]
        return end < 0 ? nil : m[index(end)...]
    }

    func contains(_ marker: IMEMarker) -> Bool { ends[marker.rawValue] >= 0 }

    func hasPrefix(_ text: String) -> Bool { IMEBytes.hasPrefix(bytes, text) }

    func after(_ text: String) -> Substring? {
        IMEBytes.find(text, in: bytes, from: 0, to: bytes.count).map { m[index($0 + text.utf8.count)...] }
    }

    func range(of text: String, in part: Substring) -> Range<Substring.Index>? {
        let from = m.utf8.distance(from: m.startIndex, to: part.startIndex)
        let to = m.utf8.distance(from: m.startIndex, to: part.endIndex)
        return IMEBytes.find(text, in: bytes, from: from, to: to).map { index($0)..<index($0 + text.utf8.count) }
    }
}

/// The probe with Foundation's search (Unicode rules), for messages that are not plain ASCII.
struct IMEFoundationProbe: IMEMessageProbe {
    let whole: String
    var m: Substring { whole[...] }
    var any: Bool { true }
    func after(_ marker: IMEMarker) -> Substring? { after(marker.text) }
    func contains(_ marker: IMEMarker) -> Bool { whole.contains(marker.text) }
    func hasPrefix(_ text: String) -> Bool { whole.hasPrefix(text) }
    func after(_ text: String) -> Substring? { whole.range(of: text).map { whole[$0.upperBound...] } }
    func range(of text: String, in part: Substring) -> Range<Substring.Index>? { part.range(of: text) }
}

/// Byte helpers for the IME readers.
enum IMEBytes {
    /// No byte at or above 0x80 and no CR: each byte is one Character, so byte and String searches agree.
    static func isPlainASCII(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = b.baseAddress else { return true }
        let n = b.count
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i + 8 <= n {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if w & 0x8080_8080_8080_8080 != 0 { return false }
            let x = w ^ 0x0D0D_0D0D_0D0D_0D0D
            if (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080 != 0 { return false }
            i += 8
        }
        while i < n {
            if base[i] >= 0x80 || base[i] == 0x0D { return false }
            i += 1
        }
        return true
    }

    static func hasPrefix(_ b: UnsafeBufferPointer<UInt8>, _ text: String) -> Bool {
        var text = text
        return text.withUTF8 { t in
            guard t.count <= b.count else { return false }
            guard let tb = t.baseAddress, let bb = b.baseAddress else { return t.isEmpty }
            return bb[0] == tb[0] && memcmp(bb, tb, t.count) == 0
        }
    }

    /// The offset of the first `text` in `b[from..<to]`.
    static func find(_ text: String, in b: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        var text = text
        return text.withUTF8 { t -> Int? in
            guard let first = t.first, let base = b.baseAddress, let tb = t.baseAddress, to - from >= t.count else { return nil }
            var at = from
            let last = to - t.count
            while at <= last {
                guard let hit = memchr(base + at, Int32(first), last - at + 1) else { return nil }
                let i = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if memcmp(base + i, tb, t.count) == 0 { return i }
                at = i + 1
            }
            return nil
        }
    }

    /// `body` over the UTF-8 of `text` (contiguous for native strings, copied otherwise).
    static func withUTF8<S: StringProtocol, R>(_ text: S, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(text.utf8).withUnsafeBufferPointer(body)
    }
}
