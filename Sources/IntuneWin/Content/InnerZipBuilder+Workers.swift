import Foundation

/// The compression workers of `InnerZipBuilder`: at most `options.threads` jobs at once, each deflating
/// one chunk (or a batch of small files) with a pooled zlib stream.
extension InnerZipBuilder {
    /// Runs `work` on a worker once a thread permit is free; `group` covers it until it is done.
    func dispatch(_ group: DispatchGroup, _ work: @escaping @Sendable () -> Void) {
        workers.wait()
        group.enter()
        let gate = workers
        DispatchQueue.global().async {
            work()
            gate.signal()
            group.leave()
        }
    }

    /// Deflates one chunk (primed with the previous chunk's last 32 KiB as `dictionary`), or keeps it as
    /// it is when `forceStore` is set, or when `decideStore` is set and deflate does not make it smaller.
    func compressChunk(_ input: [UInt8], dictionary: [UInt8]?, final: Bool, decideStore: Bool, forceStore: Bool)
        -> (chunk: CompressedChunk, stored: Bool) {
        var crc = CRC32()
        crc.update(input)
        if forceStore { return (CompressedChunk(data: input, crc: crc.value, length: input.count), true) }
        let data = compressors.withCompressor { c in
            input.withUnsafeBytes { i in
                dictionary.map { d in d.withUnsafeBytes { c.compress(i, dictionary: $0, final: final) } }
                    ?? c.compress(i, dictionary: nil, final: final)
            }
        }
        if decideStore && data.count >= input.count {
            return (CompressedChunk(data: input, crc: crc.value, length: input.count), true)
        }
        return (CompressedChunk(data: data, crc: crc.value, length: input.count), false)
    }

    /// `--store-incompressible`: the first MiB does not shrink.
    func isIncompressible(_ firstChunk: [UInt8]) -> Bool {
        let probe = Array(firstChunk.prefix(1 << 20))
        let out = compressors.withCompressor { c in probe.withUnsafeBytes { c.compress($0, dictionary: nil, final: true) } }
        return out.count >= probe.count
    }
}
