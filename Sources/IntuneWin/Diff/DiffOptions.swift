import Foundation

/// How `Differ.diff` compares.
public struct DiffOptions: Sendable, Equatable {
    /// Report modification times that differ (at the zip's 2-second resolution). Off, only sizes and bytes count.
    public var compareModificationTimes = true

    /// Options that compare times unless told otherwise.
    public init(compareModificationTimes: Bool = true) {
        self.compareModificationTimes = compareModificationTimes
    }
}
