/// How far a long operation has come, in the terms a person thinks of it: which pass of how many, what
/// that pass does, and bytes done of that pass's total. A decryption into a folder, for example, is
/// "1 of 2, authenticating, bytes of the package" then "2 of 2, extracting, bytes of the files".
public struct WorkProgress: Sendable, Equatable {
    /// This pass, from 1.
    public var step: Int
    /// How many passes the operation makes.
    public var steps: Int
    /// What this pass does ("packing", "authenticating", "extracting", "writing", "verifying", …).
    public var phase: String
    /// Bytes done in this pass.
    public var done: UInt64
    /// Bytes this pass reads or writes in all.
    public var total: UInt64
    /// Once the pass's bytes are all counted, what it still does before the result is complete
    /// ("encrypting and hashing the last blocks", "flushing to disk and renaming into place"); nil until then.
    public var finishing: String?

    public init(step: Int, steps: Int, phase: String, done: UInt64, total: UInt64, finishing: String? = nil) {
        self.step = step
        self.steps = steps
        self.phase = phase
        self.done = done
        self.total = total
        self.finishing = finishing
    }
}

/// Receives progress reports, one at a time (never concurrently), in order.
public typealias ProgressHandler = (WorkProgress) -> Void

/// Turns the byte counts of an operation's passes into `WorkProgress` reports; the passes may count
/// from several threads.
final class ProgressMeter: @unchecked Sendable {
    private let handler: ProgressHandler?
    private let state: Locked<WorkProgress>

    init(steps: Int, handler: ProgressHandler?) {
        self.handler = handler
        state = Locked(WorkProgress(step: 0, steps: max(1, steps), phase: "", done: 0, total: 0))
    }

    /// Starts the next pass.
    func begin(_ phase: String, total: UInt64) {
        guard let handler else { return }
        state.withLock { p in
            p.step = min(p.step + 1, p.steps)
            p.phase = phase
            p.done = 0
            p.total = total
            p.finishing = nil
            handler(p)
        }
    }

    /// Counts `bytes` more of the current pass.
    func advance(_ bytes: UInt64) {
        guard let handler else { return }
        state.withLock { p in
            p.done = min(p.total, p.done + bytes)
            handler(p)
        }
    }

    /// Names what the current pass still does once its bytes are counted (the bar stays full meanwhile).
    func finish(_ what: String) {
        guard let handler else { return }
        state.withLock { p in
            p.finishing = what
            handler(p)
        }
    }

    /// `finish` for the primitives that take a callback; nil when nobody listens.
    var finisher: ((String) -> Void)? { handler == nil ? nil : { [self] in finish($0) } }

    /// `advance` as a byte counter for the primitives that take one; nil when nobody listens.
    var counter: ((UInt64) -> Void)? { handler == nil ? nil : { [self] in advance($0) } }
}
