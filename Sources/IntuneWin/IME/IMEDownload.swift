import Foundation

/// A content download as IME logs it: where from, how far it got over time, and how it ended.
public struct IMEDownload: Sendable, Equatable {
    /// Bytes done at one moment (`via DO, bytes 97517568/431000128`).
    public struct Sample: Sendable, Equatable {
        /// When IME logged it.
        public var time: LogTimestamp?
        /// Bytes transferred so far.
        public var bytes: UInt64
    }

    /// "DO" (Delivery Optimization) or "CDN"; nil until a line says.
    public var mode: String?
    /// The content URL IME downloads from, as logged.
    public var url: String?
    /// The size of the encrypted content, when logged.
    public var totalBytes: UInt64?
    /// Progress over time, in log order.
    public var samples: [Sample] = []
    /// The size IME reports after a finished download.
    public var finishedBytes: UInt64?
    /// How long the download took, as IME logs it at the end.
    public var milliseconds: Double?
    /// IME reused content already in its cache instead of downloading.
    public var cacheFound = false
    /// The download failed (DO job error, no content info, decryption failure).
    public var failed = false
    /// IME gave up waiting for the download (`DO downloading is not finished within timeout`, action status Timeout).
    public var timedOut = false
    /// IME left the Delivery Optimization job running in the background for a later check-in.
    public var inBackground = false
    /// The download handler's action status (`Success`, `Timeout`, `Failed`…).
    public var actionStatus: String?

    /// An empty download.
    public init() {}

    /// The highest byte count seen.
    public var bytesDone: UInt64? { finishedBytes ?? samples.map(\.bytes).max() }
    /// Whether the bytes reached the total.
    public var completed: Bool { finishedBytes != nil || (totalBytes.map { t in t > 0 && samples.contains { $0.bytes >= t } } ?? false) }

    /// Average bytes per second: from the logged duration, else between the first and last progress samples.
    public var bytesPerSecond: Double? {
        if let ms = milliseconds, ms > 0, let bytes = finishedBytes ?? totalBytes { return Double(bytes) / (ms / 1000) }
        let timed = samples.compactMap { s in s.time.map { ($0.localSeconds, s.bytes) } }
        guard let first = timed.first, let last = timed.last, last.0 - first.0 >= 1, last.1 > first.1 else { return nil }
        return Double(last.1 - first.1) / (last.0 - first.0)
    }

    /// The longest stretch without progress: from the sample that reached `bytes` to the last sample (or
    /// `end`) still at it; nil when progress never stood still for `minimumSeconds`.
    public func longestStall(until end: LogTimestamp? = nil, minimumSeconds: Double = 300) -> (from: LogTimestamp, to: LogTimestamp, bytes: UInt64)? {
        var best: (LogTimestamp, LogTimestamp, UInt64)?
        var since: (LogTimestamp, UInt64)?
        func consider(_ to: LogTimestamp) {
            guard let (from, bytes) = since, to.localSeconds - from.localSeconds >= minimumSeconds else { return }
            if best == nil || to.localSeconds - from.localSeconds > best!.1.localSeconds - best!.0.localSeconds { best = (from, to, bytes) }
        }
        for sample in samples {
            guard let time = sample.time else { continue }
            if let current = since, sample.bytes <= current.1 { consider(time); continue }
            since = (time, sample.bytes)
        }
        if let end, !completed { consider(end) }
        return best.map { (from: $0.0, to: $0.1, bytes: $0.2) }
    }
}
