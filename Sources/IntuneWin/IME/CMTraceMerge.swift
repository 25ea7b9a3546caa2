import Foundation

/// Merges the records of several logs by time: IME writes one app's story across AppWorkload,
/// AppActionProcessor, IntuneManagementExtension and AgentExecutor at once, so reading the files one after
/// another would put a line from six days earlier after today's. Each stream is one log's generations
/// (oldest first, already in time order); the merge takes, each time, the stream whose next record is
/// earliest. A record without a time goes with the one before it in its own file. Only one record per
/// stream is held.
struct CMTraceMerge {
    private var streams: [Stream]

    private struct Stream {
        var next: () throws -> CMTraceRecord?
        var head: CMTraceRecord?
        var lastSeconds = -Double.infinity
        var done = false

        /// The time the head is ordered by: its own, or its file's last one.
        var key: Double { head?.time?.localSeconds ?? lastSeconds }
    }

    /// Streams, each a function giving its next record (nil at the end).
    init(_ sources: [() throws -> CMTraceRecord?]) {
        streams = sources.map { Stream(next: $0) }
    }

    /// The earliest next record of all streams; nil when all are done.
    mutating func next() throws -> CMTraceRecord? {
        var best: Int?
        for i in streams.indices where !streams[i].done {
            if streams[i].head == nil {
                streams[i].head = try streams[i].next()
                if streams[i].head == nil { streams[i].done = true; continue }
            }
            if best == nil || streams[i].key < streams[best!].key { best = i }
        }
        guard let i = best else { return nil }
        // Moved out, not copied (a record holds several strings: a copy retains each).
        var taken: CMTraceRecord?
        swap(&taken, &streams[i].head)
        if let t = taken?.time?.localSeconds { streams[i].lastSeconds = t }
        return taken
    }
}

extension CMTraceMerge {
    /// Files grouped into streams to merge: each IME log's generations together (in the order given, which
    /// `IMELogFiles` makes oldest first), any other file a stream of its own.
    static func streams<Source>(_ files: [Source], name: (Source) -> String) -> [[Source]] {
        var groups: [[Source]] = []
        var byStem: [String: Int] = [:]
        for file in files {
            let name = (name(file) as NSString).lastPathComponent.lowercased()
            let stem = IMELogFiles.stems.first { name == "\($0.lowercased()).log" || name.hasPrefix("\($0.lowercased())-") }
            if let stem, let g = byStem[stem] { groups[g].append(file); continue }
            groups.append([file])
            if let stem { byStem[stem] = groups.count - 1 }
        }
        return groups
    }
}
