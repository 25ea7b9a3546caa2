import Foundation

/// One entry on its way through the pack pipeline: planned by the reader, compressed by workers (one
/// chunk each, in any order), written in order by the writer once `done` is reached.
final class PendingEntry: @unchecked Sendable {
    /// How the writer gets the entry's bytes: none (an empty file or folder), compressed chunks in memory,
    /// or a large file it compresses itself through a spool.
    enum Plan { case headerOnly(DOSDateTime), memory, spooled }
    let source: SourceEntry
    let plan: Plan
    /// Entered for each job working on the entry; the writer waits on it.
    let done = DispatchGroup()
    private let results = Locked((chunks: [CompressedChunk?](), error: Error?.none))
    /// Written by the reader or a worker before `done` is left; read by the writer after it.
    var stored = false
    var budgetHeld = 0
    /// Signalled by the writer when a spooled file is finished, so the reader goes on.
    let writerFinished = DispatchSemaphore(value: 0)

    init(_ source: SourceEntry, _ plan: Plan) { self.source = source; self.plan = plan }

    /// Makes room for `count` chunks (before any job starts).
    func reserve(_ count: Int) { results.withLock { $0.chunks = Array(repeating: nil, count: count) } }
    func set(_ index: Int, _ chunk: CompressedChunk) { results.withLock { $0.chunks[index] = chunk } }
    /// Keeps the first failure.
    func fail(_ e: Error) { results.withLock { if $0.error == nil { $0.error = e } } }

    var error: Error? { results.withLock { $0.error } }
    /// The chunks, once `done` is reached.
    var chunks: [CompressedChunk?] { results.withLock { $0.chunks } }
}
