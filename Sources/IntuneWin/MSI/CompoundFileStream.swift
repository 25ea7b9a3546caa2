/// Sector numbers with a special meaning in FAT, mini FAT and DIFAT entries (MS-CFB 2.1).
enum CFBSector {
    /// Largest ordinary sector number; everything above is a marker.
    static let maxRegular: UInt32 = 0xFFFF_FFFA
    static let difat: UInt32 = 0xFFFF_FFFC
    static let fat: UInt32 = 0xFFFF_FFFD
    static let endOfChain: UInt32 = 0xFFFF_FFFE
    static let free: UInt32 = 0xFFFF_FFFF
}

/// `count` consecutive sectors starting at sector `first`, holding the stream's bytes from `offset`.
/// Chains are stored as runs so a contiguous multi-GB stream costs one element, not millions.
struct SectorRun: Equatable {
    var offset: UInt64
    var first: UInt64
    var count: UInt64
}

/// Follows a sector chain through an allocation table (FAT or mini FAT).
///
/// `limit` is the number of usable sector numbers (table entries that also lie inside the file or
/// mini stream): any link at or above it, including free/marker values, is an error. A chain
/// longer than `limit` must revisit a sector, so it is reported as a loop, which bounds the walk.
/// With `needed`, runs stop growing after that many sectors (the rest of the chain is still walked
/// for loops) and a shorter chain is an error; `needed == 0` does not look at the table at all.
func walkSectorChain(from start: UInt32, table: [UInt32], limit: Int, needed: UInt64?,
                     what: String, path: String) throws -> [SectorRun] {
    if needed == 0 { return [] }
    let limit = UInt64(max(0, min(limit, table.count)))
    var runs: [SectorRun] = []
    var count: UInt64 = 0
    var sector = start
    while sector != CFBSector.endOfChain {
        guard UInt64(sector) < limit else {
            let kind = sector == CFBSector.free ? "a free sector" : sector > CFBSector.maxRegular ? "a reserved marker" : "a sector outside the file"
            throw IntuneWinError.badInput(path, "\(what): chain reaches \(kind) (0x\(String(sector, radix: 16))) after \(count) sectors")
        }
        count += 1
        guard count <= limit else {
            throw IntuneWinError.badInput(path, "\(what): sector chain loops (more than \(limit) steps)")
        }
        if needed.map({ count <= $0 }) ?? true {
            if let last = runs.last, last.first + last.count == UInt64(sector) {
                runs[runs.count - 1].count += 1
            } else {
                let offset = runs.last.map { $0.offset + $0.count } ?? 0
                runs.append(SectorRun(offset: offset, first: UInt64(sector), count: 1))
            }
        }
        sector = table[Int(sector)]
    }
    if let needed, count < needed {
        throw IntuneWinError.badInput(path, "\(what): chain has \(count) sectors, declared size needs \(needed)")
    }
    return runs
}

/// The number of `sectorSize` sectors needed for `size` bytes (no overflow for any `size`).
func sectorsNeeded(_ size: UInt64, sectorSize: UInt64) -> UInt64 {
    size / sectorSize + (size % sectorSize == 0 ? 0 : 1)
}

/// A stream of a compound file: reads map offsets to sectors of `base` through the stream's runs.
/// Regular streams sit on the file (sector n at `(n + 1) * sectorSize`), small ones on the mini
/// stream (mini sector n at `n * 64`). Nothing is loaded ahead; consecutive sectors are read at once.
final class CompoundFileStream: RandomAccessSource {
    let base: RandomAccessSource
    let name: String
    let size: UInt64
    var path: String { base.path }
    private let sectorSize: UInt64
    private let origin: UInt64
    /// Runs with `offset` counted in sectors of the stream (byte offset / sectorSize).
    private let runs: [SectorRun]

    /// `runs` must cover at least `size` bytes (as `walkSectorChain(needed:)` guarantees).
    init(base: RandomAccessSource, name: String, size: UInt64, sectorSize: UInt64, origin: UInt64, runs: [SectorRun]) {
        self.base = base
        self.name = name
        self.size = size
        self.sectorSize = sectorSize
        self.origin = origin
        self.runs = runs
    }

    /// Index of the run holding stream sector `index` (runs are sorted and contiguous from 0).
    private func runIndex(containing index: UInt64) -> Int {
        var low = 0, high = runs.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if runs[mid].offset <= index { low = mid } else { high = mid - 1 }
        }
        return low
    }

    /// Where stream byte `offset` lies in `base`, or nil past the end.
    func physicalOffset(of offset: UInt64) -> UInt64? {
        guard offset < size, !runs.isEmpty else { return nil }
        let run = runs[runIndex(containing: offset / sectorSize)]
        let within = offset - run.offset * sectorSize
        guard within < run.count * sectorSize else { return nil }
        return origin + run.first * sectorSize + within
    }

    func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard offset < size, buffer.count > 0 else { return 0 }
        let want = min(UInt64(buffer.count), size - offset)
        var done: UInt64 = 0
        var index = runIndex(containing: offset / sectorSize)
        while done < want {
            guard index < runs.count else {
                throw IntuneWinError.badInput(path, "stream \(name): sectors end before offset \(offset + done)")
            }
            let run = runs[index]
            let position = offset + done
            let runStart = run.offset * sectorSize
            let runBytes = run.count * sectorSize
            guard position >= runStart, position - runStart < runBytes else { index += 1; continue }
            let within = position - runStart
            let n = min(want - done, runBytes - within)
            let physical = origin + run.first * sectorSize + within
            let target = UnsafeMutableRawBufferPointer(rebasing: buffer[Int(done)..<Int(done + n)])
            let got = try base.read(at: physical, into: target)
            guard UInt64(got) == n else {
                throw IntuneWinError.badInput(path, "stream \(name): truncated, sector data at offset \(physical + UInt64(got)) is missing")
            }
            done += n
            index += 1
        }
        return Int(done)
    }
}
