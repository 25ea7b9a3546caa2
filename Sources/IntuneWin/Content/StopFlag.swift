/// Set by the consumer when it gives up; the producer checks it between items.
final class StopFlag: Sendable {
    private let value = Locked(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
