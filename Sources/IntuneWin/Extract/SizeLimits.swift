#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Limits on what extracting (or verifying) a zip may produce, checked on the sizes its entries
/// DECLARE, before anything is inflated or written: a zip bomb is refused up front instead of filling
/// the disk. Declared sizes bound the real output, as inflating stops at an entry's declared size
/// (`ZipReader.extract`). Every refusal names the file and the flag that lifts the limits.
public struct SizeLimits: Sendable, Equatable {
    /// Most uncompressed bytes all entries together may declare; nil for no cap.
    public var maximumTotal: UInt64?
    /// Most declared uncompressed bytes per byte of archive; nil for no cap.
    public var maximumRatio: UInt64?
    /// The ratio cap applies only when more than this is declared (small, very compressible content is fine).
    public var ratioAppliesAbove: UInt64
    /// Refuse to extract when the target's file system has less space available than the declared total.
    public var checksFreeSpace: Bool

    /// Custom limits; see `default` and `none` for the usual ones.
    public init(maximumTotal: UInt64?, maximumRatio: UInt64?, ratioAppliesAbove: UInt64 = 1 << 30, checksFreeSpace: Bool) {
        self.maximumTotal = maximumTotal
        self.maximumRatio = maximumRatio
        self.ratioAppliesAbove = ratioAppliesAbove
        self.checksFreeSpace = checksFreeSpace
    }

    /// 64 GiB in all (above Intune's 30 GB app limit), at most 1000:1 beyond 1 GiB, and room on the disk.
    public static let `default` = SizeLimits(maximumTotal: 64 << 30, maximumRatio: 1000, ratioAppliesAbove: 1 << 30, checksFreeSpace: true)
    /// No limits (`--no-size-limits`): declared sizes are still checked against what entries really hold.
    public static let none = SizeLimits(maximumTotal: nil, maximumRatio: nil, ratioAppliesAbove: 0, checksFreeSpace: false)


    /// The sum of every entry's declared uncompressed size; a sum past 2^64 - 1 is bad input whatever the limits.
    public static func declaredTotal(of zip: ZipReader) throws -> UInt64 {
        var total: UInt64 = 0
        for entry in zip.entries {
            let (sum, overflow) = total.addingReportingOverflow(entry.uncompressedSize)
            guard !overflow else {
                throw IntuneWinError.badInput(zip.source.path, "declared entry sizes add up to more than \(UInt64.max) bytes")
            }
            total = sum
        }
        return total
    }

    /// Checks the declared total and the compression ratio of the whole archive; returns the total.
    @discardableResult
    public func check(_ zip: ZipReader) throws -> UInt64 {
        let total = try Self.declaredTotal(of: zip)
        let path = zip.source.path
        if let maximumTotal, total > maximumTotal {
            throw IntuneWinError.badInput(path, "entries declare \(Self.text(total)) uncompressed, over the limit of \(Self.text(maximumTotal)) (a zip bomb?)", remedy: .liftSizeLimits)
        }
        let archive = max(zip.source.size, 1)
        if let maximumRatio, total > ratioAppliesAbove, total / archive > maximumRatio {
            throw IntuneWinError.badInput(path, "entries declare \(Self.text(total)) uncompressed from a zip of \(archive) bytes, a ratio over the limit of \(maximumRatio):1 (a zip bomb?)", remedy: .liftSizeLimits)
        }
        return total
    }

    /// Checks that the file system that will hold `target` (its nearest existing folder) has `total` bytes available.
    public func checkFreeSpace(_ total: UInt64, for target: String) throws {
        guard checksFreeSpace, let available = Self.availableBytes(near: target), total > available else { return }
        throw IntuneWinError.cannotWrite(target, "needs \(total) bytes, \(available) available", remedy: .liftSizeLimits)
    }

    /// Bytes available to this user on the file system of `path` or its nearest existing parent; nil if unknown.
    static func availableBytes(near path: String) -> UInt64? {
        var folder = path.isEmpty ? "." : path
        var info = statvfs()
        while statvfs(folder, &info) != 0 {
            guard errno == ENOENT || errno == ENOTDIR else { return nil }
            let parent = (folder as NSString).deletingLastPathComponent
            let next = parent.isEmpty ? "." : parent
            guard next != folder else { return nil }
            folder = next
        }
        let (bytes, overflow) = UInt64(info.f_bavail).multipliedReportingOverflow(by: UInt64(info.f_frsize))
        return overflow ? .max : bytes
    }

    /// "N bytes", with whole GiB added from 1 GiB up.
    static func text(_ n: UInt64) -> String {
        n < 1 << 30 ? "\(n) bytes" : "\(n) bytes (\(n >> 30) GiB)"
    }
}
