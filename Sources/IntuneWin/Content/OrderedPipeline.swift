import Foundation

/// The pack pipeline's shape, used for a whole plan and for one large file's chunks: `produce` runs on
/// its own thread and queues work in order; `consume` takes it in that order on the calling thread. On
/// failure the producer is told to stop (`onStop` unblocks it), and the queue is drained (`drain` run on
/// each item left, which must wait for the item's workers), so no thread outlives the call.
enum OrderedPipeline {
    static func run<Item>(produce: @escaping @Sendable (BlockingQueue<Item>, StopFlag) -> Void,
                          consume: (Item) throws -> Void, onStop: () -> Void = {},
                          drain: (Item) -> Void) throws {
        let queue = BlockingQueue<Item>()
        let stop = StopFlag()
        let reader = Thread {
            produce(queue, stop)
            queue.push(nil)
        }
        reader.stackSize = 1 << 20
        reader.start()
        var finished = false
        defer {
            if !finished {
                stop.set()
                onStop()
                while let item = queue.pop() { drain(item) }
            }
        }
        while let item = queue.pop() { try consume(item) }
        finished = true
    }
}
