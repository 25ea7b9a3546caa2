import Foundation

/// A value that several threads share, reached only while its lock is held: the one lock box for the
/// library's small shared states (work cursors, first failures, pools of idle contexts).
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    /// Runs `body` with the value, holding the lock; keep it short (no I/O, no waiting).
    @inline(__always)
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

/// A count of units in flight between threads, which bounds memory whatever the thread count: bytes in the
/// pack pipeline (the reader acquires before reading a chunk, the writer releases once the chunk's
/// compressed bytes are written) and record batches read ahead by `CMTraceBatchReader`.
final class ByteBudget: @unchecked Sendable {
    private let condition = NSCondition()
    private var available: Int
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        available = capacity
    }

    func acquire(_ n: Int) {
        let n = min(n, capacity)
        condition.lock()
        while available < n { condition.wait() }
        available -= n
        condition.unlock()
    }

    /// Takes `n` if it is available now; never waits.
    func tryAcquire(_ n: Int) -> Bool {
        let n = min(n, capacity)
        condition.lock()
        defer { condition.unlock() }
        guard available >= n else { return false }
        available -= n
        return true
    }

    func release(_ n: Int) {
        let n = min(n, capacity)
        condition.lock()
        available += n
        condition.broadcast()
        condition.unlock()
    }
}

/// A first-in first-out queue between two threads; `pop` waits, `nil` marks the end.
final class BlockingQueue<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element?] = []
    private var head = 0

    func push(_ item: Element?) {
        condition.lock()
        items.append(item)
        condition.signal()
        condition.unlock()
    }

    func pop() -> Element? {
        condition.lock()
        while head >= items.count { condition.wait() }
        let item = items[head]
        items[head] = nil
        head += 1
        if head > 1024 && head * 2 > items.count { items.removeFirst(head); head = 0 }
        condition.unlock()
        return item
    }
}
